"""Chancery's data: the articles, the outlets that published them, and the actors and
territories they are about, each under every name it goes by.

Reference rows (sources, actors, territories) are protected: nothing an article relies on
can be deleted from under it. Tags are explicit link tables so that deleting a tagged actor
or territory is refused (PROTECT) instead of silently untagging articles.
"""

import datetime
import functools
import hashlib
import heapq
import itertools
import json
import math
import re
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.contrib.postgres.search import SearchVectorField
from django.db import connections, models, transaction
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.text import slugify

from archive import stats
from archive.search.backends import backend_for
from archive.search.fts5 import FTS5Document
from archive.search.index import INDEXED_FIELDS, index_articles
from archive.search.query import Group
from archive.search.text import words


def slug_url(name: str, slug: str) -> str:
    """reverse(name, args=[slug]) for the detail pages, which take only a slug."""
    return slug_urls(name)(slug)


def slug_urls(name: str):
    """slug -> reverse(name, args=[slug]), for many slugs.

    A results page links some 150 of these, and an export thousands; reverse() resolves
    the pattern each time, which cost a tenth of the page. The address around the slug is
    found once (per script prefix) and the slug quoted as reverse() would: slugs are
    letters, digits, "-" and "_" (archive.urls), which quoting leaves alone when ASCII.
    """
    before, after = _around_slug(name, get_script_prefix())
    return lambda slug: before + (slug if slug.isascii() else quote(slug, safe="!$&'()*+,;=/~:@")) + after


def absolute_slug_urls(request, name: str):
    """slug -> the absolute URL of slug_urls(name), on the request's scheme and host."""
    path = slug_urls(name)
    site = request.build_absolute_uri("/")[:-1]
    return lambda slug: site + path(slug)


@functools.cache
def _around_slug(name, script_prefix):
    marker = "slug-marker"
    before, after = reverse(name, args=[marker]).split(marker)
    return before, after


def unique_slug(model, text: str, *, max_length: int = 200, exclude_pk=None) -> str:
    """A slug for `text` not yet used by `model`, with -2, -3… appended when needed.

    ASCII where the text allows it; a title in Cyrillic or Japanese keeps its own letters
    (slugs are Unicode, see archive.urls) rather than collapsing to nothing.
    """
    base = slugify(text) or slugify(text, allow_unicode=True) or "untitled"
    base = base[: max_length - 8].strip("-") or "untitled"
    slug, n = base, 1
    others = model._default_manager.all()
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    while others.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


