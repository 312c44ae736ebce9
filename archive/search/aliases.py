"""Alias-aware search: a name of an actor or a territory finds all of its names.

`Diaoyu` also finds "Senkaku", and `Southern Kurils` every article that says "Northern
Territories" or is tagged with it. Names are compared as search sees them (normalised
words), so case, accents and punctuation do not matter.

The name table is read on every search, so each process keeps it in memory, under a
version kept in the cache: any name change (signals below) drops the version, and every
process rebuilds on its next search; the version also lapses after a few minutes, for
deployments whose cache is per process.
"""

import uuid
from dataclasses import dataclass

from django.core.cache import cache

from archive.search.query import Group, Query, Term
from archive.search.text import words

CACHE_KEY = "archive:alias-index"
CACHE_SECONDS = 300
MAX_NAME_WORDS = 8


@dataclass(frozen=True)
class Entity:
    kind: str  # "actor" or "territory"
    pk: int
    label: str
    slug: str
    names: tuple[tuple[tuple[str, ...], str], ...]  # every name: (normalised words, as written)

    def written(self, key):
        """A name as written, given its normalised words."""
        return next((raw for words_, raw in self.names if words_ == key), " ".join(key))


def _build():
    from archive.models import Actor, ActorName, Territory, TerritoryName

    names: dict[tuple[str, int], set[str]] = {}
    info = {}
    for actor in Actor.objects.only("pk", "name", "slug"):
        info[("actor", actor.pk)] = (actor.name, actor.slug)
        names.setdefault(("actor", actor.pk), set()).add(actor.name)
    for pk, name in ActorName.objects.values_list("actor_id", "name"):
        names.setdefault(("actor", pk), set()).add(name)
    for territory in Territory.objects.only("pk", "name", "slug").prefetch_related("names"):
        info[("territory", territory.pk)] = (territory.label, territory.slug)
        names.setdefault(("territory", territory.pk), set()).add(territory.name)
    for pk, name in TerritoryName.objects.values_list("territory_id", "name"):
        names.setdefault(("territory", pk), set()).add(name)

    by_name: dict[tuple[str, ...], list[Entity]] = {}
    for key, raw_names in names.items():
        if key not in info:
            continue
        pairs = {}
        for raw in sorted(raw_names):
            pairs.setdefault(tuple(words(raw)), raw)
        pairs.pop((), None)
        entity = Entity(key[0], key[1], info[key][0], info[key][1], tuple(sorted(pairs.items())))
        for name in pairs:
            if len(name) <= MAX_NAME_WORDS:
                by_name.setdefault(name, []).append(entity)
    return by_name


# This process's copy of the index, with the version it was built for. The cache holds
# only the version: unpickling thousands of names from it on every search cost more than
# the rest of a small search.
_local = {"version": None, "index": None}


def alias_index():
    version = cache.get(CACHE_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.set(CACHE_KEY, version, CACHE_SECONDS)
    if _local["version"] != version:
        _local["index"], _local["version"] = _build(), version
    return _local["index"]


def forget(**kwargs):
    """Signal receiver: a name changed, so every process rebuilds its index."""
    cache.delete(CACHE_KEY)


def expand(query: Query) -> Query:
    """Replace each run of words that is a known name by a group of all its names.

    Looks at consecutive single-term groups (plain words and quoted phrases, not OR
    groups or prefixes), longest run first, so `Southern Kurils` is one name and not
    two words.
    """
    if not query:
        return query
    index = alias_index()
    if not index:
        return query
    groups = query.groups
    expanded = []
    i = 0
    while i < len(groups):
        match = None
        for j in range(min(len(groups), i + MAX_NAME_WORDS), i, -1):
            run = groups[i:j]
            if not all(len(g.terms) == 1 and not g.terms[0].prefix for g in run):
                continue
            key = tuple(w for g in run for w in g.terms[0].words)
            if key in index:
                match = (j, key, index[key])
                break
        if match is None:
            expanded.append(groups[i])
            i += 1
            continue
        j, key, entities = match
        names = sorted({name for entity in entities for name, _ in entity.names} | {key})
        expanded.append(
            Group([Term(name) for name in names], entities=tuple(entities), typed=entities[0].written(key))
        )
        i = j
    return Query(expanded, query.excluded)


def matched_names(article, query, article_stems):
    """For each name the reader typed, the other names by which this article matched.

    [{"query": "Diaoyu", "matched": ["Senkaku"], "via": "text"}], or "via": "tag" with
    the entity's label when the article only carries the tag. Nothing is reported for a
    name the article itself uses: that match needs no explaining.
    """
    from archive.search.highlight import contains_name

    tagged = {("actor", a.pk) for a in article.tagged_actors} | {
        ("territory", t.pk) for t in article.tagged_territories
    }
    report = []
    for group in query.groups:
        if not group.entities or contains_name(article_stems, words(group.typed)):
            continue
        found = []
        for entity in group.entities:
            for name_words, written in entity.names:
                if written not in found and contains_name(article_stems, name_words):
                    found.append(written)
        if found:
            report.append({"query": group.typed, "matched": _longest(found), "via": "text"})
        else:
            labels = [e.label for e in group.entities if (e.kind, e.pk) in tagged]
            if labels:
                report.append({"query": group.typed, "matched": labels, "via": "tag"})
    return report


def _longest(names):
    """Drop a name found only as part of a longer one found too ("Senkaku" in "Senkaku Islands")."""
    keys = {name: " " + " ".join(words(name)) + " " for name in names}
    return [name for name in names if not any(keys[name] in keys[other] for other in names if other != name)]
