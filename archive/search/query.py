"""The search query language, parsed once and compiled for either database.

    words            all must match (stemmed: negotiations finds negotiating)
    "exact phrase"   the words next to each other, in order
    a OR b           either
    -word, -"a b"    must not match
    prefix*          any word starting with it (at least three letters)

Every input parses: unbalanced quotes close at the end, lone operators are ignored,
punctuation separates words (`U.S.-China` is the phrase "u s china"), and a query with
nothing left to search for is simply empty. The compiled forms contain only terms this
module produced (letters and digits), so no user input reaches a database query parser.
"""

import os
import re
from dataclasses import dataclass, field

from archive.search.text import stem, words

MAX_QUERY_LENGTH = 1000
MAX_TERMS = 32
# A prefix search reads the lists of every word that starts with the prefix: for "a*",
# a thousand words and nearly every article (16 s on SQLite at a million articles, whose
# index gathers every position of every such word first). Three letters and a few
# prefixes bound it.
MIN_PREFIX = 3
MAX_PREFIXES = 4

_TOKEN = re.compile(r'\s*(-?)(?:"([^"]*)"?|([^\s"]+))')
# Typographic double quotes open and close phrases as '"' does: phones and word
# processors type “…”, and other languages „…“, «…» or 「…」. (Single ones are apostrophes.)
_QUOTES = str.maketrans(dict.fromkeys("“”„‟«»「」『』〝〞＂", '"'))


class QueryTooComplex(ValueError):
    pass


@dataclass(frozen=True)
class Term:
    """A word or a phrase, as normalised words; `prefix` applies to the last word."""

    words: tuple[str, ...]
    prefix: bool = False

    @property
    def stems(self) -> tuple[str, ...]:
        *head, last = self.words
        return (*(stem(w) for w in head), _prefix_stem(last) if self.prefix else stem(last))

    @property
    def text(self) -> str:
        return " ".join(self.words) + ("*" if self.prefix else "")

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1


@dataclass
class Group:
    """Alternatives joined by OR; a group matches when any of its terms does.

    `entities` is set when alias expansion recognised names of actors or territories in
    the group (archive.search.aliases): its terms then include all of their names, and
    articles tagged with them match too.
    """

    terms: list[Term]
    entities: tuple = ()
    # (the name as the reader typed it, its entities) for each name, for "Diaoyu → Senkaku"
    names: tuple = ()


@dataclass
class Query:
    groups: list[Group] = field(default_factory=list)  # all must match
    excluded: list[Term] = field(default_factory=list)  # none may match
    # Actors and territories named in an exclusion: their articles may not match either.
    excluded_entities: tuple = ()

    def __bool__(self):
        return bool(self.groups)

    @property
    def highlight_stems(self) -> list[tuple[str, ...]]:
        """Every positive term's stems, for marking matches in text."""
        return [term.stems for group in self.groups for term in group.terms]


# Endings that stemming may remove from a word that starts with a typed prefix.
_ENDINGS = ("", "e", "s", "y", "ed", "ing", "ion", "ation", "ly")


def _prefix_stem(word: str) -> str:
    """The prefix to look for among stems.

    The index holds stems, and the stem of a word that starts with the prefix need not
    start with it ("negotiat*" should find "negotiation", indexed as "negoti"). The part
    shared by the prefix and the stems of its likely completions is what every such stem
    begins with.
    """
    return os.path.commonprefix([word, *(stem(word + ending) for ending in _ENDINGS)]) or word