class SlugManager(models.Manager):
    """Natural keys by slug keep fixtures stable across databases and reloads."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class _WithCachedCounts(models.query.ModelIterable):
    """Each entity as it is fetched, with `article_count` from archive.stats."""

    def __iter__(self):
        counts = stats.article_counts(self.queryset.model)
        for entity in super().__iter__():
            entity.article_count = counts.get(entity.pk, 0)
            yield entity


class _WithTags(models.query.ModelIterable):
    """Articles with their actors and territories, read for all of them at once and kept
    as `tagged_actors` and `tagged_territories` (ArticleQuerySet.for_listing).

    prefetch_related() would read the same rows in as many queries, but it builds a related
    manager and a queryset for each article's every relation, and an instance for each tag
    of each article: 6 ms of a 20 ms search page, against 2 here, where an actor or a
    territory that several articles carry is one instance.
    """

    def __iter__(self):
        articles = super().__iter__()
        # An iterator() reads its rows in chunks, and so do their tags; a list all at once.
        size = self.chunk_size if self.chunked_fetch else None
        while batch := list(itertools.islice(articles, size)):
            _attach_tags(batch, self.queryset.db)
            yield from batch


def _attach_tags(articles, using):
    by_id = {article.pk: article for article in articles}
    for article in articles:
        article._tagged = ([], [])
    territories = {}
    for slot, link, model, entities in ((0, ArticleActor, Actor, {}), (1, ArticleTerritory, Territory, territories)):
        tag = model._meta.model_name  # the link's field: "actor", "territory"
        # What a tag shows, in the model's field order, as from_db() takes it; the rest
        # is deferred, read on access.
        fields = [f.attname for f in model._meta.concrete_fields if f.attname in {"id", "slug", "name", "kind"}]
        rows = (
            link.objects.using(using)
            .filter(article__in=by_id)
            .order_by(f"{tag}__name", f"{tag}_id")
            .values_list("article", *(f"{tag}__{field}" for field in fields))
        )
        for article, *values in rows:
            entity = entities.get(values[0])
            if entity is None:
                entity = entities[values[0]] = model.from_db(using, fields, values)
            by_id[article]._tagged[slot].append(entity)
    if territories:
        for territory in territories.values():
            territory._preferred_names = []
        names = (
            TerritoryName.objects.using(using)
            .filter(territory__in=territories, preferred=True)
            .order_by("name")
            .values_list("territory", "name")
        )
        for territory, name in names:
            territories[territory]._preferred_names.append(name)


class IdList(models.Expression):
    """Ids for `pk__in`, sent as one query parameter (an array on PostgreSQL, JSON on
    SQLite). Django sends an IN list's values one parameter each, and preparing the
    thousand ids of a facet sample cost more than counting the facet."""

    output_field = models.BigIntegerField()

    def __init__(self, ids):
        super().__init__()
        self.ids = [int(pk) for pk in ids]

    def as_sql(self, compiler, connection):
        return "(SELECT value FROM json_each(%s))", [json.dumps(self.ids)]

    def as_postgresql(self, compiler, connection):
        return "(SELECT unnest(%s::bigint[]))", [self.ids]


class EntityQuerySet(models.QuerySet):
    """Shared by sources, actors and territories: their published coverage."""

    # The path from the entity to its articles, and from an article to the entity; set
    # per model.
    articles_path: str = ""
    article_path: str = ""

    def articles_of(self, entity, *, semi_join=False):
        """The published articles about `entity` (or, for a source, from it).

        `semi_join`: tags tested with EXISTS instead of joined, for a page of a tag that is
        on a large share of the archive. SQLite then walks the date index and probes each
        article's tags, finding a page within a few hundred rows; for a join it starts
        from the tag index (the statistics say a tag has a thousand articles, not two
        hundred thousand) and sorts every one of them. PostgreSQL plans both alike.
        """
        articles = Article.objects.published()
        link = self._tag_link()
        if not semi_join or link is None:
            return articles.filter(**{self.article_path: entity})
        model, field = link
        return articles.filter(Exists(model.objects.filter(article=OuterRef("pk"), **{field: entity})))

    def _tag_link(self):
        """(link model, its field for this entity) for tags; None for sources."""
        if "__" not in self.articles_path:
            return None
        relation = self.model._meta.get_field(self.articles_path.split("__")[0])
        return relation.related_model, relation.field.name

    def published_article_counts(self) -> dict[int, int]:
        """{pk: published articles} of every entity that has any: the numbers of
        `with_article_counts()`, counted from indexes alone (archive.stats caches them).

        A tag's count is its links less those to unpublished articles: the links are
        counted in the tag index, and the unpublished articles found in the status index,
        where a join would read a million articles for their status.
        """
        link = self._tag_link()
        if link is None:
            rows = Article.objects.published().exclude(**{f"{self.article_path}": None}).values_list(self.article_path)
            return dict(rows.annotate(n=Count("*")).order_by())
        model, field = link
        links = model.objects.values_list(field).annotate(n=Count("*")).order_by()
        counts = dict(links)
        hidden = [status for status in Article.Status.values if status != Article.Status.PUBLISHED]
        for pk, n in links.filter(article__in=Article.objects.filter(status__in=hidden).values("pk")):
            counts[pk] -= n
        return {pk: n for pk, n in counts.items() if n}

    def with_article_counts(self):
        """Annotate `article_count`: published articles only, never drafts or withdrawn.

        Exact and sortable, but a GROUP BY over every article of every entity selected:
        public pages use `with_cached_counts()`.
        """
        published = Q(**{f"{self.articles_path}__status": "published"})
        return self.annotate(article_count=Count(self.articles_path, filter=published))

    def most_covered(self):
        return self.with_article_counts().filter(article_count__gt=0).order_by("-article_count", "name")

    def with_cached_counts(self):
        """`article_count` on each entity fetched, from the archive's cached counts
        (archive.stats): the same numbers as `with_article_counts()`, without reading the
        articles. Not sortable by the count: `top_covered()` is."""
        clone = self._chain()
        clone._iterable_class = _WithCachedCounts
        return clone

    def top_covered(self, limit):
        """`most_covered()[:limit]` from the cached counts (archive.stats)."""
        return self.ranked(stats.article_counts(self.model), limit)

    def ranked(self, counts: dict[int, int], limit: int) -> list:
        """The `limit` with the highest `counts` ({pk: n}), most first and then by name,
        each with `article_count`: one query."""
        top = heapq.nlargest(limit, counts.values())  # thousands of entities: no full sort
        if not top:
            return []
        # Every entity tied with the last one in, so that ties are broken by name.
        least = top[-1]
        entities = list(self.filter(pk__in=[pk for pk, n in counts.items() if n >= least]))
        for entity in entities:
            entity.article_count = counts[entity.pk]
        return sorted(entities, key=lambda entity: (-entity.article_count, entity.name))[:limit]

    def covering(self, articles):
        """Those that `articles` are about, each with `article_count` within them, most first.

        The facet counts of a result: one GROUP BY over the result's ids (a queryset, or
        a list of them), whatever filters made it.
        """
        ids = articles.order_by().values("pk") if isinstance(articles, models.QuerySet) else IdList(articles)
        return (
            self.filter(**{f"{self.articles_path}__in": ids})
            .annotate(article_count=Count(self.articles_path))
            .order_by("-article_count", "name")
        )


class SourceQuerySet(EntityQuerySet):
    articles_path = "articles"
    article_path = "source"


class ActorQuerySet(EntityQuerySet):
    articles_path = "article_links__article"
    article_path = "actor_links__actor"


class TerritoryQuerySet(EntityQuerySet):
    articles_path = "article_links__article"
    article_path = "territory_links__territory"

    def with_names(self):
        """Names prefetched, so that `label` costs no query per territory."""
        return self.prefetch_related("names")


# --- Sources -----------------------------------------------------------------------------


def _refuse_cycle(instance, field, message):
    """A ValidationError if `instance`'s `field` (a link to a row of its own model, such as
    a parent) leads back to it: pages would show each as part of the other. `message`
    names the row through which it does."""
    attname = instance._meta.get_field(field).attname
    above = getattr(instance, attname)
    if instance.pk is None or above is None or above == instance.pk:
        return  # a new row has nothing below it; a row of its own, its check constraint says
    rows = instance._meta.default_manager.values_list(attname, flat=True)
    seen = set()
    while above is not None and above not in seen:  # (a loop elsewhere, made before: stop)
        if above == instance.pk:
            raise ValidationError({field: message.format(getattr(instance, field))})
        seen.add(above)
        above = rows.filter(pk=above).first()


class Source(models.Model):
    class Kind(models.TextChoices):
        NEWSPAPER = "newspaper", "Newspaper"
        AGENCY = "agency", "Wire service / news agency"
        BROADCASTER = "broadcaster", "Broadcaster"
        MAGAZINE = "magazine", "Magazine"
        ONLINE = "online", "Online publication"
        GOVERNMENT = "government", "Government"
        THINK_TANK = "think_tank", "Think tank"
        AGGREGATOR = "aggregator", "Aggregator"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.NEWSPAPER)
    homepage = models.URLField(blank=True)
    country = models.ForeignKey(
        "Actor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sources",
        limit_choices_to={"kind": "state"},
        help_text="The state the outlet is based in.",
    )
    language = models.CharField(
        max_length=16, blank=True, help_text="Main language of publication, e.g. en, ja, ru."
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="belongs to",
        help_text="The outlet this one is part of, e.g. a paper's English-language edition.",
    )
    description = models.TextField(blank=True)

    objects = SlugManager.from_queryset(SourceQuerySet)()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(slug=""), name="source_slug_not_empty"),
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")),
                name="source_not_own_parent",
                violation_error_message="An outlet cannot belong to itself.",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        _refuse_cycle(
            self,
            "parent",
            "“{}” belongs to this outlet already, directly or through others: an outlet cannot belong to one of its own.",
        )

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return slug_url("archive:source-detail", self.slug)

    @property
    def label(self):
        return self.name


# --- Actors ------------------------------------------------------------------------------


class Actor(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        STATE = "state", "State"
        INTERNATIONAL = "international", "International organisation"
        ORGANISATION = "organisation", "Organisation"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.TextField(blank=True)
    role = models.CharField(
        max_length=200, blank=True, help_text="For people: their office or role, e.g. Prime Minister of Japan."
    )
    state = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="representatives",
        limit_choices_to={"kind": "state"},
        help_text="For people: the state they act for.",
    )

    objects = SlugManager.from_queryset(ActorQuerySet)()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(slug=""), name="actor_slug_not_empty"),
            models.CheckConstraint(
                condition=Q(state__isnull=True) | Q(kind="person"),
                name="actor_only_people_act_for_a_state",
                violation_error_message="Only a person acts for a state: leave the state empty, or make the kind person.",
            ),
        ]
        indexes = [
            # The actors index filters by kind ("/actors/?kind=person").
            models.Index(fields=["kind", "name"], name="actor_kind_name_idx"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.pk is not None and self.state_id == self.pk:
            raise ValidationError({"state": "An actor cannot act for itself."})
        # Where only a state may stand (the choices say so), a state stays one.
        if self.pk is None or self.kind == self.Kind.STATE:
            return
        if not Actor.objects.filter(pk=self.pk, kind=self.Kind.STATE).exists():
            return
        uses = [
            (self.representatives.count(), "person acts for it", "people act for it"),
            (self.sources.count(), "outlet is based in it", "outlets are based in it"),
            (self.administers.count(), "territory is administered by it", "territories are administered by it"),
        ]
        said = [f"{n} {one if n == 1 else many}" for n, one, many in uses if n]
        if said:
            said = ", ".join(said[:-1]) + " and " + said[-1] if len(said) > 1 else said[0]
            raise ValidationError({"kind": f"{self.name} stays a state while {said}: change those first."})

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return slug_url("archive:actor-detail", self.slug)

    @property
    def label(self):
        return self.name


class OwnerKeyManager(models.Manager):
    """Names and tags are keyed by their owners' slugs, so fixtures reload in place."""

    def __init__(self, *owner_fields):
        super().__init__()
        self.owner_fields = owner_fields

    def get_by_natural_key(self, *key):
        owners = {f"{field}__slug": value for field, value in zip(self.owner_fields, key)}
        rest = key[len(self.owner_fields) :]
        extra = dict(zip(("name", "language"), rest))
        return self.get(**owners, **extra)


