"""Numbers about the published archive, kept in the cache: how many articles are published,
how many of them each source, actor and territory has, and how they spread over the months
(in all, and for one source, actor or territory).

Counting them reads every published article it concerns (seconds for the whole archive at a
million articles, a good fraction of one for the most covered actor), and the home page,
the unfiltered article list, the entity indexes and the entity pages show them on every
request. So each is computed once and kept under the current *generation* of the published
set. Every write that may change what they count starts a new generation (`changed()`):
an article published, withdrawn, deleted, re-dated or moved to another source while
published, or a tag added to or taken from a published article; numbers cached under an
older generation are never read again. The hooks are the signal receivers below (connected
in archive.apps) and the bulk paths of ArticleQuerySet and TagLinkQuerySet, which send no
signals.

A write starts a new generation twice: at once, and again when its transaction commits. A
page that recounted in between read the database as it was before the commit, and stored
its numbers under a generation that nobody reads any more.

A `Scope` is a set of published articles these numbers describe exactly: its count and
chart come from them, and it lists its articles in the order the date index gives, which
a page of a popular tag otherwise does not get (see `Scope.listed`).

CACHE_SECONDS is only a safety net, for a write that bypasses every hook (raw SQL). The
cache must be shared by every process that serves pages (CACHE_URL, a Redis server; a
deployment check asks for it): with Django's default per-process memory cache, another
process would go on counting a withdrawn article until the timeout.
"""

import calendar
import datetime
import uuid
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import transaction
from django.db.models import Count, F

CACHE_SECONDS = 600
GENERATION_KEY = "archive:stats:generation"

# The article fields the numbers depend on: an update touching none of them changes none.
COUNTED_FIELDS = frozenset({"status", "source", "source_id", "published_on", "date_precision"})

# (year, month, dated only to a year?, articles); year and month are None for undated
# articles. An article dated only to a year is stored as 1 January of it.
Period = tuple[int | None, int | None, bool, int]


# --- Invalidation ------------------------------------------------------------------------


def changed(**kwargs):
    """The published set may have changed: numbers counted so far are not to be read again.

    Callable directly or as a signal receiver.
    """
    _new_generation()
    transaction.on_commit(_new_generation)


def _new_generation():
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)


def _generation() -> str:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # The key was evicted, or never set: any new value is safe, as nothing is cached
        # under it yet. add() keeps a value another process has just set.
        cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
        generation = cache.get(GENERATION_KEY)
    return generation


def cached(name: str, compute):
    """`compute()`, counted once per generation of the published set (see above): for
    numbers that count published articles only."""
    key = f"archive:stats:{_generation()}:{name}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


def _published(pk) -> bool:
    from archive.models import Article

    return Article.objects.published().filter(pk=pk).exists()


def article_will_change(sender, instance, raw=False, **kwargs):
    """pre_save of Article: note whether the save changes what the public sees counted.

    Compared with the row as stored (one query by primary key), so that editing a draft,
    or the text of a published article, leaves the cached numbers alone.
    """
    from archive.models import Article

    update_fields = kwargs.get("update_fields")
    if update_fields is not None and not COUNTED_FIELDS & set(update_fields):
        instance._changes_public_numbers = False
        return
    published = Article.Status.PUBLISHED
    stored = None
    if instance.pk is not None:
        stored = (
            Article.objects.filter(pk=instance.pk)
            .values_list("status", "source_id", "published_on", "date_precision")
            .first()
        )
    if stored is None:
        instance._changes_public_numbers = instance.status == published
        return
    status, source_id, published_on, precision = stored
    now = (instance.status, instance.source_id, instance.published_on, instance.date_precision)
    instance._changes_public_numbers = published in (status, instance.status) and now != stored


def article_saved(sender, instance, **kwargs):
    """post_save of Article: the second half of `article_will_change`."""
    if getattr(instance, "_changes_public_numbers", True):
        changed()
    instance._changes_public_numbers = False


def article_deleted(sender, instance, **kwargs):
    from archive.models import Article

    if instance.status == Article.Status.PUBLISHED:
        changed()


