"""Turning text into search terms: normalise, split into words, stem.

Documents and queries go through exactly these functions, which is what makes search
case-, accent- and width-insensitive and identical on both databases.
"""

import functools
import re
import unicodedata

import Stemmer

# Words are runs of letters and digits after normalisation; everything else separates
# them ("U.S.-China" is the three words u, s, china), on documents and queries alike.
_WORD = re.compile(r"[^\W_]+")
_stemmer = Stemmer.Stemmer("english")


def normalise(text: str) -> str:
    """Fold width (NFKC), accents (strip combining marks) and case (casefold)."""
    if text.isascii():  # most text: nothing to fold but case, and this is the hot path
        return text.lower()
    text = unicodedata.normalize("NFKC", text)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFKC", stripped).casefold()


def words(text: str) -> list[str]:
    """The normalised words of `text`, in order."""
    return _WORD.findall(normalise(text))


@functools.lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return _stemmer.stemWord(word)


def terms(text: str) -> list[str]:
    """The indexed form of `text`: its words, stemmed."""
    return [stem(w) for w in words(text)]


def term_string(text: str) -> str:
    """`terms` joined by spaces: what both databases index."""
    return " ".join(terms(text))


# A word as written: letters and digits, with any combining accents inside it.
_WRITTEN_WORD = re.compile(r"(?:[^\W_]|[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f])+")


def word_spans(text: str):
    """(start, end, stem) for each word of the original `text`, for highlighting.

    Offsets refer to `text` itself, so a highlighter can escape and mark the original
    characters; each word is normalised and stemmed as `terms` would.
    """
    if text.isascii():
        # The hot path (every result's snippet): the regex and the stemmer in C over
        # the whole text, each distinct word stemmed once.
        lowered = text.lower()
        found = _WORD.findall(lowered)
        stems = dict(zip(distinct := list(set(found)), _stemmer.stemWords(distinct)))
        return [(m.start(), m.end(), stems[w]) for m, w in zip(_WORD.finditer(lowered), found)]
    spans = []
    for match in _WRITTEN_WORD.finditer(text):
        word = match.group()
        folded = word.lower() if word.isascii() else "".join(words(word))
        if folded:
            spans.append((match.start(), match.end(), stem(folded)))
    return spans
