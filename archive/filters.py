"""The public article filters: what `/articles/` accepts in its query string.

Every parameter is validated by a form field before it reaches the database, so that bad
input becomes a form error (and an empty list), never an unfiltered list and never a 500.
"""

import calendar
import datetime
import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError

from archive.facets import list_order, scope_of
from archive.models import Actor, Article, Source, Territory
from archive.search.aliases import expand
from archive.search.plan import Result, plan
from archive.search.query import MAX_QUERY_LENGTH, QueryTooComplex, parse

# ASCII digits only: `\d` alone also takes "２０１６" or "٢٠١٦", which are not YYYY-MM-DD.
_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$", re.ASCII)
_SLUG = re.compile(r"^[-\w]{1,200}$")
# One FilterSet value list may not grow without bound: a query string with thousands of
# slugs would become thousands of joins.
MAX_VALUES_PER_PARAMETER = 10


class PartialDateField(forms.CharField):
    """A date as precise as the reader wants: `2016`, `2016-12` or `2016-12-15`.

    Cleans to the (first day, last day) the value covers, so `from` uses the start and
    `to` the end of the period.
    """

    default_error_messages = {
        "invalid": "Enter a date as YYYY, YYYY-MM or YYYY-MM-DD.",
        "out_of_range": "That date does not exist.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.update({"placeholder": "YYYY-MM-DD", "inputmode": "numeric"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        match = _PARTIAL_DATE.match(value)
        if not match:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        year, month, day = (int(part) if part else None for part in match.groups())
        try:
            if month is None:
                return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
            if day is None:
                last = calendar.monthrange(year, month)[1]
                return datetime.date(year, month, 1), datetime.date(year, month, last)
            day_date = datetime.date(year, month, day)
            return day_date, day_date
        except ValueError:
            raise ValidationError(self.error_messages["out_of_range"], code="out_of_range") from None


class PartialDateFilter(django_filters.Filter):
    field_class = PartialDateField

    def __init__(self, *args, bound: str, **kwargs):
        self.bound = bound  # "start" for `from`, "end" for `to`
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        start, end = value
        if self.bound == "start":
            return qs.filter(published_on__gte=start)
        return qs.filter(published_on__lte=end)


class Checkbox(forms.CheckboxInput):
    """A checkbox parameter that reads `0`, `off` and `no` as unticked, as a reader who
    writes them in an address means. (The stock widget takes any value but `false` for a
    tick.)"""

    def value_from_datadict(self, data, files, name):
        value = data.get(name)
        if isinstance(value, str) and value.strip().lower() in ("", "0", "off", "no", "false"):
            return False
        return super().value_from_datadict(data, files, name)


class SlugChoiceField(forms.ModelMultipleChoiceField):
    """Slugs checked for shape and number before the database sees them.

    The stock field sends whatever it is given to `slug IN (...)`, and PostgreSQL rejects
    text with a NUL byte with an error instead of no match.
    """

    default_error_messages = {
        **forms.ModelMultipleChoiceField.default_error_messages,
        "too_many": "Choose at most %(limit)s.",
    }

    def clean(self, value):
        values = value if isinstance(value, (list, tuple)) else [value] if value else []
        values = [v for v in values if v not in ("", None)]
        if len(values) > MAX_VALUES_PER_PARAMETER:
            raise ValidationError(
                self.error_messages["too_many"], code="too_many", params={"limit": MAX_VALUES_PER_PARAMETER}
            )
        for v in values:
            if not isinstance(v, str) or not _SLUG.match(v):
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": v[:50]}
                )
        return super().clean(values)


class SlugFilter(django_filters.ModelMultipleChoiceFilter):
    """A repeatable slug parameter; with several values, an article must carry all of them."""

    field_class = SlugChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault("conjoined", True)
        # Each value joins one tag row per article, so no article can repeat: DISTINCT
        # would only cost a sort.
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)

    def get_filter_predicate(self, v):
        # Filter by the chosen row itself. The stock predicate uses its `to_field_name`
        # value, and `actors="japan"` compares a slug with the actors' ids.
        return {self.field_name: v}


