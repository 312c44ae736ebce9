"""Facet counts beside a list of articles, and the links that refine or widen it.

Counts always come from the current result (every other filter applied) and it is the
caller's queryset that decides what is public, so drafts can never be counted here.
"""

from dataclasses import dataclass, field

from django.db.models import Count
from django.db.models.functions import ExtractYear

from archive.models import Actor, Source, Territory

FACET_SIZE = 10


@dataclass
class FacetItem:
    label: str
    count: int
    selected: bool
    # Query-string values for {% querystring %}: the link toggles this item.
    params: dict = field(default_factory=dict)


@dataclass
class Facet:
    name: str
    title: str
    items: list[FacetItem]


def _toggle(selected: list[str], value: str) -> list[str]:
    return [v for v in selected if v != value] if value in selected else [*selected, value]


def _entity_facet(filterset, name, title, entities):
    chosen = filterset.selected(name)
    items = [
        FacetItem(
            label=entity.label,
            count=entity.article_count,
            selected=entity.slug in chosen,
            params={name: _toggle(chosen, entity.slug)},
        )
        for entity in entities
    ]
    return Facet(name, title, items)


def article_facets(filterset, articles) -> list[Facet]:
    """Sources, actors, territories and years of `articles`: five queries in all."""
    if filterset.is_bound and not filterset.is_valid():
        return []
    years = (
        articles.order_by()
        .exclude(published_on=None)
        .annotate(year=ExtractYear("published_on"))
        .values("year")
        .annotate(n=Count("pk"))
        .order_by("-year")
    )
    chosen_from, chosen_to = filterset.data.get("from"), filterset.data.get("to")
    year_items = [
        FacetItem(
            label=str(row["year"]),
            count=row["n"],
            selected=chosen_from == chosen_to == str(row["year"]),
            params=(
                {"from": None, "to": None}
                if chosen_from == chosen_to == str(row["year"])
                else {"from": str(row["year"]), "to": str(row["year"])}
            ),
        )
        for row in years
    ]
    return [
        _entity_facet(filterset, "source", "Sources", Source.objects.covering(articles)[:FACET_SIZE]),
        _entity_facet(filterset, "actor", "Actors", Actor.objects.covering(articles)[:FACET_SIZE]),
        _entity_facet(
            filterset, "territory", "Territories", Territory.objects.covering(articles).with_names()[:FACET_SIZE]
        ),
        Facet("year", "Years", year_items),
    ]
