"""The editors' admin: articles with their tags, and the sources, actors and territories
they are tagged with.

Editors are the "Editors" group (migration 0002): they add and change everything here,
remove names and tags, and never delete an article, a source, an actor or a territory.
Articles are withdrawn, not deleted; reference rows are PROTECTed anyway.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.admin.utils import lookup_spawns_duplicates
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, models, router, transaction
from django.db.models import Exists, Prefetch, prefetch_related_objects
from django.http import HttpResponseRedirect
from django.template.defaultfilters import pluralize
from django.utils.text import capfirst
from django.db.models import Count, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from archive import history, stats
from archive.ingest.dates import EARLIEST_YEAR, latest_date
from archive.ingest.importer import Importer
from archive.ingest.tagging import NameTable, suggest_tags
from archive.models import (
    Actor,
    ActorName,
    Article,
    ArticleActor,
    ArticleRevision,
    ArticleTerritory,
    Source,
    TagSuggestion,
    Territory,
    TerritoryName,
)
from archive.search.aliases import expand
from archive.search.query import QueryTooComplex, parse


# Django 6 assumes https for a URL typed without a scheme; so do we, and 5.2 stops warning.
_URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


def _articles(n: int) -> str:
    return f"{n} article" if n == 1 else f"{n} articles"


def _link_count(link_model):
    """COUNT of an article's tag rows as a correlated subquery.

    Two Count() joins (actors and territories) would multiply each other's rows and GROUP
    BY every article column; a subquery per column keeps the page one plain query.
    """
    links = (
        link_model.objects.filter(article=OuterRef("pk"))
        .order_by()
        .values("article")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(links), Value(0))


def _published_articles_link(obj, filter_param: str):
    """The published-article count, linked to the article changelist filtered the same way."""
    url = reverse("admin:archive_article_changelist")
    return format_html(
        '<a href="{}?{}={}&amp;status__exact=published">{}</a>', url, filter_param, obj.pk, obj.article_count
    )


class _KnownIds:
    """An autocomplete widget that shows only the values that can be ids.

    Redrawing a form, Django's looks up every value it was given as an id: `?source=abc`
    on the add page, or a tampered form, was a server error instead of the form's own
    "Select a valid choice"."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [v for v in value if _is_id(str(v))], attr)


class _AutocompleteSelect(_KnownIds, AutocompleteSelect):
    pass


class _AutocompleteSelectMultiple(_KnownIds, AutocompleteSelectMultiple):
    pass