def tag_saved_or_deleted(sender, instance, **kwargs):
    """post_save and post_delete of ArticleActor and ArticleTerritory. Also covers
    `article.actors.remove()`, `clear()` and `set()`, which delete link rows through a
    queryset (sending post_delete, since there are receivers); `add()` writes them in bulk
    (TagLinkQuerySet)."""
    if _published(instance.article_id):
        changed()


# --- The numbers -------------------------------------------------------------------------


def published_count() -> int:
    """Published articles in the archive: the sum of `periods()`, so that a chart and a
    count on the same page always agree."""
    return sum(row[3] for row in periods())


def totals() -> dict[str, int]:
    """What the home page says the archive holds: published articles, and the sources,
    actors and territories that have any."""
    from archive.models import Actor, Source, Territory

    return {
        "articles": published_count(),
        "sources": len(article_counts(Source)),
        "actors": len(article_counts(Actor)),
        "territories": len(article_counts(Territory)),
    }


def article_counts(model) -> dict[int, int]:
    """{pk: published articles} of every source, actor or territory (`model`) that has any."""
    return cached(f"counts:{model._meta.model_name}", model.objects.published_article_counts)


def read_in_date_order(model, pk) -> bool:
    """Whether a tag's newest articles are found sooner by walking the articles in date
    order and checking each for the tag (EXISTS) than by following its links and sorting
    their articles by date, as SQLite does with a join.

    At a million articles on SQLite, following a tag's links took 0.3 ms for a tag of 300
    articles and 560 ms for one of 210,000; walking, 0.2 ms for the common tag and 60 to
    370 ms for rare ones, whose articles are far apart. Which costs less turns near the
    square root of ten times the published articles: a few thousand at a million.
    """
    return article_counts(model).get(pk, 0) ** 2 >= 10 * published_count()


def periods(entity=None) -> list[Period]:
    """Published articles by month: of the whole archive, or of one source, actor or
    territory."""
    if entity is None:
        return cached("periods", _archive_periods)
    articles = type(entity).objects.articles_of(entity)
    return cached(f"periods:{entity._meta.model_name}:{entity.pk}", lambda: _periods(articles))


def _periods(articles) -> list[Period]:
    # Grouped by the stored date rather than by year and month: SQLite extracts those in
    # Python, once per row, and there are only some thousands of distinct dates.
    from archive.models import DatePrecision

    rows = articles.order_by().values_list("published_on", "date_precision").annotate(n=Count("*"))
    return _by_month((day, precision == DatePrecision.YEAR, n) for day, precision, n in rows)


def _archive_periods() -> list[Period]:
    """`_periods` of every published article, from the date index alone: only articles
    dated to 1 January can be dated to a year only, and only theirs are read."""
    from archive.models import Article, DatePrecision

    published = Article.objects.published().order_by()
    by_day = dict(published.values_list("published_on").annotate(n=Count("*")))
    new_years = [day for day in by_day if day is not None and day.month == day.day == 1]
    year_only = dict(
        published.filter(published_on__in=new_years, date_precision=DatePrecision.YEAR)
        .values_list("published_on")
        .annotate(n=Count("*"))
    )
    rows = [(day, False, n - year_only.get(day, 0)) for day, n in by_day.items()]
    return _by_month(rows + [(day, True, n) for day, n in year_only.items()])


def _by_month(rows) -> list[Period]:
    """(day, dated to a year only, articles) rows summed by month."""
    months: dict[tuple, int] = {}
    for day, year_only, n in rows:
        key = (None, None, False) if day is None else (day.year, day.month, year_only)
        if n:
            months[key] = months.get(key, 0) + n
    return [(*key, n) for key, n in months.items()]


