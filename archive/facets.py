"""Facet counts beside a list of articles, and the links that refine or widen it.

Counts always come from the current result (every other filter applied), and it is the
caller's queryset that decides what is public, so drafts can never be counted here; or,
for the whole archive and for one source, actor or territory, from the cached numbers of
archive.stats, which count published articles only. A large result's sources, actors and
territories are counted in its first articles, and the page says so.
"""

from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import QueryDict

from archive import stats
from archive.models import Actor, Source, Territory
from archive.stats import Listing, Scope

FACET_SIZE = 10
# Beyond this many articles, a result's facets are counted in its first SAMPLE_SIZE (in
# the list's order): counting every tag of a large result reads the whole result.
SAMPLE_SIZE = 1000


@dataclass
class FacetItem:
    label: str
    count: int
    selected: bool
    # Where this item's link leads: the current query string with this value added, or
    # removed when it is already chosen; paging reset.
    href: str
    # Where the link that excludes this value instead leads (actor_not=...).
    exclude_href: str | None = None


@dataclass
class ActiveFilter:
    label: str
    href: str  # the current query string without this filter


@dataclass
class Facet:
    name: str
    title: str
    items: list[FacetItem]
    # What the counts were taken from when it is not the whole result, e.g. "Counted in
    # the newest 1,000 of 15,234 articles."; blank when they are exact.
    note: str = ""


def _href(current: QueryDict, **changes) -> str:
    """A link's query string: the current one with each of `changes` ({name: [values]})
    set in place or appended, and without the page; what {% querystring %} makes, but a
    page has a hundred of these links, and a QueryDict copy per link cost more than the
    facets' queries."""
    pairs = []
    for key, values in current.lists():
        if key != "page":
            pairs += [(key, value) for value in changes.pop(key, values)]
    for key, values in changes.items():
        pairs += [(key, value) for value in values]
    return "?" + urlencode(pairs)


def _entity_facet(current: QueryDict, name: str, title: str, entities, note="") -> Facet:
    chosen = [v for v in current.getlist(name) if v]
    excluded = [v for v in current.getlist(f"{name}_not") if v]
    items = []
    for entity in entities:
        selected = entity.slug in chosen
        toggled = [v for v in chosen if v != entity.slug] if selected else [*chosen, entity.slug]
        items.append(
            FacetItem(
                entity.label,
                entity.article_count,
                selected,
                _href(current, **{name: toggled}),
                exclude_href=None if selected else _href(current, **{f"{name}_not": [*excluded, entity.slug]}),
            )
        )
    return Facet(name, title, items, note)


_FILTER_LABELS = {
    "source": "Source",
    "actor": "Actor",
    "territory": "Territory",
    "source_not": "Not from",
    "actor_not": "Without actor",
    "territory_not": "Without territory",
}


def active_filters(filterset) -> list[ActiveFilter]:
    """Every filter in force, each with the link that removes it."""
    if not filterset.is_bound or not filterset.is_valid():
        return []
    current = filterset.data
    active = []
    query = current.get("q", "").strip()
    if query:
        active.append(ActiveFilter(f"Search: {query[:80]}", _href(current, q=[], exact=[])))
    for name, label in _FILTER_LABELS.items():
        chosen = filterset.form.cleaned_data.get(name) or []
        for entity in chosen:
            remaining = [v for v in current.getlist(name) if v != entity.slug]
            active.append(ActiveFilter(f"{label}: {entity.label}", _href(current, **{name: remaining})))
    for name, label in (("from", "From"), ("to", "To")):
        if current.get(name):
            active.append(ActiveFilter(f"{label}: {current[name]}", _href(current, **{name: []})))
    return active


def scope_of(filterset) -> Scope | None:
    """What the cached numbers (archive.stats) can say exactly about this result: the whole
    archive, or one source's, actor's or territory's articles, between dates on month
    boundaries or none. None for a search, an exclusion, two tags, a date within a month,
    invalid filters, or a filter added later that this does not know."""
    if not filterset.is_bound:
        return Scope()
    if not filterset.is_valid():
        return None
    data = filterset.form.cleaned_data
    if data.get("q") is not None:
        return None
    chosen = []
    for name, value in data.items():
        if name in _SCOPE_ENTITIES:
            chosen += list(value or ())
        elif name not in _ORDER_AND_DATES and value:
            return None
    start = data["from"][0] if data.get("from") else None
    end = data["to"][1] if data.get("to") else None
    if len(chosen) > 1 or not Scope.month_aligned(start, end):
        return None
    return Scope(chosen[0] if chosen else None, start, end)


def listing_of(filterset) -> Listing | None:
    """The result, when it has a scope, as a paginator's object list: its exact count
    from the cache, and its pages read the way the indexes allow (Scope.listed)."""
    scope = scope_of(filterset)
    return None if scope is None else Listing(scope, newest=_newest(filterset))


# The filters a scope can stand for; `exact` only qualifies a search.
_SCOPE_ENTITIES = {"source", "actor", "territory"}
_ORDER_AND_DATES = {"sort", "exact", "from", "to"}


