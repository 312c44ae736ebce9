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
from django.db import transaction

from archive.search.query import Group, Query, Term
from archive.search.text import stem, words

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

    def written(self, name_words):
        """A name as written, given its normalised words, or words that stem as its words do."""
        name_words = tuple(name_words)
        stems = tuple(map(stem, name_words))
        exact = (raw for words_, raw in self.names if words_ == name_words)
        alike = (raw for words_, raw in self.names if tuple(map(stem, words_)) == stems)
        return next(exact, None) or next(alike, " ".join(name_words))


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
                # Found by the stems of a name's words, as the text is searched.
                named = by_name.setdefault(tuple(map(stem, name)), [])
                if entity not in named:
                    named.append(entity)
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
    """Signal receiver: a name changed, so every process rebuilds its index. Again once
    the change is committed: a search in between, in another process, would have built
    it from the names as they were."""
    cache.delete(CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(CACHE_KEY), using=kwargs.get("using"))


def expand(query: Query) -> Query:
    """Replace each name of an actor or a territory in the query by all of its names.

    A run of plain words or quoted phrases is looked at as a whole, longest run first, so
    `Southern Kurils` is one name and not two words. Each alternative of an OR is looked
    at on its own (`Crimea OR Donbas`), and so is each exclusion (`-Crimea` leaves out
    "Krym" and the articles tagged with Crimea too). Names compare by their words' stems,
    as the text does: `Southern Kuril` is `Southern Kurils`. Prefixes are left alone.
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
        group = groups[i]
        if len(group.terms) > 1:
            expanded.append(_expand_alternatives(group, index))
            i += 1
            continue
        for j in range(min(len(groups), i + MAX_NAME_WORDS), i, -1):
            run = groups[i:j]
            if all(len(g.terms) == 1 and not g.terms[0].prefix for g in run):
                typed = tuple(w for g in run for w in g.terms[0].words)
                entities = _named_by(typed, index)
                if entities:
                    expanded.append(_expand_alternatives(Group([Term(typed)]), index))
                    i = j
                    break
        else:
            expanded.append(group)
            i += 1
    excluded, excluded_entities = [], []
    for term in query.excluded:
        entities = None if term.prefix else _named_by(term.words, index)
        excluded += _name_terms([term], entities or ())
        excluded_entities += entities or ()
    return Query(expanded, _unique(excluded), tuple(dict.fromkeys(excluded_entities)))


def _named_by(name_words, index):
    """The actors and territories with this name (a tuple of normalised words), or None."""
    return index.get(tuple(map(stem, name_words)))


def _expand_alternatives(group: Group, index) -> Group:
    """A group with each of its alternatives that is a name joined by the other names."""
    terms, named = [], []
    for term in group.terms:
        entities = None if term.prefix else _named_by(term.words, index)
        terms += _name_terms([term], entities or ())
        if entities:
            named.append((entities[0].written(term.words), tuple(entities)))
    entities = tuple(dict.fromkeys(entity for _, found in named for entity in found))
    return Group(_unique(terms), entities=entities, names=tuple(named))


def _name_terms(terms, entities):
    """These terms and every name of these entities, as terms."""
    return [*terms, *(Term(name) for entity in entities for name, _ in entity.names)]


def _unique(terms):
    """The first of the terms that search for the same stems, in order."""
    unique = {}
    for term in terms:
        unique.setdefault((term.stems, term.prefix), term)
    return list(unique.values())


def matched_names(article, query, article_stems):
    """For each name the reader typed, the other names by which this article matched.

    [{"query": "Diaoyu", "matched": ["Senkaku"], "via": "text"}], or "via": "tag" with
    the entity's label when the article only carries the tag. Nothing is reported for a
    name the article itself uses: that match needs no explaining.
    """
    from archive.search.highlight import contains_name

    tagged = _tags_of(article)
    report = []
    for group in query.groups:
        # The names typed as alternatives of one OR: an article using any of them needs
        # no explaining for that actor or territory ("Diaoyu OR Senkaku").
        typed_names = {tuple(map(stem, words(typed))) for typed, _ in group.names}
        reported = []
        for typed, entities in group.names:
            if contains_name(article_stems, words(typed)):
                continue
            found = []
            for entity in entities:
                for name_words, written in entity.names:
                    if written not in found and contains_name(article_stems, name_words):
                        found.append(written)
            if any(tuple(map(stem, words(name))) in typed_names for name in found):
                continue
            if found:
                said = {"query": typed, "matched": _longest(found), "via": "text"}
            else:
                labels = [e.label for e in entities if (e.kind, e.pk) in tagged]
                if not labels:
                    continue
                said = {"query": typed, "matched": labels, "via": "tag"}
            # Alternatives naming the same thing, matched the same way: said once.
            if (said["matched"], said["via"]) not in reported:
                reported.append((said["matched"], said["via"]))
                report.append(said)
    return report


def tag_labels(article, query):
    """The labels of the tags by which the article matched names its text does not use
    (matched_names' "via": "tag"), without repeats."""
    from archive.search.text import terms

    text = " ".join(part for part in (article.title, article.lead, article.body, article.byline) if part)
    reports = matched_names(article, query, terms(text))
    return list(dict.fromkeys(label for said in reports if said["via"] == "tag" for label in said["matched"]))


def _tags_of(article):
    """(kind, pk) of each of the article's tags, as an Entity names it."""
    return {("actor", a.pk) for a in article.tagged_actors} | {("territory", t.pk) for t in article.tagged_territories}


def _longest(names):
    """Drop a name found only as part of a longer one found too ("Senkaku" in "Senkaku Islands")."""
    keys = {name: " " + " ".join(words(name)) + " " for name in names}
    return [name for name in names if not any(keys[name] in keys[other] for other in names if other != name)]