class SearchQueryField(forms.CharField):
    """What the reader typed in the search box, cleaned into a parsed Query.

    Blank means no search at all; anything else parses (see archive.search.query), and
    only a query too long or with too many terms is an error.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", MAX_QUERY_LENGTH)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        try:
            return parse(text)
        except QueryTooComplex as error:
            raise ValidationError(str(error), code="too_complex") from None


class SearchFilter(django_filters.Filter):
    field_class = SearchQueryField

    def filter(self, qs, value):
        return qs  # applied in ArticleFilter.filter_queryset, with `exact` and the ordering


class ReadFromTop(Exception):
    """A page deeper than an unsearched list read from its top may go: its rows would all
    be read to reach it (ArticleFilter.filter_queryset)."""


class ArticleFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and start[0] > end[1]:
            self.add_error("to", "“To” is before “From”.")
        return cleaned


class ArticleFilter(django_filters.FilterSet):
    q = SearchFilter(label="Search")
    exact = django_filters.BooleanFilter(label="This name only", widget=Checkbox, method="keep")
    source = SlugFilter(queryset=Source.objects.all(), field_name="source", conjoined=False)
    actor = SlugFilter(queryset=Actor.objects.all(), field_name="actors", method="keep")
    territory = SlugFilter(queryset=Territory.objects.with_names(), field_name="territories", method="keep")
    source_not = SlugFilter(queryset=Source.objects.all(), field_name="source", conjoined=False, exclude=True)
    actor_not = SlugFilter(queryset=Actor.objects.all(), field_name="actors", conjoined=False, exclude=True)
    territory_not = SlugFilter(
        queryset=Territory.objects.with_names(), field_name="territories", conjoined=False, exclude=True
    )
    from_ = PartialDateFilter(label="From", bound="start")
    to = PartialDateFilter(label="To", bound="end")
    sort = django_filters.ChoiceFilter(
        choices=[("relevance", "Relevance"), ("newest", "Newest first"), ("oldest", "Oldest first")],
        method="keep",
        empty_label=None,
        label="Sort",
    )

    class Meta:
        model = Article
        fields = []
        form = ArticleFilterForm

    # The query as searched (alias-expanded unless exact=1), for highlighting; None
    # when there is no search.
    search_query = None
    # How the search ran (archive.search.plan): exactly, or in a window of months.
    search_plan = None

    def __init__(self, *args, rows_wanted=None, rows_limit=None, rows_ranked=None, **kwargs):
        super().__init__(*args, **kwargs)
        # How many rows from the top the page shows (None: all, for exports); a search
        # that matches very many articles reads only as many as that needs.
        self.rows_wanted = rows_wanted
        # The rows of a list's first page: a search ranked by relevance is read for those,
        # whichever page is asked for (see filter_queryset).
        self.rows_ranked = rows_ranked
        # How many an unsearched list read from its top may be asked for (ReadFromTop).
        self.rows_limit = rows_limit

    def keep(self, qs, name, value):
        return qs  # applied in filter_queryset, after every other filter

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        query = self.form.cleaned_data.get("q")
        # The tags together: how they are best joined depends on them all (tagged_with).
        # Read from the top below (Result), rather than whole or from the cached numbers.
        from_top = query is None and self.rows_wanted is not None and scope_of(self) is None
        queryset = queryset.tagged_with(
            self.form.cleaned_data.get("actor") or (),
            self.form.cleaned_data.get("territory") or (),
            searched=query is not None,
            first_rows=from_top,
        )
        sort = list_order(self.form.cleaned_data)
        if query is None:
            if not from_top:
                # An export reads every article; a scope is paged from the cached numbers.
                return queryset.sorted_by(sort)
            # Two tags, an exclusion, a date within a month: their first rows are read
            # once, in order, as a search's are, and counted exactly when there are few;
            # counting or charting a million articles would read them all.
            if self.rows_limit is not None and self.rows_wanted > self.rows_limit:
                raise ReadFromTop
            return Result(queryset, sort, self.rows_wanted, searched=False)
        self.search_query = query if self.form.cleaned_data.get("exact") else expand(query)
        # A page's search is read once, in order (archive.search.plan.Result); an export's
        # is a queryset of every match.
        wanted = self.rows_wanted
        if sort == "relevance" and wanted is not None and self.rows_ranked is not None:
            # A search too common to rank whole ranks the matches of a window sized for
            # what it must show (archive.search.plan). By date, a deeper page's wider
            # window still begins with the pages before it; ranked, it would reorder
            # them, and pages would repeat and skip articles. So every page, the feed
            # and "last" rank the first page's window, and its matches are the pages.
            wanted = min(wanted, self.rows_ranked)
        matches, self.search_plan = plan(
            queryset, self.search_query, wanted=wanted, sort=sort, dates=self.date_bounds()
        )
        return matches if isinstance(matches, Result) else matches.sorted_by(sort, matches=True)

    def date_bounds(self):
        """The first and the last day the list is filtered to (either None)."""
        start, end = self.form.cleaned_data.get("from"), self.form.cleaned_data.get("to")
        return (start[0] if start else None, end[1] if end else None)

    def selected(self, name):
        """The values currently given for a parameter (repeatable ones included)."""
        if not self.is_bound:
            return []
        return [v for v in self.data.getlist(name) if v]


# `from` is a Python keyword: declared as from_, exposed as from.
ArticleFilter.base_filters = {
    ("from" if name == "from_" else name): f for name, f in ArticleFilter.base_filters.items()
}


class EntityIndexFilter(django_filters.FilterSet):
    """The actor, territory and source indexes: narrowed by kind (`?kind=person`)."""

    kind = django_filters.ChoiceFilter(choices=[], label="Kind", empty_label="Any kind")

    def __init__(self, data=None, queryset=None, *, kinds, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.filters["kind"].extra["choices"] = kinds


class HighlightForm(forms.Form):
    """The search carried to an article page, to highlight what matched there."""

    q = SearchQueryField()
    exact = forms.BooleanField(required=False, widget=Checkbox)
