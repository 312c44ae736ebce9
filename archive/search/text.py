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


def word_spans(text: str):
    """(start, end, stem) for each word of the original `text`, for highlighting.

    Offsets refer to `text` itself, so a highlighter can escape and mark the original
    characters. Each character is normalised on its own so that offsets stay aligned.
    """
    spans = []
    start = None
    buffer = []
    for i, ch in enumerate(text):
        folded = normalise(ch)
        if folded and all(c.isalnum() for c in folded):
            if start is None:
                start = i
            buffer.append(folded)
        elif unicodedata.combining(ch) and start is not None:
            continue  # a combining accent inside a word belongs to it
        else:
            if start is not None:
                spans.append((start, i, stem("".join(buffer))))
                start, buffer = None, []
    if start is not None:
        spans.append((start, len(text), stem("".join(buffer))))
    return spans