class ActorName(models.Model):
    """Another name of an actor: a transliteration, a title, a name in another language."""

    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(max_length=200)
    language = models.CharField(max_length=16, blank=True, help_text="e.g. en, ja, ru; blank if any.")

    objects = OwnerKeyManager("actor")

    class Meta:
        ordering = ["actor", "name"]
        constraints = [
            models.UniqueConstraint(fields=["actor", "name", "language"], name="actor_name_unique"),
            models.CheckConstraint(condition=~Q(name=""), name="actor_name_not_empty"),
        ]
        indexes = [
            # Alias lookup in search and tag suggestion: "which actor is called X?"
            models.Index(fields=["name"], name="actor_name_name_idx"),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (*self.actor.natural_key(), self.name, self.language)

    natural_key.dependencies = ["archive.actor"]


# --- Territories -------------------------------------------------------------------------


class Territory(models.Model):
    class Kind(models.TextChoices):
        COUNTRY = "country", "Country"
        REGION = "region", "Region"
        ISLAND_GROUP = "island_group", "Island group"
        ISLAND = "island", "Island"
        SEA = "sea", "Sea or strait"
        DISPUTED = "disputed", "Disputed area"

    name = models.CharField(max_length=200, help_text="The archive's main name for it.")
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.TextField(blank=True)
    part_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="parts"
    )
    claimants = models.ManyToManyField(
        Actor,
        through="Claim",
        related_name="claims",
        blank=True,
        help_text="States that claim it.",
    )
    administered_by = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="administers",
        limit_choices_to={"kind": "state"},
    )
    latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)

    objects = SlugManager.from_queryset(TerritoryQuerySet)()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "territories"
        constraints = [
            models.CheckConstraint(condition=~Q(slug=""), name="territory_slug_not_empty"),
            models.CheckConstraint(
                condition=~Q(part_of=models.F("pk")),
                name="territory_not_part_of_itself",
                violation_error_message="A territory cannot be part of itself.",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="territory_latitude_range",
                violation_error_message="A latitude is between -90 and 90.",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="territory_longitude_range",
                violation_error_message="A longitude is between -180 and 180.",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="territory_coordinates_both_or_neither",
                violation_error_message="Give both the latitude and the longitude, or neither.",
            ),
        ]

    def __str__(self):
        return self.label

    def clean(self):
        super().clean()
        _refuse_cycle(
            self,
            "part_of",
            "“{}” is part of this territory already, directly or through others: a territory cannot be part of one of its own parts.",
        )

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return slug_url("archive:territory-detail", self.slug)

    @property
    def label(self):
        """The name to show: for a disputed territory, the name each side uses.

        "Northern Territories / Southern Kurils": the main name first, then each other
        name that a side prefers. Reads `names` through the prefetch cache when the caller
        prefetched them, and the preferred names alone when an article list read them
        with its tags (ArticleQuerySet.for_listing): no query in either case.
        """
        preferred = self.__dict__.get("_preferred_names")
        if preferred is None:
            preferred = [n.name for n in self.names.all() if n.preferred]
        return territory_label(self.name, preferred)


def territory_label(name, preferred):
    """Territory.label on plain values: `name`, then each of the `preferred` names (in
    name order) that differs from it, once."""
    return " / ".join([name, *(other for other in dict.fromkeys(preferred) if other != name)])


class Claim(models.Model):
    """A state's claim to a territory. PROTECT: a claimant cannot vanish from a dispute."""

    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="claims")
    claimant = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="claim_links")

    objects = OwnerKeyManager("territory", "claimant")

    class Meta:
        ordering = ["territory", "claimant"]
        constraints = [
            models.UniqueConstraint(fields=["territory", "claimant"], name="claim_unique"),
        ]

    def __str__(self):
        return f"{self.claimant} claims {self.territory.name}"

    def natural_key(self):
        return (*self.territory.natural_key(), *self.claimant.natural_key())

    natural_key.dependencies = ["archive.territory", "archive.actor"]