def _year_facet(current: QueryDict, periods, note="") -> Facet:
    """Years, newest first, of (year, month, dated to a year only, articles) rows
    (archive.stats.Period)."""
    by_year = {}
    for year, _, _, n in periods:
        if year is not None:
            by_year[year] = by_year.get(year, 0) + n
    items = []
    for year_number in sorted(by_year, reverse=True):
        year = str(year_number)
        selected = current.get("from") == current.get("to") == year
        bounds = [] if selected else [year]
        items.append(FacetItem(year, by_year[year_number], selected, _href(current, **{"from": bounds, "to": bounds})))
    return Facet("year", "Years", items, note)


def list_order(cleaned_data) -> str:
    """The order of an article list: the one asked for, else relevance for a search and
    newest first for a list without one, which has nothing to rank by."""
    sort = cleaned_data.get("sort") or "relevance"
    if sort == "relevance" and cleaned_data.get("q") is None:
        return "newest"
    return sort


def _sort(filterset) -> str:
    """The list's order, as ArticleFilter applies it."""
    if not filterset.is_bound:
        return "newest"
    return list_order(filterset.form.cleaned_data)


def _newest(filterset) -> bool:
    return _sort(filterset) != "oldest"


def _sample_note(filterset, total, estimated=False) -> str:
    """What a sampled facet counted, in the list's own order."""
    order = {"newest": "newest", "oldest": "oldest", "relevance": "most relevant"}.get(_sort(filterset), "first")
    if total is None:
        return f"Counted in the {order} {SAMPLE_SIZE:,} articles listed."
    return f"Counted in the {order} {SAMPLE_SIZE:,} of {'about ' if estimated else ''}{total:,} articles."


def article_facets(filterset, articles, *, total=None, estimated=False) -> list[Facet]:
    """Sources, actors, territories (with their names) and years of `articles`.

    Unfiltered, from the cached counts (archive.stats). Otherwise from the result itself,
    exactly up to SAMPLE_SIZE articles; beyond, sources, actors and territories are those
    of its first SAMPLE_SIZE articles in the list's order, and each facet says so (with
    the result's size: `total` if the caller knows it, `estimated` if it is an estimate,
    the cached count for a scope). The
    years are exact for a scope (archive.facets.scope_of), sampled otherwise. Five
    queries at most, and the same number for any result size.
    """
    if filterset.is_bound and not filterset.is_valid():
        return []
    current = filterset.data if filterset.data is not None else QueryDict()
    scope = scope_of(filterset)
    if scope is not None and scope.whole_archive:
        return [
            _entity_facet(current, "source", "Sources", Source.objects.top_covered(FACET_SIZE)),
            _entity_facet(current, "actor", "Actors", Actor.objects.top_covered(FACET_SIZE)),
            _entity_facet(current, "territory", "Territories", Territory.objects.with_names().top_covered(FACET_SIZE)),
            _year_facet(current, scope.periods()),
        ]
    if scope is not None:
        return _scoped_facets(current, filterset, scope)
    # One query for the first rows, whose ids the tag facets then count in. Their sources
    # come with them: counted here, instead of looking up each article again by its id.
    rows = articles.first_rows(SAMPLE_SIZE + 1)
    note = _sample_note(filterset, total, estimated) if len(rows) > SAMPLE_SIZE else ""
    rows = rows[:SAMPLE_SIZE]
    years = _year_facet(current, [(day.year, None, None, 1) for _, day, _ in rows if day is not None], note)
    ids = [pk for pk, _, _ in rows]
    if not ids:
        return [years]
    sources = Counter(source for _, _, source in rows if source is not None)
    return [
        _entity_facet(current, "source", "Sources", Source.objects.ranked(sources, FACET_SIZE), note),
        _entity_facet(current, "actor", "Actors", Actor.objects.covering(ids)[:FACET_SIZE], note),
        _entity_facet(
            current, "territory", "Territories", Territory.objects.covering(ids).with_names()[:FACET_SIZE], note
        ),
        years,
    ]


def _scoped_facets(current, filterset, scope) -> list[Facet]:
    """The facets of a scope's result (one source, actor or territory, dates): its years
    exactly, from the cached numbers, and its sources, actors and territories counted in
    its first SAMPLE_SIZE articles, once per generation of the published set (the same
    scope and order give the same articles until then)."""
    newest = _newest(filterset)
    facets = [
        ("source", "Sources", Source.objects.all()),
        ("actor", "Actors", Actor.objects.all()),
        ("territory", "Territories", Territory.objects.with_names()),
    ]

    def counts():
        # Read the way the indexes allow (Scope.listed), as the list's own query may not.
        rows = scope.listed(0, SAMPLE_SIZE + 1, newest=newest, fields=("pk",))
        ids = [pk for (pk,) in rows[:SAMPLE_SIZE]]
        found = {"sampled": len(rows) > SAMPLE_SIZE}
        for name, _, entities in facets:
            top = entities.model.objects.covering(ids)[:FACET_SIZE] if ids else []
            found[name] = [(entity.pk, entity.article_count) for entity in top]
        return found

    found = stats.cached(f"facets:{scope.key}:{'newest' if newest else 'oldest'}", counts)
    note = _sample_note(filterset, scope.count()) if found["sampled"] else ""
    return [
        *(
            _entity_facet(current, name, title, entities.ranked(dict(found[name]), FACET_SIZE), note)
            for name, title, entities in facets
        ),
        _year_facet(current, scope.periods()),
    ]
