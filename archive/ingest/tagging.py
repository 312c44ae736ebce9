"""Suggested tags: every actor and territory whose names an article's text mentions.

Names are matched as whole words, ignoring case and accents, longest first (so
"Northern Territories" is one mention, not also a mention of a territory called
"Northern"). Two kinds of name are matched with care:

- a person's bare surname ("Abe", "Putin") counts only when the article also names the
  person in full, or gives the surname the office that makes it theirs ("President
  Obama", "the Obama administration"), since a surname alone is often someone else's;
- an acronym written in capitals ("US", "PRC", "G7") must appear in capitals, so that
  the pronoun "us" is not the United States.

A territory that is part of another (Etorofu of the Northern Territories) also suggests
the larger one, since an article about an island of a dispute is about the dispute.

Suggestions are stored with the names matched and how often (TagSuggestion). An editor
accepts or rejects each; a rejected suggestion stays rejected on the next scan, and a tag
the article already carries is not suggested again.
"""

import re
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction

from archive.search.text import normalise, words

MAX_NAME_WORDS = 8
# Words that, right before a surname, make it a public figure's: "President Obama".
TITLES_BEFORE = frozenset(
    "president premier minister secretary chancellor senator governor ambassador general "
    "king queen prince mr mrs ms dr envoy spokesman spokeswoman leader".split()
)
# Words that, right after a surname, do the same: "the Obama administration".
TITLES_AFTER = frozenset("administration government cabinet presidency doctrine".split())
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class _Name:
    kind: str  # "actor" or "territory"
    pk: int
    written: str
    words: tuple[str, ...]
    case_sensitive: bool  # an acronym: match the capitals as written
    needs_full_name: tuple[str, ...] | None = None  # a surname: only with this full name


@dataclass
class Mention:
    kind: str
    pk: int
    names: Counter = field(default_factory=Counter)

    @property
    def count(self):
        return sum(self.names.values())


def _is_acronym(name: str) -> bool:
    letters = [ch for ch in name if ch.isalpha()]
    return 0 < len(letters) <= 5 and all(ch.isupper() for ch in letters)


class NameTable:
    """Every name of every actor and territory, indexed by first word; build once per run."""

    def __init__(self):
        from archive.models import Actor, ActorName, Territory, TerritoryName

        rows = [("actor", pk, name) for pk, name in Actor.objects.values_list("pk", "name")]
        rows += [("actor", pk, name) for pk, name in ActorName.objects.values_list("actor_id", "name")]
        rows += [("territory", pk, name) for pk, name in Territory.objects.values_list("pk", "name")]
        rows += [("territory", pk, name) for pk, name in TerritoryName.objects.values_list("territory_id", "name")]
        names = {}
        for kind, pk, written in rows:
            key = tuple(words(written))
            if key and len(key) <= MAX_NAME_WORDS:
                names[(kind, pk, key)] = _Name(kind, pk, written, key, _is_acronym(written))
        # A person's surname, usable only beside their full name.
        for pk, name in Actor.objects.filter(kind=Actor.Kind.PERSON).values_list("pk", "name"):
            full = tuple(words(name))
            if len(full) >= 2 and ("actor", pk, full[-1:]) not in names:
                names[("actor", pk, full[-1:])] = _Name("actor", pk, _WORD.findall(name)[-1], full[-1:], False, full)
        self.parent_of = dict(Territory.objects.filter(part_of__isnull=False).values_list("pk", "part_of_id"))
        self.by_first: dict[str, list[_Name]] = {}
        for name in names.values():
            self.by_first.setdefault(name.words[0], []).append(name)
        for candidates in self.by_first.values():
            candidates.sort(key=lambda n: -len(n.words))


def scan(text: str, table: NameTable | None = None) -> list[Mention]:
    """Who and what `text` mentions, by name, with counts. Longest names win overlaps."""
    table = table or NameTable()
    raw = _WORD.findall(text)
    folded = [normalise(w) for w in raw]
    found: list[tuple[_Name, int]] = []
    i = 0
    while i < len(folded):
        match = None
        for name in table.by_first.get(folded[i], ()):
            n = len(name.words)
            if tuple(folded[i : i + n]) != name.words:
                continue
            if name.case_sensitive and raw[i : i + n] != _WORD.findall(name.written):
                continue
            match = name
            break
        if match:
            found.append((match, i))
            i += len(match.words)
        else:
            i += 1

    full_names_seen = {name.words for name, _ in found if name.needs_full_name is None}

    def titled(i):
        before = folded[i - 1] if i > 0 else ""
        after = folded[i + 1] if i + 1 < len(folded) else ""
        return before in TITLES_BEFORE or after in TITLES_AFTER

    mentions: dict[tuple[str, int], Mention] = {}
    for name, i in found:
        if name.needs_full_name is not None and name.needs_full_name not in full_names_seen and not titled(i):
            continue
        mention = mentions.setdefault((name.kind, name.pk), Mention(name.kind, name.pk))
        mention.names[name.written] += 1
    for (kind, pk), mention in list(mentions.items()):
        parent = table.parent_of.get(pk) if kind == "territory" else None
        if parent is not None:
            whole = mentions.setdefault(("territory", parent), Mention("territory", parent))
            for written, count in mention.names.items():
                whole.names[f"{written} (a part of it)"] += count
    return sorted(mentions.values(), key=lambda m: (-m.count, m.kind, m.pk))


def article_text(article) -> str:
    return "\n\n".join(part for part in (article.title, article.lead, article.body) if part)


@transaction.atomic
def suggest_tags(article, table: NameTable | None = None) -> int:
    """Scan `article` and store its suggestions; returns how many are pending now.

    Pending suggestions are refreshed (names and counts), rejected ones are left alone,
    and actors or territories the article is already tagged with are not suggested.
    """
    from archive.models import TagSuggestion

    mentions = scan(article_text(article), table)
    tagged = {("actor", pk) for pk in article.actor_links.values_list("actor_id", flat=True)}
    tagged |= {("territory", pk) for pk in article.territory_links.values_list("territory_id", flat=True)}
    existing = {
        (s.kind, s.target_id): s for s in TagSuggestion.objects.filter(article=article).select_for_update()
    }
    seen = set()
    for mention in mentions:
        key = (mention.kind, mention.pk)
        seen.add(key)
        names = [{"name": name, "count": count} for name, count in mention.names.most_common()]
        suggestion = existing.get(key)
        if suggestion is None:
            if key in tagged:
                continue
            TagSuggestion.objects.create(
                article=article, **{f"{mention.kind}_id": mention.pk}, names=names, count=mention.count
            )
        elif suggestion.status == TagSuggestion.Status.PENDING:
            suggestion.names, suggestion.count = names, mention.count
            suggestion.save(update_fields=["names", "count", "updated_at"])
    # A pending suggestion whose names have left the text is no longer a suggestion.
    stale = [s.pk for key, s in existing.items() if key not in seen and s.status == TagSuggestion.Status.PENDING]
    TagSuggestion.objects.filter(pk__in=stale).delete()
    return TagSuggestion.objects.filter(article=article, status=TagSuggestion.Status.PENDING).count()