class TerritoryName(models.Model):
    """A name of a territory, in a language, and the side that uses it.

    "Southern Kurils" (ru-side, used by Russia) and "Northern Territories" (used by Japan)
    are two rows of one territory. `preferred` marks the name a side uses officially; the
    territory's label shows every preferred name.
    """

    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(max_length=200)
    language = models.CharField(max_length=16, blank=True, help_text="e.g. en, ja, ru; blank if any.")
    used_by = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="territory_names",
        help_text="The state or side that uses this name; blank if neutral or everyone's.",
    )
    preferred = models.BooleanField(
        default=False, help_text="The name this side uses officially; shown in the territory's label."
    )

    objects = OwnerKeyManager("territory")

    class Meta:
        ordering = ["territory", "-preferred", "name"]
        constraints = [
            models.UniqueConstraint(fields=["territory", "name", "language"], name="territory_name_unique"),
            models.CheckConstraint(condition=~Q(name=""), name="territory_name_not_empty"),
        ]
        indexes = [
            # Alias lookup in search and tag suggestion: "which territory is called X?"
            models.Index(fields=["name"], name="territory_name_name_idx"),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (*self.territory.natural_key(), self.name, self.language)

    natural_key.dependencies = ["archive.territory"]


# --- Articles ----------------------------------------------------------------------------


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"
    UNKNOWN = "unknown", "Unknown"


def format_partial_date(value: datetime.date | None, precision: str) -> str:
    """'16 May 2015', 'December 2016', '2017' or 'Date unknown': never more precise than known."""
    if value is None or precision == DatePrecision.UNKNOWN:
        return "Date unknown"
    if precision == DatePrecision.YEAR:
        return f"{value.year}"
    if precision == DatePrecision.MONTH:
        return f"{value:%B} {value.year}"
    return f"{value.day} {value:%B} {value.year}"


def iso_partial_date(value: datetime.date | None, precision: str) -> str | None:
    """ISO 8601 truncated to the known precision: '2015-05-16', '2016-12', '2017' or None."""
    if value is None or precision == DatePrecision.UNKNOWN:
        return None
    if precision == DatePrecision.YEAR:
        return f"{value.year:04d}"
    if precision == DatePrecision.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


# ArticleQuerySet.dates() asks at most this many periods in one query.
DATE_PROBES = 400


def _period_starts(first: datetime.date, last: datetime.date, kind: str) -> list[datetime.date] | None:
    """The first day of every year, month or day from `first`'s to `last`'s; None when
    there are more than DATE_PROBES."""
    if kind == "day":
        count = (last - first).days + 1
    elif kind == "month":
        count = (last.year - first.year) * 12 + last.month - first.month + 1
    else:
        count = last.year - first.year + 1
    if count > DATE_PROBES:
        return None
    if kind == "day":
        return [first + datetime.timedelta(days=i) for i in range(count)]
    if kind == "month":
        months = range(first.year * 12 + first.month - 1, first.year * 12 + first.month - 1 + count)
        return [datetime.date(m // 12, m % 12 + 1, 1) for m in months]
    return [datetime.date(year, 1, 1) for year in range(first.year, last.year + 1)]


class ArticleQuerySet(models.QuerySet):
    # Bulk writes skip save() and its signal; these overrides keep the content hash, the
    # search index (archive.search.index) and the cached public numbers (archive.stats)
    # current for them too.

    def update(self, **kwargs):
        count = self._update_and_index(**kwargs)
        # The cached public numbers (archive.stats), after the write.
        if stats.COUNTED_FIELDS & kwargs.keys():
            stats.changed()
        return count

    def _update_and_index(self, **kwargs):
        if not INDEXED_FIELDS & kwargs.keys():
            return super().update(**kwargs)
        pks = list(self.values_list("pk", flat=True))
        count = super().update(**kwargs)
        for start in range(0, len(pks), 500):
            articles = list(self.model.objects.filter(pk__in=pks[start : start + 500]))
            for article in articles:
                article.content_hash = article.compute_content_hash()
            super().bulk_update(articles, ["content_hash"])
            index_articles(articles)
        return count

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)  # read twice: a generator would be empty the second time
        for obj in objs:
            obj.content_hash = obj.compute_content_hash()
        # Unless conflicts were allowed, every row is new and so has no search document.
        conflicts = kwargs.get("ignore_conflicts") or kwargs.get("update_conflicts") or len(args) > 1
        self._for_write = True  # the transaction below is the write database's
        # One transaction: the articles appear in search the moment they appear at all.
        with transaction.atomic(using=self.db):
            objs = super().bulk_create(objs, *args, **kwargs)
            index_articles(objs, created=not conflicts)
        if any(obj.status == Article.Status.PUBLISHED for obj in objs):
            stats.changed()
        return objs

    def bulk_update(self, objs, fields, *args, **kwargs):
        count = self._bulk_update_and_index(objs, fields, *args, **kwargs)
        if stats.COUNTED_FIELDS & set(fields):
            stats.changed()
        return count

    def _bulk_update_and_index(self, objs, fields, *args, **kwargs):
        if not INDEXED_FIELDS & set(fields):
            return super().bulk_update(objs, fields, *args, **kwargs)
        for obj in objs:
            obj.content_hash = obj.compute_content_hash()
        count = super().bulk_update(objs, [*fields, "content_hash"], *args, **kwargs)
        index_articles(objs)
        return count

    def published(self):
        """What the public may see. Every public surface starts here."""
        return self.filter(status=Article.Status.PUBLISHED)

    def tagged_with(self, actors=(), territories=(), *, searched=False, first_rows=False):
        """The articles carrying every one of these actors and territories.

        Each tag is a join, which PostgreSQL answers by merging the tags' lists of
        articles. SQLite follows one tag's list and looks each of its articles up in the
        others: at a million articles, the newest 3,000 of two tags with 210,000 and
        118,000 articles took 380 ms that way, and 160 ms with the lists intersected first
        (INTERSECT). With a rare tag, intersecting costs more (32 ms against 5), and far
        more under a search (`searched`), which joins only its few matches to the tags:
        SQLite intersects the tags of unsearched lists only.

        `first_rows`: only the list's first rows in date order will be read. One common
        tag is then checked in each article as SQLite walks them in that order (EXISTS,
        stats.read_in_date_order): the newest 3,000 of a tag of 210,000 without another of
        118,000 took 560 ms joined, and 8 ms so.
        """
        unsearched_on_sqlite = connections[self.db].vendor == "sqlite" and not searched
        if unsearched_on_sqlite and len(actors) + len(territories) > 1:
            links = [ArticleActor.objects.filter(actor=actor) for actor in actors]
            links += [ArticleTerritory.objects.filter(territory=territory) for territory in territories]
            first, *others = [tagged.order_by().values("article_id") for tagged in links]
            return self.filter(pk__in=first.intersection(*others))
        if unsearched_on_sqlite and first_rows and len(actors) + len(territories) == 1:
            if actors:
                tag, links = actors[0], ArticleActor.objects.filter(actor=actors[0])
            else:
                tag, links = territories[0], ArticleTerritory.objects.filter(territory=territories[0])
            if stats.read_in_date_order(type(tag), tag.pk):
                return self.filter(Exists(links.filter(article=OuterRef("pk"))))
        for actor in actors:
            self = self.filter(actors=actor)
        for territory in territories:
            self = self.filter(territories=territory)
        return self

    def for_listing(self):
        """Everything an article card needs, in a fixed number of queries whatever the page size.

        One query for the articles with their sources, then, for all of them at once, one
        each for their actors, their territories and those territories' preferred names
        (their labels): `tagged_actors` and `tagged_territories` (_WithTags).
        """
        listing = self.select_related("source")
        listing._iterable_class = _WithTags
        return listing

    def search(self, query, window=None):
        """Articles matching a parsed Query (archive.search.query), annotated with `rank`.

        Plain words, phrases, OR and exclusions go to the database's full-text index as
        one expression. A group that alias expansion recognised as a name also matches
        articles tagged with its actors or territories, and an excluded name leaves them
        out. An empty query matches nothing.
        `window` narrows to some months (archive.search.plan, which decides when).
        """
        if not query:
            return self.annotate(rank=Value(0.0)).none()
        backend = backend_for(self.db)
        plain = [group for group in query.groups if not group.entities]
        named = [group for group in query.groups if group.entities]
        condition = Q()
        for group in named:
            if plain:
                # Asked of each of the plain words' matches.
                text = backend.row_matches([group], window)
            else:
                # The names' matches in the text are the candidates.
                text = Q(pk__in=backend.matching_ids([group], window=window))
            if window is not None:
                # The window's text matches are all on its days: the tagged articles it adds
                # are looked for there, each of them, rather than among all of the tags'.
                condition &= window.dates & (text | _tagged_with(group.entities, each=True))
            else:
                # Each of the plain words' matches, if any, rather than all of the tags'.
                condition &= text | _tagged_with(group.entities, each=bool(plain))
        if query.excluded_entities:
            condition &= ~_tagged_with(query.excluded_entities, each=True)
        if plain:
            # Ranked by the words that must be in the text; the names narrow.
            return backend.match(self, plain, query.excluded, window).filter(condition)
        if query.excluded:
            condition &= ~Q(pk__in=backend.matching_ids([Group(list(query.excluded))]))
        return self.filter(condition).annotate(rank=backend.rank(query.groups, window))

    def page_rows(self, bottom, top):
        """Rows bottom..top of this ordered list, in two queries: the ids, which an
        index answers (the date index, or the full-text index for a search, where the
        ranking happens), then just those rows with what the listing prefetches. In one
        query SQLite would carry every candidate's whole text through the sort."""
        return self.rows_in_order(list(self.values_list("pk", flat=True)[bottom:top]))

    def rows_in_order(self, ids):
        """The articles `ids`, in that order, with what this list selects and prefetches."""
        rows = self.model._default_manager.filter(pk__in=ids)
        rows.query.select_related = self.query.select_related
        rows._prefetch_related_lookups = self._prefetch_related_lookups
        rows._iterable_class = self._iterable_class  # for_listing()'s tags
        by_id = {row.pk: row for row in rows}
        return [by_id[pk] for pk in ids if pk in by_id]

    def first_rows(self, n):
        """(pk, published_on, source id) of the first `n` in this list's order: a facet sample."""
        return list(self.values_list("pk", "published_on", "source")[:n])

    def sorted_by(self, sort, *, matches=False):
        """In a list's order: "relevance" (a search's), "newest" or "oldest"."""
        if sort == "relevance":
            return self.by_relevance()
        if sort == "oldest":
            return self.oldest_first(matches=matches)
        return self.newest_first(matches=matches)

    def by_relevance(self):
        return self.order_by("-rank", models.F("published_on").desc(nulls_last=True), "-id")

    def newest_first(self, *, matches=False):
        """Newest first, undated last. `matches`: the rows are a search's matches, few
        enough to sort (archive.search.plan sees to it), so the order is an expression
        that no index provides; otherwise both databases walk the date index, probing
        the full-text index row by row, which for a rare word means most of the archive."""
        if matches:
            return self.order_by(Coalesce("published_on", Value(datetime.date.min)).desc(), "-id")
        return self.order_by(models.F("published_on").desc(nulls_last=True), "-id")

    def oldest_first(self, *, matches=False):
        if matches:
            return self.order_by(Coalesce("published_on", Value(datetime.date.max)).asc(), "id")
        return self.order_by(models.F("published_on").asc(nulls_last=True), "id")

    def aggregate(self, *args, **kwargs):
        """Django's, except that the first and the last date, asked for together as Min
        and Max of `published_on` (the admin's date hierarchy does), come from the date
        index, one end each: in one query neither database uses an index for both, and
        reads every article of the list (0.7-0.9 s for a common tag's at a million)."""
        bounds = [
            isinstance(value, kind) and value.source_expressions == [models.F("published_on")] and not value.filter
            for value, kind in zip(kwargs.values(), (models.Min, models.Max))
        ]
        if args or len(kwargs) != 2 or not all(bounds):
            return super().aggregate(*args, **kwargs)
        return dict(zip(kwargs, self._date_bounds))

    @functools.cached_property
    def _date_bounds(self):
        """(first, last) `published_on` of these articles, each from the date index.
        Kept by this queryset (a filtered one is another), which the date hierarchy asks
        for them and then for its periods."""
        dated = self.filter(published_on__isnull=False).values_list("published_on", flat=True)
        # In the index's order (nulls last going down, so first going up), or PostgreSQL sorts.
        day = models.F("published_on")
        return dated.order_by(day.asc(nulls_first=True)).first(), dated.order_by(day.desc(nulls_last=True)).first()

    def dates(self, field_name, kind, order="ASC"):
        """Django's dates(), for the date hierarchy of the admin's article list: the years,
        months or days of `published_on` that have articles, as a list. DISTINCT over the
        truncated dates reads every article (0.3 s on PostgreSQL, 2.6 s on SQLite, which
        truncates in Python, at a million); here the first and the last date come from the
        date index, and one query asks EXISTS of each period between them, a probe of the
        same index each. A span of more than DATE_PROBES periods is left to Django."""
        if field_name != "published_on" or kind not in ("year", "month", "day") or order not in ("ASC", "DESC"):
            return super().dates(field_name, kind, order)
        first, last = self._date_bounds
        if first is None:
            return []
        starts = _period_starts(first, last, kind)
        if starts is None:
            return super().dates(field_name, kind, order)
        probes = {}
        for i, start in enumerate(starts):
            # The last period reaches the last date: no bound past it, which may be 9999-12-31.
            period = Q(published_on__gte=start) & (Q(published_on__lt=starts[i + 1]) if i + 1 < len(starts) else Q())
            probes[f"p{i}"] = Exists(self.order_by().filter(period))
        found = self.order_by().annotate(**probes).values_list(*probes)[0]
        having = [start for start, has in zip(starts, found) if has]
        return having if order == "ASC" else having[::-1]

    def related_to(self, article, limit=5):
        """Published articles sharing the most actors and territories with `article`,
        the newest first among those sharing as many.

        Only the newest articles of each of its tags are candidates, RELATED_CANDIDATES
        shared among its tags: a popular actor has tens of thousands of articles, and
        scoring them all to show five made the page as slow as the coverage was large.
        An article sharing a rare tag is always a candidate; one sharing only popular tags
        is once it is recent. Candidates are then scored with every tag they share.
        Reads the tags that `article` was listed with when it was (for_listing).
        """
        actor_ids = [actor.pk for actor in article.tagged_actors]
        territory_ids = [territory.pk for territory in article.tagged_territories]
        if not actor_ids and not territory_ids:
            return self.none()
        tags = [(ArticleActor, "actor", pk) for pk in actor_ids]
        tags += [(ArticleTerritory, "territory", pk) for pk in territory_ids]
        candidates = _newest_tagged(tags, math.ceil(RELATED_CANDIDATES / len(tags)))
        shared_actors = (
            ArticleActor.objects.filter(article=OuterRef("pk"), actor__in=actor_ids)
            .order_by()
            .values("article")
            .annotate(n=Count("pk"))
            .values("n")
        )
        shared_territories = (
            ArticleTerritory.objects.filter(article=OuterRef("pk"), territory__in=territory_ids)
            .order_by()
            .values("article")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            self.published()
            .exclude(pk=article.pk)
            .filter(pk__in=candidates)
            .annotate(
                shared=Coalesce(Subquery(shared_actors), Value(0))
                + Coalesce(Subquery(shared_territories), Value(0))
            )
            .order_by("-shared", models.F("published_on").desc(nulls_last=True), "-id")[:limit]
        )


# Related articles are chosen among about this many candidates, whatever the tags
# (ArticleQuerySet.related_to): at a million articles each costs ~10 µs on PostgreSQL.
RELATED_CANDIDATES = 500


def _newest_tagged(tags, n):
    """Ids of the `n` newest published articles of each tag, a (link model, field, id)
    triple.

    "Newest" by id, the order articles entered the archive: each tag's share is the top
    of its range in the (tag, article) index, each article's status looked up as it is
    read. (Read without them, a batch of newer drafts with the tag took every place, and
    a published article had no related ones until they were published. At a million
    articles the article page takes 0.5 to 3.5 ms more on PostgreSQL, 0.5 on SQLite.)
    Written as SQL because Django cannot UNION sliced querysets on SQLite, and building
    the equivalent (one Subquery and Q per tag) cost more than running it.
    """
    # The status as a subquery per link: as a join, PostgreSQL walked a popular tag's
    # articles by merging with the whole article table, newest first.
    newest = (
        "SELECT * FROM (SELECT l.{article} FROM {table} l"
        " WHERE l.{tag} = %s AND (SELECT a.{status} FROM {articles} a WHERE a.{pk} = l.{article}) = %s"
        " ORDER BY l.{article} DESC LIMIT %s) AS newest"
    )
    articles = Article._meta
    parts, params = [], []
    for links, field, pk in tags:
        meta = links._meta
        parts.append(
            newest.format(
                table=meta.db_table,
                tag=meta.get_field(field).column,
                article=meta.get_field("article").column,
                articles=articles.db_table,
                pk=articles.pk.column,
                status=articles.get_field("status").column,
            )
        )
        params += [pk, Article.Status.PUBLISHED, n]
    return RawSQL(" UNION ".join(parts), params)


class _EachExists(Exists):
    """EXISTS asked of each row in turn. PostgreSQL turns an EXISTS it can into the set of
    the subquery's rows, hashed, which for a popular tag is 200,000 links read to decide a
    few thousand articles; a subquery with an OFFSET it leaves as it is."""

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = self.as_sql(compiler, connection, **extra)
        if sql.endswith(" LIMIT 1)"):  # as Django writes an EXISTS; else left as it is
            sql = sql[:-1] + " OFFSET 0)"
        return sql, params


def _tagged_with(entities, each=False):
    """Articles tagged with any of these actors or territories.

    `each`: asked of each article in turn, through the (article, tag) indexes, rather than
    as the set of the tags' articles: for a search's few candidates. As a set, PostgreSQL
    read all 200,000 articles of a popular actor for a search of 441 (1.2 s against 13
    ms, at a million articles).
    """
    actors = [e.pk for e in entities if e.kind == "actor"]
    territories = [e.pk for e in entities if e.kind == "territory"]
    condition = Q()
    for links, field, pks in ((ArticleActor, "actor", actors), (ArticleTerritory, "territory", territories)):
        if not pks:
            continue
        if each:
            condition |= _EachExists(links.objects.filter(article=OuterRef("pk"), **{f"{field}__in": pks}))
        else:
            condition |= Q(pk__in=links.objects.filter(**{f"{field}__in": pks}).values("article_id"))
    return condition


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    title = models.CharField(max_length=500)
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True, help_text="Permanent: part of the article's address.")
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
        help_text="Blank when the text does not say who published it.",
    )
    canonical_url = models.URLField(max_length=1000, blank=True, verbose_name="canonical URL")
    byline = models.CharField(max_length=300, blank=True)
    dateline = models.CharField(max_length=100, blank=True, help_text='Where it was filed, e.g. "MOSCOW".')
    published_on = models.DateField(
        null=True,
        blank=True,
        help_text="For a month or a year, the first day of it; blank when unknown.",
    )
    date_precision = models.CharField(
        max_length=10, choices=DatePrecision.choices, default=DatePrecision.UNKNOWN
    )
    print_page = models.CharField(max_length=50, blank=True, help_text='Page in the printed edition, e.g. "2".')
    language = models.CharField(max_length=16, default="en", blank=True, help_text="e.g. en, ja, ru; blank if unknown.")
    lead = models.TextField(blank=True, help_text="The opening paragraph.")
    body = models.TextField(blank=True, help_text="Paragraphs separated by a blank line.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    actors = models.ManyToManyField(Actor, through="ArticleActor", related_name="articles", blank=True)
    territories = models.ManyToManyField(
        Territory, through="ArticleTerritory", related_name="articles", blank=True
    )
    editors_note = models.TextField(blank=True, verbose_name="editors' note")
    content_hash = models.CharField(
        max_length=64, editable=False, help_text="SHA-256 of the normalised lead and body, for finding duplicates."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic locking: every change through the admin, a bulk action or an import moves
    # the article on a version (archive.history), and the admin form refuses a save based
    # on an older one, so that one editor's save cannot silently undo another's.
    version = models.PositiveIntegerField(
        default=1, editable=False, help_text="Raised by every change; the admin form saves only the latest."
    )

    # What a search result adds to each article (archive.search.highlight.decorate); unset
    # elsewhere. Defaults here, since a template's lookup of a missing attribute is slow
    # (Django lists the object's attributes with dir() to tell why it failed): three per
    # card, 75 on a page of 25.
    title_html = ""
    snippet = ""
    matched_names = ()

    objects = SlugManager.from_queryset(ArticleQuerySet)()

    class Meta:
        ordering = [models.F("published_on").desc(nulls_last=True), "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(slug=""), name="article_slug_not_empty"),
            models.CheckConstraint(condition=~Q(title=""), name="article_title_not_empty"),
            models.UniqueConstraint(
                fields=["canonical_url"],
                condition=~Q(canonical_url=""),
                name="article_canonical_url_unique",
                violation_error_message="Another article in the archive has this canonical URL.",
            ),
            # A date and its precision agree: no date means unknown, and a month or a year
            # is stored as its first day, so that sorting and range filters treat it alike.
            # The month and year branches say isnull=False themselves: with no date, day=1
            # is NULL, and a CHECK lets NULL pass.
            models.CheckConstraint(
                condition=(
                    Q(date_precision="unknown", published_on__isnull=True)
                    | Q(date_precision="day", published_on__isnull=False)
                    | Q(date_precision="month", published_on__isnull=False, published_on__day=1)
                    | Q(date_precision="year", published_on__isnull=False, published_on__day=1, published_on__month=1)
                ),
                name="article_date_matches_precision",
                violation_error_message=(
                    "The date and its precision disagree: no date is an unknown date, and a month or a year is "
                    "given as its first day."
                ),
            ),
            # One of the three statuses, whatever writes the row (loaddata, a restore, an
            # update()): what is not published is hidden by counting the draft and the
            # withdrawn (EntityQuerySet.published_article_counts), so a fourth would count.
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published", "withdrawn"]), name="article_status_valid"
            ),
        ]
        indexes = [
            # Public lists: WHERE status = 'published' ORDER BY published_on DESC, id DESC.
            # PostgreSQL also has article_published_order_idx, for the same order with the
            # undated last (migration 0007: SQLite refuses NULLS LAST in an index). The
            # admin's list of every article has article_order_idx (migration 0009).
            models.Index(
                models.F("status"),
                models.F("published_on").desc(),
                models.F("id").desc(),
                name="article_status_date_idx",
            ),
            # Deduplication on import: "is there already an article with this text?"
            models.Index(fields=["content_hash"], name="article_content_hash_idx"),
            # Source pages and the source facet: WHERE source_id = ? AND status = 'published'.
            models.Index(fields=["source", "status", "published_on"], name="article_source_date_idx"),
        ]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return slug_url("archive:article-detail", self.slug)

    @property
    def tagged_actors(self):
        """Its actors, by name: as a list read them (ArticleQuerySet.for_listing), else
        from the database."""
        tagged = self.__dict__.get("_tagged")
        return list(self.actors.all()) if tagged is None else tagged[0]

    @property
    def tagged_territories(self):
        """Its territories, by name, as `tagged_actors`."""
        tagged = self.__dict__.get("_tagged")
        return list(self.territories.all()) if tagged is None else tagged[1]

    def save(self, *args, **kwargs):
        self.content_hash = self.compute_content_hash()
        if not self.slug:
            self.slug = unique_slug(Article, self.title, exclude_pk=self.pk)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"title", "lead", "body"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "content_hash"}
        super().save(*args, **kwargs)

    def claim_version(self, loaded: int) -> bool:
        """Move the article from version `loaded` to the next, if it is still at `loaded`.

        One UPDATE compares and increments, so of two saves based on the same version only
        one can pass: on PostgreSQL the second waits for the first's row lock and then finds
        the version moved; SQLite lets one writer in at a time. Call it inside the save's
        transaction, so that the lock is held until the save is done.
        """
        claimed = Article.objects.filter(pk=self.pk, version=loaded).update(version=models.F("version") + 1)
        if claimed:
            self.version = loaded + 1
        return bool(claimed)

    def compute_content_hash(self) -> str:
        # The story's text, as search sees its words: two copies that differ in case,
        # accents, punctuation or spacing are the same story. The title is left out
        # because editors retitle (a headline-less import gets one), and the text stays
        # the same story; it counts only for an article with no text yet.
        text = " ".join(words("\n".join([self.lead, self.body]))) or " ".join(words(self.title))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    @property
    def is_public(self):
        return self.status == self.Status.PUBLISHED

    @property
    def date_display(self):
        return format_partial_date(self.published_on, self.date_precision)

    @property
    def date_iso(self):
        return iso_partial_date(self.published_on, self.date_precision)

    @property
    def paragraphs(self):
        """The body's paragraphs: blocks separated by blank lines, inner line breaks kept."""
        return [p.strip() for p in re.split(r"\n\s*\n", self.body) if p.strip()]