class _KnownIdsMixin:
    """The admin's own autocomplete widgets (autocomplete_fields), as _KnownIds."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and type(field.widget) is AutocompleteSelect:
            # The same widget, state and all, with _KnownIds's redraw.
            field.widget.__class__ = _AutocompleteSelect
        return field


# The most rows a bulk action takes at once: its rows, their history and their log
# entries are read and written in one request. Withdrawing 10,000 articles took 6 s at a
# million articles on SQLite; 50,000 took 34 s, past the server's 30 s timeout (gunicorn.conf.py).
BULK_ACTION_LIMIT = 10_000


class _GuardedMixin(_KnownIdsMixin):
    """What an editor's address or a tampered form may hold that the database cannot take
    is answered as Django answers a filter it refuses, never with a server error.

    The changelist takes any lookup on a model's own fields from its address, and only
    building the filter is checked: `?title__regex=(`, `?created_at__year=99999` or a
    latitude past any number failed when the list was read. And a bulk action's selection
    goes to the database as given, and "select all" of a large list is more than one
    request can take (BULK_ACTION_LIMIT).
    """

    def get_changelist_instance(self, request):
        # In a savepoint: PostgreSQL refuses any further query in a transaction a failed
        # one is part of, and the list is then read again without the filter.
        try:
            with transaction.atomic(using=router.db_for_read(self.model)):
                return super().get_changelist_instance(request)
        except (DatabaseError, ValueError, OverflowError) as error:
            raise IncorrectLookupParameters(error) from error

    def response_action(self, request, queryset):
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(_is_id(value) for value in selected):
            self.message_user(request, "Something selected is not a row of this list; select again.", messages.WARNING)
            return None
        if request.POST.get("select_across") == "1":
            # "Select all" of a list: every row the filters leave, read into one request.
            count = queryset.count()
            if count > BULK_ACTION_LIMIT:
                self.message_user(
                    request,
                    f"An action takes at most {BULK_ACTION_LIMIT:,} rows at a time, and all {count:,} were "
                    "selected: filter the list to fewer first.",
                    messages.WARNING,
                )
                return None
        return super().response_action(request, queryset)


def _is_id(value: str) -> bool:
    """A row id as the database can take it: digits (ASCII ones), below 2**63."""
    return len(value) < 20 and value.isascii() and value.isdigit() and int(value) < 2**63


class _CoverageMixin:
    """A published-article count column, linked to the article list filtered the same way.

    `articles_filter` is the article changelist's filter parameter for this model.

    The counts are the public pages' cached ones (archive.stats), and so not sortable:
    counting them in the changelist's query grouped every link of every article, on each
    page and on each keystroke of the article form's autocomplete, which uses this
    queryset too (5.6 s for the actors on PostgreSQL and 34 s on SQLite at a million
    articles). The public indexes list them by coverage.
    """

    articles_filter = ""

    def get_queryset(self, request):
        return super().get_queryset(request).with_cached_counts()

    @admin.display(description="published articles")
    def published_articles(self, obj):
        return _published_articles_link(obj, self.articles_filter)


# How many of each kind of reference a delete confirmation names; the rest it counts.
REFERENCES_NAMED = 10
# The rows that tag an article: a delete confirmation names their articles.
_ARTICLE_TAGS = (ArticleActor, ArticleTerritory)


class _ProtectedDeleteMixin:
    """The delete confirmation of a source, an actor or a territory, from counts.

    Django's collects every row that refers to the one deleted and writes each out, with
    a query or two apiece (an article tag's name is its article's and its tag's): 28
    queries for an actor on five articles, and 10.5 s to collect a source's 64,000
    articles at a million, before a page of 64,000 lines was written (now 16–24 ms).
    Whatever refers to these rows protects them (PROTECT): the page then says what does,
    with how many of each and the first few, and deletes nothing. A row that nothing
    protects is confirmed as Django confirms it, with what goes with it (its names, its
    claims).
    """

    def get_deleted_objects(self, objs, request):
        protected = [item for relation in self.model._meta.related_objects for item in _references(relation, objs)]
        if protected:
            return [], {}, set(), protected
        return super().get_deleted_objects(objs, request)


def _references(relation, objs):
    """[heading, [the first few, linked; "… and N more"]] of the rows that refer to `objs`
    through `relation` and protect them; [] if none do."""
    if relation.on_delete is not models.PROTECT:
        return []
    rows = relation.related_model._base_manager.filter(**{f"{relation.field.name}__in": objs})
    heading = f"{capfirst(relation.related_model._meta.verbose_name_plural)} ({relation.field.verbose_name})"
    count = rows.count()  # as many tags as articles: an article carries a tag once
    if not count:
        return []
    if relation.related_model in _ARTICLE_TAGS:
        # An article's tag: named by its article.
        rows = Article._base_manager.filter(pk__in=rows.values("article"))
        heading = "Articles tagged with it"
    # A claim's name is its territory's and its claimant's: read with it.
    named = [_admin_link(row) for row in rows.select_related().order_by("pk")[:REFERENCES_NAMED]]
    if count > len(named):
        named.append(f"… and {count - len(named):,} more")
    return [f"{heading}: {count:,}", named]


def _admin_link(row):
    """The row's name, linked to its admin page if it has one (a claim is edited inline)."""
    if not admin.site.is_registered(type(row)):
        return format_html("{}", row)
    url = reverse(f"admin:{row._meta.app_label}_{row._meta.model_name}_change", args=[row.pk])
    return format_html('<a href="{}">{}</a>', url, row)


class _AliasSearchMixin:
    """Search `names__name` without duplicate rows and without a join in the main query.

    Django's own answer to a multi-valued search field is an EXISTS wrapper in the
    changelist but DISTINCT over every column in the autocomplete view. Filtering on the
    ids of the matches suits both: each actor or territory once, and no DISTINCT.
    """

    def get_search_results(self, request, queryset, search_term):
        if not search_term:
            return queryset, False
        matches, _ = super().get_search_results(request, self.model._default_manager.all(), search_term)
        return queryset.filter(pk__in=matches.values("pk")), False


# --- Sources -----------------------------------------------------------------------------


@admin.register(Source)
class SourceAdmin(_GuardedMixin, _CoverageMixin, _ProtectedDeleteMixin, admin.ModelAdmin):
    articles_filter = "source__id__exact"
    list_display = ["name", "kind", "country", "parent", "published_articles"]
    list_filter = ["kind"]
    list_select_related = ["country", "parent"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent", "country"]
    formfield_overrides = _URL_FIELDS
    ordering = ["name"]
    list_per_page = 100


# --- Actors ------------------------------------------------------------------------------


class ActorNameInline(_KnownIdsMixin, admin.TabularInline):
    model = ActorName
    extra = 1


@admin.register(Actor)
class ActorAdmin(_GuardedMixin, _CoverageMixin, _ProtectedDeleteMixin, _AliasSearchMixin, admin.ModelAdmin):
    articles_filter = "actors__id__exact"
    list_display = ["name", "kind", "role", "state", "published_articles"]
    list_filter = ["kind"]
    list_select_related = ["state"]
    # names__name: the article form's autocomplete finds "Путин" as well as "Vladimir Putin".
    search_fields = ["name", "names__name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["state"]
    inlines = [ActorNameInline]
    ordering = ["name"]
    list_per_page = 100


# --- Territories -------------------------------------------------------------------------


def _through_field(model, name, queryset, help_text):
    """An autocomplete multi-select for a many-to-many with its own through model.

    The admin builds no form field for such a relation, so the forms declare one; then
    ModelForm.save_m2m() writes it with .set(), which adds and removes the link rows
    (Claim, ArticleActor, ArticleTerritory: they have no fields of their own).
    """
    return forms.ModelMultipleChoiceField(
        queryset=queryset,
        required=False,
        widget=_AutocompleteSelectMultiple(model._meta.get_field(name), admin.site),
        help_text=help_text,
    )


class TerritoryForm(forms.ModelForm):
    claimants = _through_field(Territory, "claimants", Actor.objects.all(), "States that claim it.")

    class Meta:
        model = Territory
        fields = "__all__"


class TerritoryNameInline(_KnownIdsMixin, admin.TabularInline):
    model = TerritoryName
    autocomplete_fields = ["used_by"]
    extra = 1


# The article list's source, actor and territory filters list every one of them up to
# this many, and past it this many of the most covered, and the ones chosen.
LIST_FILTER_CHOICES = 30


class _CoveredListFilter(admin.RelatedFieldListFilter):
    """A source, actor or territory filter, labelled as everywhere else, in name order:
    every one of them while they are few, else the LIST_FILTER_CHOICES most covered (the
    cached counts of archive.stats) and the ones chosen.

    The stock filter lists all of them, always: at a million articles, 3,000 actors, 600
    territories and 300 sources, a third of a second to render on every page and too
    many to read. Any other is a click away in its own changelist, whose count links to
    this list filtered by it.
    """

    def field_choices(self, field, request, model_admin):
        entities = field.related_model._default_manager.all()
        if hasattr(entities, "with_names"):  # a territory's label reads its names
            entities = entities.with_names()
        offered = list(entities[: LIST_FILTER_CHOICES + 1])
        if len(offered) > LIST_FILTER_CHOICES:
            offered = entities.top_covered(LIST_FILTER_CHOICES)
            chosen = {_tag_id(value) for value in self.lookup_val or ()} - {None}
            missing = chosen - {entity.pk for entity in offered}
            if missing:
                offered += list(entities.filter(pk__in=missing))
        choices = [(entity.pk, getattr(entity, "label", entity.name)) for entity in offered]
        return sorted(choices, key=lambda choice: choice[1].casefold())

    def queryset(self, request, queryset):
        """A tag found in many articles as EXISTS, a rarer one as Django's join.

        The list is in date order: as EXISTS, the date index is walked and each article
        checked until the page is full, which costs less for a common tag
        (stats.read_in_date_order). PostgreSQL weighs both plans itself.
        """
        tag = self.one_tag()
        if tag is None or not self.field.many_to_many:
            return super().queryset(request, queryset)
        if not stats.read_in_date_order(self.field.related_model, tag):
            return super().queryset(request, queryset)
        through = self.field.remote_field.through
        links = through._default_manager.filter(**{self.field.m2m_field_name(): OuterRef("pk")})
        return queryset.filter(Exists(links.filter(**{self.field.m2m_reverse_field_name(): tag})))

    def one_tag(self) -> int | None:
        """The id chosen, when the filter is used for one and for nothing else."""
        values = self.used_parameters.get(self.lookup_kwarg)
        if list(self.used_parameters) != [self.lookup_kwarg] or len(values) != 1:
            return None
        return _tag_id(values[0])


def _tag_id(value: str) -> int | None:
    """An id as the list's own filter takes it; the filter refuses anything else itself."""
    return int(value) if value.isdecimal() and len(value) <= 18 else None


class _ArticleChangeList(ChangeList):
    def get_filters(self, request):
        """Django's, but an article filtered by one tag needs no DISTINCT.

        Django removes the duplicates a filter across a many-to-many may make with
        DISTINCT over every column, the articles' text included: the most covered
        actor's articles took 7 s on PostgreSQL and 20 s on SQLite at a million, counted,
        paged and dated. A tag filter's own choices, one tag's id or no tag at all, match
        each article once, since an article carries a tag once (the links are unique).
        """
        # (A chosen date past 9999-12-31, or a 30-digit year, which Django's date hierarchy
        # bounds by the next one, is answered by _GuardedMixin, as any refused lookup.)
        specs, has_filters, remaining, may_have_duplicates, active = super().get_filters(request)
        if may_have_duplicates:
            may_have_duplicates = any(lookup_spawns_duplicates(self.lookup_opts, key) for key in remaining) or any(
                spec.used_parameters and not _matches_each_article_once(spec, self.lookup_opts) for spec in specs
            )
        return specs, has_filters, remaining, may_have_duplicates, active


def _matches_each_article_once(spec, opts) -> bool:
    """Does this filter, as used, match each article at most once?"""
    field_path = getattr(spec, "field_path", None)
    if field_path is None:
        return False
    if not lookup_spawns_duplicates(opts, field_path):
        return True
    if isinstance(spec, _CoveredListFilter):
        return spec.one_tag() is not None or spec.used_parameters == {spec.lookup_kwarg_isnull: [True]}
    return False


@admin.register(Territory)
class TerritoryAdmin(_GuardedMixin, _CoverageMixin, _ProtectedDeleteMixin, _AliasSearchMixin, admin.ModelAdmin):
    articles_filter = "territories__id__exact"
    form = TerritoryForm
    list_display = ["label", "kind", "part_of", "administered_by", "published_articles"]
    list_filter = ["kind"]
    list_select_related = ["part_of", "administered_by"]
    search_fields = ["name", "names__name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["part_of", "administered_by"]
    inlines = [TerritoryNameInline]
    ordering = ["name"]
    list_per_page = 100

    def get_queryset(self, request):
        # Labels read names, the part_of column's label too; autocomplete results use this
        # queryset as well, so prefetching here keeps both at a fixed number of queries.
        return super().get_queryset(request).prefetch_related("names", "part_of__names")

    @admin.display(description="name", ordering="name")
    def label(self, obj):
        return obj.label


# --- Articles ----------------------------------------------------------------------------


class ArticleForm(forms.ModelForm):
    actors = _through_field(Article, "actors", Actor.objects.all(), "Type any of an actor's names.")
    territories = _through_field(
        Article, "territories", Territory.objects.with_names(), "Type any of a territory's names."
    )
    # The version the editor loaded. Saving claims the next one (Article.claim_version);
    # if someone saved in between, the form says who and when instead of saving over it.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Article
        # The admin's form factory adds the other fields, from the fieldsets, each through
        # formfield_for_dbfield (admin widgets, the URL scheme); "__all__" here would build
        # them once more at import, bypassing both.
        fields = ["actors", "territories"]
        # Article.version is not editable; the declared field above only carries it.
        exclude = ["version"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["version"] = self.instance.version

    def clean_published_on(self):
        day = self.cleaned_data.get("published_on")
        # Checked when changed: an article imported before these checks stays editable.
        if day is None or "published_on" not in self.changed_data:
            return day
        if day.year < EARLIEST_YEAR:
            raise forms.ValidationError(f"Give a date from {EARLIEST_YEAR} on: the archive holds nothing older.")
        if day > latest_date():
            raise forms.ValidationError("This date is still to come: give the day the article was published.")
        return day

    def full_clean(self):
        super().full_clean()
        # Claimed last, once nothing else can stop the save: the admin saves in the same
        # transaction right after validation, so the claim's row lock covers the save.
        if self.is_bound and not self._errors and self.instance.pk is not None:
            loaded = self.cleaned_data.get("version")
            if loaded is None:
                self.add_error(None, self._reload("This form did not say which version of the article it edits."))
            elif not self.instance.claim_version(loaded):
                self.add_error(None, self._conflict())

    def _reload(self, message):
        return forms.ValidationError(
            format_html(
                '{} <a href="{}">Reload the article</a> and make your changes again.',
                message,
                reverse("admin:archive_article_change", args=[self.instance.pk]),
            ),
            code="no_version",
        )

    def _conflict(self):
        article = self.instance
        latest = ArticleRevision.objects.filter(article=article.pk).first()
        current = Article.objects.filter(pk=article.pk).values_list("updated_at", flat=True).first()
        who = latest.who if latest else "someone"
        when = timezone.localtime(latest.created_at if latest else current or timezone.now())
        return forms.ValidationError(
            format_html(
                "{} changed this article at {} after you opened it, so your changes were not saved "
                'and theirs are kept. <a href="{}">Reload the article</a> to see it as it is now, '
                "then make your changes again.",
                who,
                date_format(when, "DATETIME_FORMAT"),
                reverse("admin:archive_article_change", args=[article.pk]),
            ),
            code="conflict",
        )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".txt,.text,.html,.htm,.xhtml"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


class ImportForm(forms.Form):
    files = MultipleFileField(help_text="Text or HTML pages, up to 5 MB each. Each becomes a draft.")
    source = forms.ModelChoiceField(
        queryset=Source.objects.all(),
        required=False,
        help_text="Give every imported article this source; leave empty to take it from each file.",
    )
    update = forms.BooleanField(
        required=False,
        label="Refresh duplicates",
        help_text="Update articles already in the archive instead of skipping them.",
    )


class _ActorTagForm(forms.Form):
    tag = forms.ModelChoiceField(
        queryset=Actor.objects.all(),
        label="Actor",
        widget=_AutocompleteSelect(Article._meta.get_field("actors"), admin.site),
    )


class _TerritoryTagForm(forms.Form):
    tag = forms.ModelChoiceField(
        queryset=Territory.objects.with_names(),
        label="Territory",
        widget=_AutocompleteSelect(Article._meta.get_field("territories"), admin.site),
    )


# The intermediate page of the "add an actor/territory" actions, modelled on Django's
# delete_selected_confirmation.html. It lives here because it belongs to these two actions
# alone; it posts back to the changelist with the same selection, the action and "apply".
@admin.register(Article)
class ArticleAdmin(_GuardedMixin, admin.ModelAdmin):
    form = ArticleForm
    list_display = ["title", "source", "date", "status", "actor_count", "territory_count"]
    list_filter = [
        "status",
        ("source", _CoveredListFilter),
        ("actors", _CoveredListFilter),
        ("territories", _CoveredListFilter),
        "published_on",
        "date_precision",
    ]
    list_select_related = ["source"]
    date_hierarchy = "published_on"
    search_fields = ["title", "lead", "body", "byline"]
    autocomplete_fields = ["source"]
    formfield_overrides = _URL_FIELDS
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["created_at", "updated_at", "content_hash", "suggested_tags", "revision_history"]
    actions = ["publish", "withdraw", "add_actor", "add_territory", "accept_suggestions", "scan_for_tags"]
    change_list_template = "admin/archive/article/change_list.html"
    ordering = [F("published_on").desc(nulls_last=True), "-id"]
    list_per_page = 50
    # A filtered list says how many match, and not also how many there are in all: that
    # second count read the whole archive on every page (90 ms on PostgreSQL at a million).
    show_full_result_count = False

    fieldsets = [
        (None, {"fields": ["title", "slug", "lead", "body", "byline", "dateline", "version"]}),
        (
            "Metadata",
            {
                "fields": [
                    "source",
                    ("published_on", "date_precision"),
                    "canonical_url",
                    "print_page",
                    "language",
                ]
            },
        ),
        # The tags fieldset is inserted by get_fieldsets(), see there.
        ("Status", {"fields": ["status"]}),
        ("Editors' note", {"fields": ["editors_note"]}),
        ("Record", {"classes": ["collapse"], "fields": ["created_at", "updated_at", "content_hash"]}),
    ]
    # Not in `fieldsets`: system check admin.E013 refuses a many-to-many with a custom
    # through model there, because the admin cannot build its form field. ArticleForm
    # declares both fields itself, so they are safe to show; the rest of `fieldsets` keeps
    # its checks.
    tag_fieldset = ("Tags", {"fields": ["actors", "territories", "suggested_tags"]})
    history_fieldset = ("History", {"fields": ["revision_history"]})

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        fieldsets.insert(2, self.tag_fieldset)
        if obj is not None:
            fieldsets.append(self.history_fieldset)
        return fieldsets

    # --- History -------------------------------------------------------------------------

    @admin.display(description="changes")
    def revision_history(self, obj):
        """Every recorded change, newest first: when, who, how, and what (old → new)."""
        revisions = list(obj.revisions.all()) if obj is not None and obj.pk else []
        if not revisions:
            return "No changes recorded yet."
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    date_format(timezone.localtime(r.created_at), "DATETIME_FORMAT"),
                    r.who,
                    r.via,
                    format_html_join(mark_safe("<br>"), "{}", ((line,) for line in history.describe(r.changes))),
                )
                for r in revisions
            ),
        )
        return format_html(
            '<table class="article-history"><thead><tr><th>When</th><th>Who</th><th>How</th>'
            "<th>What changed</th></tr></thead><tbody>{}</tbody></table>",
            rows,
        )

    def save_model(self, request, obj, form, change):
        # The article as it was, read under the row lock the form's version claim took.
        form.history_before = history.snapshots([obj.pk]) if change else {}
        super().save_model(request, obj, form, change)
        if not change:
            form.history_before = {obj.pk: None}

    # --- Suggested tags ------------------------------------------------------------------

    @admin.display(description="suggested tags")
    def suggested_tags(self, obj):
        """Pending suggestions, each with one-click Accept and Reject.

        The buttons submit the change form itself (name="_suggestion"), so an editor's
        unsaved edits are saved with the decision, not lost; save_related() applies it.
        """
        if obj is None or obj.pk is None:
            return "Suggestions appear once the article is saved."
        pending = [s for s in obj.suggestions.all() if s.status == TagSuggestion.Status.PENDING]
        rows = format_html_join(
            "",
            '<li><strong>{}</strong> <span class="help">{} · {}</span> '
            '<button type="submit" name="_suggestion" value="accept:{}" class="button">Accept</button> '
            '<button type="submit" name="_suggestion" value="reject:{}" class="button">Reject</button></li>',
            (
                (s.target, s.get_kind_display(), s.names_display, s.pk, s.pk)
                for s in sorted(pending, key=lambda s: -s.count)
            ),
        )
        rejected = sum(1 for s in obj.suggestions.all() if s.status == TagSuggestion.Status.REJECTED)
        return format_html(
            '<ul class="suggested-tags">{}</ul><p>{} '
            '<button type="submit" name="_suggestion" value="accept:all" class="button"{}>Accept all</button> '
            '<button type="submit" name="_suggestion" value="scan" class="button">Scan the text again</button></p>',
            rows or format_html("<li>{}</li>", "No pending suggestions."),
            f"{rejected} rejected earlier." if rejected else "",
            "" if pending else " disabled",
        )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(actor_count=_link_count(ArticleActor), territory_count=_link_count(ArticleTerritory))
        )

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            obj._prefetched_objects_cache = {}
            suggestions = TagSuggestion.objects.select_related("actor", "territory")
            prefetch_related_objects([obj], Prefetch("suggestions", suggestions))
        return obj

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        decision = request.POST.get("_suggestion", "")
        via = "admin form"
        if decision:
            via = self._decide(request, form.instance, decision) or via
        # The form claimed the article's next version already: no second bump.
        history.record(getattr(form, "history_before", {}), user=request.user, via=via, bump=False)

    def _decide(self, request, article, decision):
        verb, _, target = decision.partition(":")
        pending = article.suggestions.filter(status=TagSuggestion.Status.PENDING).select_related("actor", "territory")
        if verb == "scan":
            count = suggest_tags(article)
            self.message_user(request, f"Scanned the text again: {count} pending suggestion{pluralize(count)}.")
        elif verb == "accept" and target == "all":
            accepted = list(pending)
            for suggestion in accepted:
                suggestion.accept()
            self.message_user(request, f"Accepted {len(accepted)} suggested tag{pluralize(len(accepted))}.")
            return "admin form: accept all suggested tags"
        elif verb in ("accept", "reject") and _is_id(target):
            suggestion = pending.filter(pk=int(target)).first()
            if suggestion is None:
                self.message_user(request, "That suggestion was already decided.", messages.WARNING)
                return None
            getattr(suggestion, verb)()
            self.message_user(request, f"{'Tagged with' if verb == 'accept' else 'Rejected'} “{suggestion.target}”.")
            if verb == "accept":
                return "admin form: accept suggested tag"
        return None

    def response_change(self, request, obj):
        if "_suggestion" in request.POST:
            # Back to the same page, where the tag now shows among the article's tags.
            return HttpResponseRedirect(request.get_full_path())
        return super().response_change(request, obj)

    @admin.action(description="Accept all suggested tags of the selected articles", permissions=["change"])
    def accept_suggestions(self, request, queryset):
        pending = TagSuggestion.objects.filter(article__in=queryset, status=TagSuggestion.Status.PENDING)
        count = 0
        articles = set(pending.values_list("article", flat=True))
        with history.recording(articles, user=request.user, via="bulk action: accept suggested tags"):
            for suggestion in pending.select_related("actor", "territory"):
                suggestion.accept()
                count += 1
        self.message_user(request, f"Accepted {count} suggested tag{pluralize(count)}.")

    @admin.action(description="Scan the selected articles for tags to suggest", permissions=["change"])
    def scan_for_tags(self, request, queryset):
        table = NameTable()
        pending = sum(suggest_tags(article, table) for article in queryset.select_related(None))
        scanned = _articles(queryset.count())
        self.message_user(request, f"Scanned {scanned}: {pending} pending suggestion{pluralize(pending)}.")

    # --- Import --------------------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="archive_article_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Upload text or HTML files; each becomes a draft exactly as import_articles would."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        results = None
        if request.method == "POST" and form.is_valid():
            importer = Importer(
                source=form.cleaned_data["source"],
                update=form.cleaned_data["update"],
                user=request.user,
                via="admin upload",
            )
            results = [importer.import_bytes(upload.read(), upload.name) for upload in form.cleaned_data["files"]]
            for result in results:
                if result.article is not None and result.status in ("imported", "updated"):
                    flag = ADDITION if result.status == "imported" else CHANGE
                    LogEntry.objects.log_actions(
                        request.user.pk, [result.article], flag, change_message=f"Imported from {result.name}."
                    )
        context = {
            **self.admin_site.each_context(request),
            "title": "Import articles",
            "opts": self.opts,
            "form": form,
            "results": results,
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/archive/article/import.html", context)

    def get_changelist(self, request, **kwargs):
        return _ArticleChangeList

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        if changelist.query:
            # No date hierarchy over a search: it asks for the first and the last date of
            # the list, which for a common word means reading every match (2.5 s at a
            # million articles). The date filter in the sidebar narrows a search instead.
            changelist.date_hierarchy = None
        return changelist

    def get_search_results(self, request, queryset, search_term):
        """The public search, drafts included: same query language, names and stems."""
        if not search_term.strip():
            return queryset, False
        try:
            query = parse(search_term)
        except QueryTooComplex as error:
            self.message_user(request, str(error), messages.ERROR)
            return queryset.none(), False
        return queryset.search(expand(query)), False

    def get_readonly_fields(self, request, obj=None):
        # The slug is part of the article's address: set once, from the title, then kept.
        if obj is not None:
            return [*self.readonly_fields, "slug"]
        return self.readonly_fields

    def get_prepopulated_fields(self, request, obj=None):
        return self.prepopulated_fields if obj is None else {}

    @admin.display(description="date", ordering="published_on")
    def date(self, obj):
        return obj.date_display

    @admin.display(description="actors", ordering="actor_count")
    def actor_count(self, obj):
        return obj.actor_count

    @admin.display(description="territories", ordering="territory_count")
    def territory_count(self, obj):
        return obj.territory_count

    # --- Actions -------------------------------------------------------------------------

    @admin.action(description="Publish the selected articles", permissions=["change"])
    def publish(self, request, queryset):
        self._set_status(request, queryset, Article.Status.PUBLISHED)

    @admin.action(description="Withdraw the selected articles", permissions=["change"])
    def withdraw(self, request, queryset):
        self._set_status(request, queryset, Article.Status.WITHDRAWN)

    @admin.action(description="Add an actor to the selected articles", permissions=["change"])
    def add_actor(self, request, queryset):
        return self._tag_selected(request, queryset, "add_actor", _ActorTagForm, ArticleActor, "actor")

    @admin.action(description="Add a territory to the selected articles", permissions=["change"])
    def add_territory(self, request, queryset):
        return self._tag_selected(request, queryset, "add_territory", _TerritoryTagForm, ArticleTerritory, "territory")

    def _set_status(self, request, queryset, status):
        selected = list(queryset.select_related(None).only("pk", "title", "status"))
        changing = [article for article in selected if article.status != status]
        # update() skips save(): the content hash does not depend on the status, and
        # updated_at is set here because auto_now only fires on save().
        action = "publish" if status == Article.Status.PUBLISHED else "withdraw"
        with history.recording([a.pk for a in changing], user=request.user, via=f"bulk action: {action}"):
            Article.objects.filter(pk__in=[a.pk for a in changing]).update(status=status, updated_at=timezone.now())
        LogEntry.objects.log_actions(
            request.user.pk, changing, CHANGE, change_message=[{"changed": {"fields": ["Status"]}}]
        )
        done = f"{status.label}: {_articles(len(changing))}."
        unchanged = len(selected) - len(changing)
        if unchanged:
            was = "was" if unchanged == 1 else "were"
            done += f" {_articles(unchanged).capitalize()} {was} already {status.label.lower()}."
        self.message_user(request, done, messages.SUCCESS if changing else messages.WARNING)

    def _tag_selected(self, request, queryset, action, form_class, link_model, tag_field):
        """Tag the selected articles, after a page that asks which actor or territory.

        Idempotent: articles that already have the tag are counted and left alone, and
        ignore_conflicts covers an editor tagging the same article at the same moment.
        """
        form = form_class(request.POST if "apply" in request.POST else None)
        articles = list(queryset.select_related(None).only("pk", "title"))
        if form.is_valid():
            tag = form.cleaned_data["tag"]
            selected = {article.pk for article in articles}
            already = set(
                link_model.objects.filter(article__in=selected, **{tag_field: tag}).values_list("article", flat=True)
            )
            new = [article for article in articles if article.pk not in already]
            with history.recording([a.pk for a in new], user=request.user, via=f"bulk action: {action}"):
                link_model.objects.bulk_create(
                    [link_model(article=article, **{tag_field: tag}) for article in new], ignore_conflicts=True
                )
            LogEntry.objects.log_actions(
                request.user.pk, new, CHANGE, change_message=f"Tagged with {tag_field} “{tag}”."
            )
            done = f"Tagged {_articles(len(new))} with “{tag}”."
            if already:
                done += f" {_articles(len(already)).capitalize()} already had it."
            self.message_user(request, done, messages.SUCCESS if new else messages.WARNING)
            return None

        tag_name = link_model._meta.get_field(tag_field).verbose_name
        context = {
            **self.admin_site.each_context(request),
            "title": f"Add {'an' if tag_name[0] in 'aeiou' else 'a'} {tag_name} to the selected articles",
            "opts": self.opts,
            "form": form,
            "tag_name": tag_name,
            "articles": articles,
            "count": len(articles),
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/archive/article/tag_selected.html", context)


# --- Suggested tags ----------------------------------------------------------------------


@admin.register(TagSuggestion)
class TagSuggestionAdmin(_GuardedMixin, admin.ModelAdmin):
    """The editors' queue of suggested tags across articles."""

    list_display = ["target", "kind", "article", "names_display", "count", "status"]
    list_filter = ["status", ("article__status", admin.AllValuesFieldListFilter)]
    list_select_related = ["article", "actor", "territory"]
    search_fields = ["article__title", "actor__name", "territory__name"]
    readonly_fields = ["article", "actor", "territory", "names", "count", "status", "created_at", "updated_at"]
    actions = ["accept", "reject"]
    ordering = ["status", "-count", "pk"]
    list_per_page = 100

    def has_add_permission(self, request):
        return False  # suggestions come from scanning, never typed in

    @admin.display(description="names found")
    def names_display(self, obj):
        return obj.names_display

    @admin.display(description="kind")
    def kind(self, obj):
        return obj.get_kind_display()

    @admin.action(description="Accept: tag the articles", permissions=["change"])
    def accept(self, request, queryset):
        pending = queryset.filter(status=TagSuggestion.Status.PENDING).select_related("actor", "territory")
        articles = set(pending.values_list("article", flat=True))
        with history.recording(articles, user=request.user, via="suggested tags: accept"):
            count = 0
            for suggestion in pending:
                suggestion.accept()
                count += 1
        self.message_user(request, f"Accepted {count} suggestion{pluralize(count)}.")

    @admin.action(description="Reject: do not suggest again", permissions=["change"])
    def reject(self, request, queryset):
        count = queryset.filter(status=TagSuggestion.Status.PENDING).update(status=TagSuggestion.Status.REJECTED)
        self.message_user(request, f"Rejected {count} suggestion{pluralize(count)}.")
