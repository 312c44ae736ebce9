"""Turning text into search terms: normalise, split into words, stem.

Documents and queries go through exactly these functions, which is what makes search
case-, accent- and width-insensitive and identical on both databases.
"""

import re
import unicodedata

import Stemmer

# Words are runs of letters and digits after normalisation; everything else separates
# them ("U.S.-China" is the three words u, s, china), on documents and queries alike.
_WORD = re.compile(r"[^\W_]+")
# The same words in lower-cased ASCII text, where [^\W_] is [a-z0-9]: a plain character
# class matches three times faster, and most text is ASCII.
_ASCII_WORD = re.compile(r"[a-z0-9]+")
_stemmer = Stemmer.Stemmer("english")


# Soft hyphens mark where a word may break across lines: the word is whole ("Zanzi­bar"
# is zanzibar). Web pages carry them (&shy;) where a publisher's system put them.
_SOFT_HYPHEN = "\u00ad"


def normalise(text: str) -> str:
    """Fold width (NFKC), accents (strip combining marks) and case (casefold); drop soft
    hyphens."""
    if text.isascii():  # most text: nothing to fold but case, and this is the hot path
        return text.lower()
    text = unicodedata.normalize("NFKC", text.replace(_SOFT_HYPHEN, ""))
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFKC", stripped).casefold()


def words(text: str) -> list[str]:
    """The normalised words of `text`, in order."""
    if text.isascii():
        return _ASCII_WORD.findall(text.lower())
    return _WORD.findall(normalise(text))


class _Stems(dict):
    """word -> stem, each word stemmed once: indexing looks up every word of every
    article here (a dict lookup costs a tenth of the stemmer). Emptied when full, so that
    odd input cannot grow it without bound."""

    LIMIT = 500_000

    def __missing__(self, word):
        if len(self) >= self.LIMIT:
            self.clear()
        stemmed = self[word] = _stemmer.stemWord(word)
        return stemmed


_stems = _Stems()
stem = _stems.__getitem__


def terms(text: str) -> list[str]:
    """The indexed form of `text`: its words, stemmed."""
    return list(map(stem, words(text)))


def term_string(text: str) -> str:
    """`terms` joined by spaces: what both databases index."""
    return " ".join(map(stem, words(text)))


# A word as written: letters and digits, with any combining accents or soft hyphens inside it.
_WRITTEN_WORD = re.compile(r"(?:[^\W_]|[\u00ad\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f])+")


def word_spans(text: str):
    """(start, end, stem) for each word of the original `text`, for highlighting.

    Offsets refer to `text` itself, so a highlighter can escape and mark the original
    characters; each word is normalised and stemmed as `terms` would.
    """
    if text.isascii():
        # The hot path (every result's snippet): the regex and the stemmer in C over
        # the whole text, each distinct word stemmed once.
        lowered = text.lower()
        return [(m.start(), m.end(), stem(m.group())) for m in _ASCII_WORD.finditer(lowered)]
    spans = []
    for match in _WRITTEN_WORD.finditer(text):
        word = match.group()
        folded = word.lower() if word.isascii() else "".join(words(word))
        if folded:
            spans.append((match.start(), match.end(), stem(folded)))
    return spans


def word_offsets(text: str):
    """(spans, stems) of the words of `text`, as `word_spans` gives them: `spans[i]` is
    the (start, end) of word i, found only when asked for, in order. A snippet needs the
    offsets of a few dozen words of the hundreds it stems."""
    if text.isascii():
        lowered = text.lower()
        return _Offsets(_ASCII_WORD.finditer(lowered)), list(map(stem, _ASCII_WORD.findall(lowered)))
    spans = word_spans(text)
    return [(a, b) for a, b, _ in spans], [s for _, _, s in spans]


class _Offsets:
    def __init__(self, matches):
        self._matches, self._found = matches, []

    def __getitem__(self, i):
        while len(self._found) <= i:
            self._found.append(next(self._matches).span())
        return self._found[i]