class TagLinkQuerySet(models.QuerySet):
    """Tag rows written in bulk (`article.actors.add()`, the admin's tagging action) send no
    post_save: tell the cached public numbers (archive.stats) here, when they count any
    of the articles."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = super().bulk_create(objs, *args, **kwargs)
        if Article.objects.published().filter(pk__in={obj.article_id for obj in objs}).exists():
            stats.changed()
        return objs

    def update(self, **kwargs):
        count = super().update(**kwargs)
        if count:
            stats.changed()
        return count


class ArticleActor(models.Model):
    """An actor an article is about. PROTECT: a tagged actor cannot be deleted."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="actor_links")
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="article_links")

    objects = OwnerKeyManager.from_queryset(TagLinkQuerySet)("article", "actor")

    class Meta:
        ordering = ["article", "actor"]
        verbose_name = "actor tag"
        constraints = [
            models.UniqueConstraint(fields=["article", "actor"], name="article_actor_unique"),
        ]
        indexes = [
            # Actor pages and the actor filter: articles WHERE actor_id = ?.
            models.Index(fields=["actor", "article"], name="article_actor_by_actor_idx"),
        ]

    def __str__(self):
        return f"{self.article} — {self.actor}"

    def natural_key(self):
        return (*self.article.natural_key(), *self.actor.natural_key())

    natural_key.dependencies = ["archive.article", "archive.actor"]


