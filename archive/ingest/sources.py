"""Recognising the archive's sources in the names an input gives its publisher.

Only evidence of who published a text comes here (a "(Yomiuri: May 16, 2015 – p. 2)" line,
"Read more from The Japan News at …", og:site_name, a JSON-LD publisher, the lines above a
headline). Outlets an article merely cites in its prose are never looked up.
"""

import re
from collections.abc import Sequence

# Words that many outlets share, so they identify none: "Times" alone is not a source.
_GENERIC_WORDS = {
    "a", "an", "and", "of", "on", "the", "in", "for", "de", "la", "le", "el", "der", "die", "das",
    "news", "times", "daily", "post", "journal", "herald", "tribune", "press", "review", "weekly",
    "monthly", "magazine", "gazette", "chronicle", "observer", "express", "mail", "star", "sun",
    "globe", "world", "international", "global", "today", "online", "network", "agency", "service",
    "media", "radio", "television", "tv", "broadcasting", "corporation", "company", "group", "new",
    "shimbun", "nippon", "national", "morning", "evening", "sunday", "wire", "report", "dispatch",
    "standard", "telegraph", "guardian", "independent", "republic", "people", "voice", "policy",
    "foreign", "affairs", "diplomat", "diplomatic",
}  # fmt: skip


def _words(name: str) -> list[str]:
    return re.findall(r"\w+", name.casefold())


def _without_article(name: str) -> str:
    return " ".join(w for w in _words(name) if w not in {"the", "a", "an"})


def match_source(name: str, known_sources: Sequence[str]) -> tuple[str, bool]:
    """The known source a publisher name refers to, and whether it is one of them.

    "The Yomiuri Shimbun", "Yomiuri Shimbun" and "Yomiuri" all name The Yomiuri Shimbun
    (exact name, the name without "The", or a distinctive word of it: one no other known
    source has and that is not a word every outlet uses). When nothing matches, or a word
    fits more than one source, the name comes back as written with False.
    """
    name = " ".join(name.split()).strip(" .,:;|/-–—")
    if not name:
        return "", False
    wanted = _without_article(name)
    for known in known_sources:
        if _without_article(known) == wanted:
            return known, True
    distinctive = _distinctive_words(known_sources)
    given = set(_words(name)) - {"the"}
    candidates = [known for known in known_sources if given and given <= distinctive.get(known, set())]
    if len(candidates) == 1:
        return candidates[0], True
    return name, False


def sources_named_in(line: str, known_sources: Sequence[str]) -> list[str]:
    """Known sources whose full name appears in `line`, in order of appearance.

    For the lines above a headline ("The Japan News/Yomiuri"): the full name is required
    there, because section labels such as "Japan" are common words.
    """
    folded = " ".join(_words(line))
    found = []
    for known in known_sources:
        words = _without_article(known)
        if not words:
            continue
        match = re.search(rf"(?<!\w){re.escape(words)}(?!\w)", folded)
        if match:
            found.append((match.start(), -len(words), known))
    return [known for _, _, known in sorted(found)]


def is_source_name(line: str, known_sources: Sequence[str]) -> bool:
    """Whether a whole line is just the name of a known source (a credit line)."""
    wanted = _without_article(line)
    return bool(wanted) and any(_without_article(known) == wanted for known in known_sources)


def _distinctive_words(known_sources: Sequence[str]) -> dict[str, set[str]]:
    counts: dict[str, int] = {}
    for known in known_sources:
        for word in set(_words(known)):
            counts[word] = counts.get(word, 0) + 1
    return {
        known: {w for w in _words(known) if counts[w] == 1 and w not in _GENERIC_WORDS and not w.isdigit()}
        for known in known_sources
    }