def parse(text: str) -> Query:
    """Parse what a reader typed. Never raises except QueryTooComplex, for huge queries
    and for prefixes too short or too many to search."""
    text = text.replace("\x00", " ")[: MAX_QUERY_LENGTH * 2].translate(_QUOTES)
    items = []  # (negated, Term) or "OR"
    for negated, phrase, chunk in _TOKEN.findall(text):
        if not chunk:  # a quoted phrase (the closing quote may be missing)
            phrase_words = words(phrase)
            if phrase_words:
                items.append((bool(negated), Term(tuple(phrase_words))))
            continue
        if chunk == "OR" and not negated:
            items.append("OR")
            continue
        prefix = chunk.endswith("*")
        chunk_words = words(chunk)
        if chunk_words:
            items.append((bool(negated), Term(tuple(chunk_words), prefix=prefix)))

    query = Query()
    join_next = False
    for item in items:
        if item == "OR":
            join_next = bool(query.groups)
            continue
        negated, term = item
        if negated:
            query.excluded.append(term)
        elif join_next:
            query.groups[-1].terms.append(term)
        else:
            query.groups.append(Group([term]))
        join_next = False
    if sum(len(g.terms) for g in query.groups) + len(query.excluded) > MAX_TERMS:
        raise QueryTooComplex(f"Use at most {MAX_TERMS} words and phrases.")
    prefixes = [term for group in query.groups for term in group.terms if term.prefix]
    prefixes += [term for term in query.excluded if term.prefix]
    for term in prefixes:
        if len(term.words[-1]) < MIN_PREFIX:
            raise QueryTooComplex(f"Put at least {MIN_PREFIX} letters before * (“{term.text}”).")
    if len(prefixes) > MAX_PREFIXES:
        raise QueryTooComplex(f"Put * after at most {MAX_PREFIXES} words.")
    return query


def has_phrase(groups) -> bool:
    return any(term.is_phrase for group in groups for term in group.terms)


# --- Compilation ----------------------------------------------------------------------


def _fts5_term(term: Term, phrases=True, completions=None) -> str:
    # Terms are letters and digits only, so quoting cannot be escaped out of.
    *head, last = term.stems
    # A prefix becomes the words that complete it, where the index's words say which.
    lasts = completions(last) if term.prefix and completions is not None else None
    if lasts is None:
        lasts = [f'"{last}" *' if term.prefix else f'"{last}"']
    else:
        # Words of the index, made by the same code; quoted as FTS5 quotes all the same.
        lasts = ['"' + word.replace('"', '""') + '"' for word in lasts]
    if phrases and head:
        # The phrase once per completion: an FTS5 phrase holds no OR.
        lasts = ['"' + " ".join(head) + " " + word[1:] for word in lasts]
        head = []
    last = lasts[0] if len(lasts) == 1 else "(" + " OR ".join(lasts) + ")"
    if not head:
        return last
    # The phrase's words, each required, anywhere.
    return "(" + " AND ".join([*(f'"{s}"' for s in head), last]) + ")"


def _fts5_any(terms, phrases=True, completions=None) -> str:
    return "(" + " OR ".join(_fts5_term(t, phrases, completions) for t in terms) + ")"


def to_fts5(groups: list[Group], excluded: list[Term] = (), *, phrases=True, completions=None) -> str:
    """An FTS5 MATCH expression: groups ANDed, exclusions NOT-ed. `phrases=False`
    loosens each phrase to its words (for ranking the matches of a phrase, see the
    backends). `completions(prefix)`, if given, lists the indexed words a prefix stands
    for, or None to leave the prefix to FTS5."""
    expression = " AND ".join(_fts5_any(g.terms, phrases, completions) for g in groups)
    if excluded:
        expression = f"({expression}) NOT {_fts5_any(excluded, completions=completions)}"
    return expression


def _tsquery_term(term: Term, phrases=True) -> str:
    lexemes = [f"'{s}'" for s in term.stems]
    if term.prefix:
        lexemes[-1] += ":*"
    return "(" + (" <-> " if phrases else " & ").join(lexemes) + ")"


def _tsquery_any(terms, phrases=True) -> str:
    return "(" + " | ".join(_tsquery_term(t, phrases) for t in terms) + ")"


def to_tsquery(groups: list[Group], excluded: list[Term] = (), *, phrases=True) -> str:
    """A to_tsquery('simple', ...) expression: groups ANDed, exclusions negated.
    `phrases=False` loosens each phrase to its words, as to_fts5 does."""
    parts = [_tsquery_any(g.terms, phrases) for g in groups]
    parts += [f"!{_tsquery_any([t])}" for t in excluded]
    return " & ".join(parts)