class ArticleTerritory(models.Model):
    """A territory an article is about. PROTECT: a tagged territory cannot be deleted."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="territory_links")
    territory = models.ForeignKey(Territory, on_delete=models.PROTECT, related_name="article_links")

    objects = OwnerKeyManager.from_queryset(TagLinkQuerySet)("article", "territory")

    class Meta:
        ordering = ["article", "territory"]
        verbose_name = "territory tag"
        verbose_name_plural = "territory tags"
        constraints = [
            models.UniqueConstraint(fields=["article", "territory"], name="article_territory_unique"),
        ]
        indexes = [
            # Territory pages and the territory filter: articles WHERE territory_id = ?.
            models.Index(fields=["territory", "article"], name="article_territory_by_terr_idx"),
        ]

    def __str__(self):
        return f"{self.article} — {self.territory.name}"

    def natural_key(self):
        return (*self.article.natural_key(), *self.territory.natural_key())

    natural_key.dependencies = ["archive.article", "archive.territory"]


class ArticleRevision(models.Model):
    """One change to an article, its tags included: who, when, how and what (old → new).

    Written only by archive.history.record(), which every write path calls: the admin
    form and its suggested-tag buttons, the bulk actions, and imports.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    # Null for an import run from the command line. `who` keeps the name as it was, so the
    # history still says who after the user is deleted, and survives export_archive.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    who = models.CharField(max_length=150, help_text='The user name, or "import".')
    via = models.CharField(max_length=300, help_text="How: the admin form, a bulk action, an import of a file.")
    created_at = models.DateTimeField(default=timezone.now)
    changes = models.JSONField(
        default=dict,
        help_text='{"fields": {name: [old, new]}, "actors"/"territories": {"added": [...], "removed": [...]}}.',
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The history on an article's change page: WHERE article_id = ? ORDER BY created_at DESC.
            models.Index(fields=["article", "-created_at"], name="article_revision_article_idx"),
        ]

    def __str__(self):
        return f"{self.article} changed {self.created_at:%Y-%m-%d %H:%M} via {self.via}"

    def get_absolute_url(self):
        return reverse("admin:archive_article_change", args=[self.article_id])


