"""Snippets and highlights: the article's own text, escaped, with matches in <mark>.

Article text is hostile input. Every piece of it is escaped here before the markup is
added around the matches, and only then is the result marked safe.
"""

import bisect
import itertools
import re

from django.utils.html import escape
from django.utils.safestring import mark_safe

from archive.search.text import stem, word_offsets

SNIPPET_WORDS = 36
# How far into an article a snippet is looked for, step by step (see snippet): the best
# passage of a book-length text is not worth scanning all of it on every results page.
SNIPPET_SCAN_STEPS = (1_500, 6_000, 20_000)


def _matcher(query):
    """A function telling, for each position in a list of stems, how many words match there."""
    patterns = query.highlight_stems
    prefixes = {term.stems for group in query.groups for term in group.terms if term.prefix}

    def match_at(stems, i):
        best = 0
        for pattern in patterns:
            n = len(pattern)
            if n <= best or i + n > len(stems):
                continue
            window = stems[i : i + n]
            if pattern in prefixes:
                ok = window[:-1] == list(pattern[:-1]) and window[-1].startswith(pattern[-1])
            else:
                ok = window == list(pattern)
            if ok:
                best = n
        return best

    return match_at


def _matches(stems, query):
    """[(first word, words)] of each match of the query in a list of stems, in order."""
    match_at = _matcher(query)
    # Only where a pattern's first word is can a match start: test those positions alone.
    firsts = {pattern[0] for pattern in query.highlight_stems}
    prefixes = tuple({term.stems[0] for group in query.groups for term in group.terms if term.prefix})
    if prefixes:
        candidates = [i for i, s in enumerate(stems) if s in firsts or s.startswith(prefixes)]
    else:  # the loop in C
        candidates = itertools.compress(range(len(stems)), map(firsts.__contains__, stems))
    found = []
    after = 0  # matches do not overlap
    for i in candidates:
        if i < after:
            continue
        n = match_at(stems, i)
        if n:
            found.append((i, n))
            after = i + n
    return found


# Initials written with dots ("U.S", "D.C"): a mark that ends with them takes their last
# dot too, which search reads as a separator, so that "U.S." is marked whole.
_INITIALS = re.compile(r"(?<![^\W\d_])(?:[^\W\d_]\.)+[^\W\d_]\Z")


def _render(text, start, end, marked):
    out = []
    position = start
    for a, b in marked:
        if b <= start or a >= end:
            continue
        if text[b : b + 1] == "." and _INITIALS.search(text, a, b):
            b += 1
        a, b = max(a, start), min(b, end)
        out.append(escape(text[position:a]))
        out.append("<mark>" + escape(text[a:b]) + "</mark>")
        position = b
    out.append(escape(text[position:end]))
    return "".join(out)


def highlight(text, query):
    """All of `text`, escaped, with every match marked."""
    if not text or not query:
        return escape(text)
    return highlight_parts([text], query)[0]


def highlight_parts(parts, query):
    """`highlight` of each of `parts`, the passages of one text in order (a title, a lead,
    paragraphs), read as search reads them: one after the other, so that a phrase running
    from one into the next is marked in both."""
    if not query:
        return [escape(part) for part in parts]
    text = "\n\n".join(parts)
    spans, stems = word_offsets(text)
    marked = [(spans[i][0], spans[i + n - 1][1]) for i, n in _matches(stems, query)]
    marked_parts, start = [], 0
    for part in parts:
        marked_parts.append(mark_safe(_render(text, start, start + len(part), marked)))
        start += len(part) + 2
    return marked_parts


def snippet(text, query, size=SNIPPET_WORDS):
    """The passage of about `size` words with the most matches, escaped and marked."""
    # Looked for in the opening first, and further only when the opening has no match:
    # a results page makes 25 of these, and most matches of a common word come early.
    # Each step reads only the text after the last; a rare word's match is usually
    # further in, and reading the opening again at each step cost a third of the snippet.
    whole = len(text)
    spans, stems, read = _Spans(), [], 0
    for limit in SNIPPET_SCAN_STEPS:
        # Cut at a space, so that no word is cut in two.
        cut = whole if limit >= whole else text.rfind(" ", read, limit) + 1 or limit
        offsets, more = word_offsets(text[read:cut])
        spans.add(len(stems), read, offsets)
        stems += more
        read = cut
        matches = _matches(stems, query) if query else []
        if matches or read >= whole:
            break
    text = text[:read]
    if not stems:
        return escape(text[:300])
    best = 0
    if matches:
        # The window starting at each match, scored by the matches starting in it.
        starts = [i for i, _ in matches]
        best_score = -1
        for i in starts:
            score = bisect.bisect_left(starts, i + size) - bisect.bisect_left(starts, i)
            if score > best_score:
                best, best_score = i, score
        best = max(0, best - 3)  # a little context before the first match
    last = min(best + size, len(stems)) - 1
    start = 0 if best == 0 else spans[best][0]
    end = len(text) if last == len(stems) - 1 else spans[last][1]
    # Widen to whitespace, so that the passage never starts or ends inside a written
    # word ("Japan’s" is two search words but one to read).
    start = 0 if start == 0 else max(text.rfind(" ", 0, start) + 1, text.rfind("\n", 0, start) + 1)
    following = [i for i in (text.find(" ", end), text.find("\n", end)) if i != -1]
    end = min(following) if following else len(text)
    marked = []
    for i, n in matches:
        a = spans[i][0]
        if a >= end:
            break
        b = spans[i + n - 1][1]
        if b > start:
            marked.append((a, b))
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < whole else ""
    return mark_safe(escape(prefix) + _render(text, start, end, marked) + escape(suffix))


class _Spans:
    """(start, end) of word i of a text read in parts, from each part's own offsets."""

    def __init__(self):
        self._firsts, self._parts = [], []

    def add(self, first_word, first_char, offsets):
        self._firsts.append(first_word)
        self._parts.append((first_word, first_char, offsets))

    def __getitem__(self, i):
        first_word, first_char, offsets = self._parts[bisect.bisect_right(self._firsts, i) - 1]
        start, end = offsets[i - first_word]
        return start + first_char, end + first_char


def contains_name(article_stems, name_words):
    """Does the stemmed text contain this name (its words, stemmed, in a row)?"""
    pattern = [stem(w) for w in name_words]
    n = len(pattern)
    return any(article_stems[i : i + n] == pattern for i in range(len(article_stems) - n + 1))


def decorate(articles, query):
    """Give each search result its marked title, best snippet and the names it matched by."""
    from archive.search.aliases import matched_names
    from archive.search.text import terms

    for article in articles:
        text = "\n\n".join(part for part in (article.lead, article.body) if part)
        article.title_html = highlight(article.title, query)
        article.snippet = snippet(text, query)
        if any(group.entities for group in query.groups):
            article_stems = terms(" ".join([article.title, text, article.byline]))
            article.matched_names = matched_names(article, query, article_stems)
        else:
            article.matched_names = []  # only names are matched by other names
    return articles
