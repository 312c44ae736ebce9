"""Facet counts beside a list of articles, and the links that refine or widen it.

Counts always come from the current result (every other filter applied), and it is the
caller's queryset that decides what is public, so drafts can never be counted here.
"""

from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.http import QueryDict

from archive.models import Actor, Source, Territory

FACET_SIZE = 10


@dataclass
class FacetItem:
    label: str
    count: int
    selected: bool
    # The query string this item's link leads to (for {% querystring %}): the current
    # one with this value added, or removed when it is already chosen; paging reset.
    query: QueryDict
    # The query string that excludes this value instead (actor_not=...).
    exclude_query: QueryDict | None = None


@dataclass
class ActiveFilter:
    label: str
    query: QueryDict  # the current query string without this filter


@dataclass
class Facet:
    name: str
    title: str
    items: list[FacetItem]


def _query(current: QueryDict, **changes) -> QueryDict:
    query = current.copy()
    query.pop("page", None)
    for key, values in changes.items():
        query.setlist(key, values)
    return query


def _entity_facet(current: QueryDict, name: str, title: str, entities) -> Facet:
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
                _query(current, **{name: toggled}),
                exclude_query=None if selected else _query(current, **{f"{name}_not": [*excluded, entity.slug]}),
            )
        )
    return Facet(name, title, items)


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
    current = filterset.data.copy()
    active = []
    query = current.get("q", "").strip()
    if query:
        active.append(ActiveFilter(f"Search: {query[:80]}", _query(current, q=[], exact=[])))
    for name, label in _FILTER_LABELS.items():
        chosen = filterset.form.cleaned_data.get(name) or []
        for entity in chosen:
            remaining = [v for v in current.getlist(name) if v != entity.slug]
            active.append(ActiveFilter(f"{label}: {entity.label}", _query(current, **{name: remaining})))
    for name, label in (("from", "From"), ("to", "To")):
        if current.get(name):
            active.append(ActiveFilter(f"{label}: {current[name]}", _query(current, **{name: []})))
    return active


def _year_facet(current: QueryDict, articles) -> Facet:
    rows = (
        articles.order_by()
        .exclude(published_on=None)
        .annotate(year=ExtractYear("published_on"))
        .values("year")
        .annotate(n=Count("pk"))
        .order_by("-year")
    )
    items = []
    for row in rows:
        year = str(row["year"])
        selected = current.get("from") == current.get("to") == year
        bounds = [] if selected else [year]
        items.append(FacetItem(year, row["n"], selected, _query(current, **{"from": bounds, "to": bounds})))
    return Facet("year", "Years", items)


def article_facets(filterset, articles) -> list[Facet]:
    """Sources, actors, territories (with their names) and years of `articles`: five queries."""
    if filterset.is_bound and not filterset.is_valid():
        return []
    current = filterset.data.copy() if filterset.data is not None else QueryDict(mutable=True)
    return [
        _entity_facet(current, "source", "Sources", Source.objects.covering(articles)[:FACET_SIZE]),
        _entity_facet(current, "actor", "Actors", Actor.objects.covering(articles)[:FACET_SIZE]),
        _entity_facet(
            current, "territory", "Territories", Territory.objects.covering(articles).with_names()[:FACET_SIZE]
        ),
        _year_facet(current, articles),
    ]