# --- Search index ------------------------------------------------------------------------


class SearchDocument(models.Model):
    """An article's text as both search engines index it: normalised, stemmed terms.

    Written only by `archive.search.index` (from every write path: saves, bulk writes,
    loaddata). On SQLite the external-content FTS5 table `archive_article_fts` reads these
    columns, kept in step by triggers; on PostgreSQL a trigger turns them into the
    weighted `vector` (title A, lead B, body C, byline D) with a GIN index.
    """

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    title = models.TextField(blank=True)
    lead = models.TextField(blank=True)
    body = models.TextField(blank=True)
    byline = models.TextField(blank=True)
    # The article's period tokens (archive.search.plan.period_tokens). Nullable so that
    # adding it to a large archive is a quick ALTER TABLE instead of a table copy.
    period = models.TextField(null=True, blank=True)
    vector = SearchVectorField(null=True, editable=False)

    def __str__(self):
        return f"Search terms of {self.article_id}"


class ArticleFTS(models.Model):
    """The SQLite FTS5 table over SearchDocument, for joins and MATCH (read-only).

    `document` is FTS5's hidden column named after the table: `MATCH` against it searches
    every column, and ranking functions take it as their first argument.
    """

    article = models.OneToOneField(
        Article, on_delete=models.DO_NOTHING, primary_key=True, db_column="rowid", related_name="fts"
    )
    document = FTS5Document(db_column="archive_article_fts")

    class Meta:
        managed = False
        db_table = "archive_article_fts"