# --- Scopes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """A set of published articles these cached numbers describe exactly: the whole
    archive, or one source's, actor's or territory's articles; all of them, or those
    between dates on month boundaries (`start` the first day of a month, `end` the last),
    so that whole months of `periods` are in or out. archive.facets.scope_of finds the
    scope of a list's filters, when it has one."""

    entity: object = None  # a Source, Actor or Territory, or None for the whole archive
    start: datetime.date | None = None
    end: datetime.date | None = None

    @property
    def whole_archive(self) -> bool:
        return self.entity is None and self.start is None and self.end is None

    @property
    def key(self) -> str:
        """A name for it in the cache."""
        entity = "all" if self.entity is None else f"{self.entity._meta.model_name}:{self.entity.pk}"
        return f"{entity}:{self.start or ''}:{self.end or ''}"

    def periods(self) -> list[Period]:
        rows = periods(self.entity)
        if self.start is None and self.end is None:
            return rows
        # A date bound leaves undated articles out, as the database's comparison does.
        first = (self.start.year, self.start.month) if self.start else (0, 0)
        last = (self.end.year, self.end.month) if self.end else (10_000, 0)
        return [row for row in rows if row[0] is not None and first <= (row[0], row[1]) <= last]

    def count(self) -> int:
        return sum(row[3] for row in self.periods())

    def articles(self, *, semi_join=False):
        """Its published articles, unordered (see EntityQuerySet.articles_of for `semi_join`)."""
        from archive.models import Article

        if self.entity is None:
            articles = Article.objects.published()
        else:
            articles = type(self.entity).objects.articles_of(self.entity, semi_join=semi_join)
        if self.start is not None:
            articles = articles.filter(published_on__gte=self.start)
        if self.end is not None:
            articles = articles.filter(published_on__lte=self.end)
        return articles

    def listed(self, bottom: int, top: int, *, newest=True, fields=None) -> list:
        """Its articles bottom..top as the lists order them, newest (or oldest) first and
        undated last: articles for listing, or `fields` tuples.

        The dated and the undated are read apart, each in the order of the date index:
        PostgreSQL's index is `published_on DESC`, whose nulls come first, so "DESC NULLS
        LAST" would sort the whole result for every page. The cached numbers say where
        the undated begin.
        """
        from archive.models import Article

        if top <= bottom:
            return []
        dated = sum(n for year, _, _, n in self.periods() if year is not None)
        articles = self.articles(semi_join=self._walks_dates(top))
        date_order = F("published_on").desc() if newest else F("published_on").asc()
        id_order = "-id" if newest else "id"
        parts = [
            (articles.exclude(published_on=None).order_by(date_order, id_order), 0, dated),
            (articles.filter(published_on=None).order_by(id_order), dated, self.count()),
        ]
        rows = []
        for part, first, last in parts:
            start, stop = max(bottom, first), min(top, last)
            if start < stop:
                rows += part.values_list(*(fields or ("pk",)))[start - first : stop - first]
        if fields:
            return rows
        # The ids first, from the index, then only their rows: skipping to a later page
        # then passes over index entries rather than whole articles.
        by_id = Article.objects.for_listing().in_bulk([pk for (pk,) in rows])
        return [by_id[pk] for (pk,) in rows]

    def _walks_dates(self, top: int) -> bool:
        """Whether the first `top` of a tag's articles are best found by walking the date
        index (about top ÷ the tag's share of the range, in rows) rather than by reading
        all of the tag's articles and sorting them."""
        if self.entity is None:
            return False
        in_range = Scope(None, self.start, self.end).count()
        return top * in_range < self.count() * Scope(self.entity).count()

    @staticmethod
    def month_aligned(start: datetime.date | None, end: datetime.date | None) -> bool:
        return (start is None or start.day == 1) and (
            end is None or end.day == calendar.monthrange(end.year, end.month)[1]
        )

    @classmethod
    def of_articles(cls, articles) -> "Scope | None":
        """The whole archive's scope when `articles` is every published article, in any
        order (the same SQL as `published()`), else None: the list pages that pass no
        scope of their own still get the cached numbers when unfiltered."""
        from archive.models import Article

        def sql(queryset):
            try:
                return queryset.order_by().values("pk").query.sql_with_params()
            except EmptyResultSet:
                return None

        if articles.db == Article.objects.db and sql(articles) == sql(Article.objects.published()):
            return cls()
        return None


class Listing:
    """A scope's articles as a paginator pages them: archive.pagination.ArchivePaginator
    asks for a page with `page_rows`, and Django's own with a slice."""

    def __init__(self, scope: Scope, *, newest=True):
        self.scope, self.newest = scope, newest

    def count(self) -> int:
        return self.scope.count()

    def __len__(self):
        return self.count()

    def page_rows(self, bottom, top):
        return self.scope.listed(bottom, top, newest=self.newest)

    def __getitem__(self, rows: slice):
        return self.page_rows(rows.start or 0, self.count() if rows.stop is None else rows.stop)