# --- Suggested tags ----------------------------------------------------------------------


class TagSuggestion(models.Model):
    """An actor or territory an article's text names, proposed to an editor as a tag.

    Made by archive.ingest.tagging; accepting tags the article, rejecting is remembered so
    the next scan does not propose it again.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="suggestions")
    # A suggestion is derived data: it goes with the actor or territory it names.
    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, null=True, blank=True, related_name="suggestions")
    territory = models.ForeignKey(
        Territory, on_delete=models.CASCADE, null=True, blank=True, related_name="suggestions"
    )
    names = models.JSONField(default=list, help_text='The names found and how often: [{"name", "count"}].')
    count = models.PositiveIntegerField(default=0, help_text="Mentions in all.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["article", "-count", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(actor__isnull=False, territory__isnull=True)
                | Q(actor__isnull=True, territory__isnull=False),
                name="tag_suggestion_one_target",
            ),
            models.UniqueConstraint(
                fields=["article", "actor"], condition=Q(actor__isnull=False), name="tag_suggestion_actor_unique"
            ),
            models.UniqueConstraint(
                fields=["article", "territory"],
                condition=Q(territory__isnull=False),
                name="tag_suggestion_territory_unique",
            ),
        ]
        indexes = [
            # The editors' queue: pending suggestions of an article, and of many at once.
            models.Index(fields=["status", "article"], name="tag_suggestion_status_idx"),
        ]

    def __str__(self):
        return f"{self.target} for {self.article}"

    @property
    def kind(self):
        return "actor" if self.actor_id else "territory"

    def get_kind_display(self):
        return "Actor" if self.actor_id else "Territory"

    @property
    def target_id(self):
        return self.actor_id or self.territory_id

    @property
    def target(self):
        return self.actor if self.actor_id else self.territory

    @property
    def names_display(self):
        return ", ".join(f"{n['name']} ×{n['count']}" if n["count"] > 1 else n["name"] for n in self.names)

    def accept(self):
        """Tag the article with the suggestion (idempotent)."""
        if self.actor_id:
            ArticleActor.objects.get_or_create(article_id=self.article_id, actor_id=self.actor_id)
        else:
            ArticleTerritory.objects.get_or_create(article_id=self.article_id, territory_id=self.territory_id)
        self.status = self.Status.ACCEPTED
        self.save(update_fields=["status", "updated_at"])

    def reject(self):
        self.status = self.Status.REJECTED
        self.save(update_fields=["status", "updated_at"])
