"""What a line of web text is: article prose, a headline, a byline, a dateline, or page clutter.

Shared by the plain-text and the HTML extractors. The rules are about kinds of lines that
news pages everywhere carry (navigation, share buttons, subscription pitches, "Related
stories" lists, photo credits), never about one page or one outlet.
"""

import re
from typing import NamedTuple

from archive.ingest.dates import PartialDate, parse_date

# --- Spacing ------------------------------------------------------------------------------

# Non-breaking and other fixed-width spaces become plain spaces; zero-width marks go.
_SPACES = dict.fromkeys(
    map(ord, "\u00a0\u2007\u202f\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008\u2009\u200a\u3000\t\v\f"), " "
)
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


def clean(text: str) -> str:
    """One line of text: spaces folded to single plain spaces, no zero-width marks, stripped."""
    return " ".join(text.translate(_SPACES).translate(_ZERO_WIDTH).split())


def word_count(text: str) -> int:
    # Chinese and Japanese write no spaces: count two of their characters as a word.
    cjk = len(re.findall(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]", text))
    return max(len(text.split()), cjk // 2)


_TERMINAL = re.compile(r"[.!?…。！？][\"'’”»)\]]*$")


def ends_sentence(text: str) -> bool:
    return bool(_TERMINAL.search(text))


def ends_with_full_stop(text: str) -> bool:
    """A final full stop (or ellipsis), as a headline never has; "?" and "!" are not one."""
    return bool(re.search(r"[.…。][\"'’”»)\]]*$", text))


def is_prose(text: str) -> bool:
    """A paragraph of running text: a full sentence of some length, or a long line."""
    words = word_count(text)
    return (words >= 8 and ends_sentence(text)) or words >= 20


def is_headline_like(text: str) -> bool:
    """A short line that could head an article: a few words, no final full stop."""
    words = word_count(text)
    return (
        3 <= words <= 30
        and len(text) <= 250
        and not re.search(r"[.,;:]$", text)
        and not text.startswith(("(", "[", "•", "·", "*", "-", "–", "—"))
    )


# --- Page clutter -------------------------------------------------------------------------

# Words that, alone on a line, are buttons and menus: "print PRINT", "Share", "Sign in".
_UI_WORDS = set(
    """print share email e-mail mail tweet comment comments save bookmark menu search home close
    subscribe login logout log sign in out up register advertisement advertising ad ads sponsored
    back to top next previous prev more load show read listen watch play this article story page
    on via follow us copy link copied facebook twitter x linkedin reddit whatsapp telegram
    pinterest youtube instagram rss feed font size text aa a+ a- reprints permissions gift skip
    main content navigation accept all cookies cookie settings reject manage preferences popular
    video videos photos gallery trending latest news most viewed shared recommended related the
    full screen open app edition published posted updated last""".split()
)

# Lines that introduce lists of other stories; the list's short lines go with them.
_LIST_HEADING = re.compile(
    r"^(?:related(?: (?:stories|articles|news|coverage|content|reading|topics|links))?"
    r"|more (?:stories|articles|news|coverage|reading|on this (?:story|topic)|from .{1,60})"
    r"|(?:our|editor'?s?|editors[’']?) picks|top stories(?: on .{1,40})?(?: right now)?|top news"
    r"|most (?:read|popular|viewed|shared|commented)(?: .{1,30})?|popular (?:video|videos|stories|now|articles)"
    r"|recommended(?: for you| stories| reading| articles)?|you (?:may|might) (?:also )?(?:like|be interested in)"
    r"|read (?:more|next|also)|also read|see also|trending(?: now| stories)?|latest (?:news|stories|headlines)"
    r"|don[’']?t miss|what to read next|in other news|more in .{1,40}|further reading)[:.]?$",
    re.IGNORECASE,
)

# Subscription, app and cookie pitches. Strong phrases speak to the reader and mark a line
# whatever its length; weak ones ("sign in", "premium", "privacy policy") only a short line,
# since prose can say "sign up to the treaty" or "the company's privacy policy".
_STRONG_PITCH = re.compile(
    r"already an? (?:member|subscriber)|sign up to read|to continue reading|continue reading (?:with|for)"
    r"|quality journalism (?:is|matters|needs|has never)|support our (?:journalism|reporting)"
    r"|get all your news|curated (?:specifically )?for you|by subscribing,? you"
    r"|subscription (?:that|which) gives you|(?:start|begin) your free trial"
    r"|(?:download|install) (?:the|our) app|get (?:the|our) app\b"
    r"|we use cookies|(?:this|our) (?:web)?site uses cookies|accept (?:all )?cookies"
    r"|cookie (?:settings|policy|preferences|consent)|all rights reserved|^copyright\s*(?:©|\(c\)|\d{4})|^©"
    r"|skip to (?:main )?(?:content|navigation)|enable javascript|javascript (?:is )?(?:disabled|required)"
    r"|your browser (?:does not|doesn[’']t) support",
    re.IGNORECASE,
)
_WEAK_PITCH = re.compile(
    r"\b(?:sign (?:in|up)|log ?in|subscribe|subscription|subscriber|newsletter|register|membership|paywall"
    r"|premium|free trial|\w+ days? free|one app|start reading|unlimited (?:digital )?access|read news from"
    r"|trusted (?:global )?sources|privacy policy|terms (?:of use|of service|and conditions))\b",
    re.IGNORECASE,
)

# Photo and source credits: "Sources: Japan Times / Photo Credit: Chatham House/Wikimedia".
_CREDIT = re.compile(
    r"^\(?(?:sources?|photo(?:graph)?s?(?: credits?)?|image(?: credits?)?|pictures?|credits?|captions?|illustrations?"
    r"|graphics?|file photo|featured image|top image|lead image|header image|video)\s*:"
    r"|^\(?(?:photo|image|picture)s? (?:by|courtesy of)\b"
    r"|^\(?(?:additional )?(?:reporting|writing|editing|compiled) by\b",
    re.IGNORECASE,
)

# A tag list's items: "• G7 Summit". Content bullets are longer or end a sentence.
_TAG_BULLET = re.compile(r"^[•·▪●◦‣∙*]\s*(\S.*)$")


def clutter_kind(line: str) -> str:
    """What kind of page clutter `line` is ("navigation", "pitch", "list", "credit"), or ""."""
    if not line:
        return ""
    words = re.findall(r"[\w+'’-]+", line.casefold())
    if words and len(words) <= 6 and all(w in _UI_WORDS for w in words):
        return "navigation"
    if len(line) <= 300 and _STRONG_PITCH.search(line):
        return "pitch"
    if word_count(line) <= 8 and _WEAK_PITCH.search(line):
        return "pitch"
    if word_count(line) <= 10 and _LIST_HEADING.match(line):
        return "list"
    if len(line) <= 300 and _CREDIT.match(line):
        return "credit"
    return ""


def is_list_heading(line: str) -> bool:
    return word_count(line) <= 10 and bool(_LIST_HEADING.match(line))


def is_tag_bullet(line: str) -> bool:
    match = _TAG_BULLET.match(line)
    return bool(match) and word_count(match[1]) <= 5 and not ends_sentence(match[1])


# --- Bylines ------------------------------------------------------------------------------

_NAME_WORD = r"(?:[^\W\d_][\w'’.-]*)"
_ROLE_WORDS = re.compile(
    r"\b(?:correspondent|writer|reporter|editor|staff|bureau|chief|columnist|contributor|journalist"
    r"|special to|analyst|commentator|producer)\b",
    re.IGNORECASE,
)
_BY = re.compile(r"^(?:by|written by|words by|author:|reporter:|von|par|por|di)\s+(?P<rest>\S.*)$", re.IGNORECASE)


def parse_byline(line: str) -> str:
    """The byline a line gives, as the archive stores it ("Yoshio Hanada, Yomiuri Shimbun
    Correspondent" for "Yoshio Hanada / Yomiuri Shimbun Correspondent"), or ""."""
    if len(line) > 120 or word_count(line) > 14 or (ends_sentence(line) and not re.search(r"\b[A-Z]\.$", line)):
        return ""
    if match := _BY.match(line):
        rest = match["rest"]
        first = rest.split()[0]
        if not first[:1].isupper():
            return ""
        names = re.split(r"\s*(?:,|;|\band\b|&|\||/)\s*", rest)
        if not all(_looks_like_name(n) or _ROLE_WORDS.search(n) for n in names if n):
            return ""
        return _normalise_byline(rest)
    parts = re.split(r"\s+[/|]\s+|,\s+", line, maxsplit=1)
    if len(parts) == 2 and _looks_like_name(parts[0]) and _ROLE_WORDS.search(parts[1]):
        return _normalise_byline(line)
    return ""


def _looks_like_name(text: str) -> bool:
    words = text.split()
    return 1 <= len(words) <= 5 and all(
        re.fullmatch(_NAME_WORD, w) and w[0].isupper()
        for w in words
        if w.lower() not in {"de", "van", "von", "der", "al", "bin", "da", "la", "le"}
    )


def _normalise_byline(text: str) -> str:
    return clean(re.sub(r"\s+[/|]\s+", ", ", text)).strip(" ,;")


# --- Datelines ----------------------------------------------------------------------------

_CAPS = r"A-ZÀ-ÖØ-ÞА-ЯЁ"
_DATELINE = re.compile(
    rf"^(?P<place>[{_CAPS}][{_CAPS}.'’ -]*[{_CAPS}.])"
    rf"(?:,\s*(?P<extra>[{_CAPS}0-9][\w.]*(?:\s+[\w.]+){{0,2}}))?"
    r"\s*(?:\((?P<agency>[^()]{1,40})\))?"
    r"\s*(?:--|—|–|-|:)\s+(?P<rest>[\"“‘'«(\w].*)$",
    re.DOTALL,
)
_NOT_PLACES = {
    "UPDATE", "UPDATED", "BREAKING", "EXCLUSIVE", "ANALYSIS", "OPINION", "EDITORIAL", "COMMENT",
    "WATCH", "VIDEO", "PHOTOS", "LIVE", "NEWS", "NOTE", "CORRECTION", "FACT CHECK", "REVIEW", "FILE",
    "EDITOR'S NOTE", "EDITOR’S NOTE",
}  # fmt: skip


class Dateline(NamedTuple):
    place: str
    rest: str
    agency: str
    day_text: str  # "Dec. 3" in "TOKYO, Dec. 3 (Kyodo) —": a day without a year


def split_dateline(lead: str) -> Dateline | None:
    """The dateline opening a lead ("MOSCOW --", "TOKYO (Reuters) -", "WASHINGTON —")."""
    match = _DATELINE.match(lead)
    if not match or match["place"].strip() in _NOT_PLACES:
        return None
    place = match["place"].strip(" -")
    if sum(c.isalpha() for c in place) < 2 or len(place) > 40:
        return None
    extra, day_text = (match["extra"] or "").strip(), ""
    if extra and re.match(r"^[A-Za-z]{3,9}\.?\s+\d{1,2}$", extra):
        day_text, extra = extra, ""
    elif extra and not extra[0].isupper():
        return None
    if extra:
        place = f"{place}, {extra}"
    return Dateline(place, match["rest"].strip(), (match["agency"] or "").strip(), day_text)


# --- Publisher evidence -------------------------------------------------------------------

_READ_MORE = re.compile(
    r"^(?:read (?:more|the full (?:story|article)|the original(?: article)?) (?:from|at|on)"
    r"|(?:this (?:article|story) )?(?:was )?(?:originally|first) (?:published|appeared) (?:by|in|on|at))\s+(?P<name>.+?)(?:\s+(?:at|on|:)\s+(?P<url>https?://\S+?))?[.,]?$",
    re.IGNORECASE,
)


def read_more(line: str) -> tuple[str, str] | None:
    """The publisher and homepage in "Read more from The Japan News at https://…"."""
    match = _READ_MORE.match(line)
    if not match or len(line) > 200:
        return None
    name = re.sub(r"\s+on\s+\w+\.? \d{1,2},? \d{4}$", "", match["name"]).strip(" .,:")
    if not name or name.lower().startswith(("http", "www.")) or word_count(name) > 8:
        return None
    return name, (match["url"] or "")


class SourceLine(NamedTuple):
    name: str
    date: PartialDate | None
    date_text: str
    page: str


_PAGE = re.compile(
    r"^(?:p|pp|page|pages|pg|S|стр)\.?\s*(?P<page>[A-Z]?\d+[A-Z]?(?:\s*[-–]\s*[A-Z]?\d+[A-Z]?)?)$", re.IGNORECASE
)


def source_line(line: str) -> SourceLine | None:
    """A "(Yomiuri: May 16, 2015 – p. 2)" or "(From The Japan News, May 3, 2017)" line."""
    match = re.fullmatch(r"\((?:from\s+|source:\s*)?(?P<inside>[^()]{3,120})\)", line, re.IGNORECASE)
    if not match:
        return None
    name, _, rest = _split_name(match["inside"])
    date_text, page = rest, ""
    pieces = re.split(r"\s+[-–—]\s+|,\s+(?=(?:p|pp|page)\.?\s*\d)", rest)
    if len(pieces) > 1 and (found := _PAGE.match(pieces[-1].strip())):
        date_text, page = " ".join(pieces[:-1]), re.sub(r"\s+", "", found["page"]).replace("–", "-")
    date = parse_date(date_text.strip(" ,"))
    name = name.strip()
    if not name or word_count(name) > 6 or (date is None and not page):
        return None
    return SourceLine(name, date, date_text.strip(" ,"), page)


def _split_name(inside: str) -> tuple[str, str, str]:
    for sep in (":", ","):
        if sep in inside:
            name, rest = inside.split(sep, 1)
            return name, sep, rest.strip()
    return inside, "", ""


_DATE_PREFIX = re.compile(r"^(?:published|posted|first published|date|dated|issued)(?: on| at)?\s*:?\s*", re.IGNORECASE)
_UPDATED = re.compile(r"^(?:updated|last updated|modified|last modified)\b", re.IGNORECASE)
_TIME_SUFFIX = re.compile(
    r"(?:\s*[|,·•–-]?\s*(?:at\s+)?\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s*\(?[A-Z]{2,5}\)?)?)$", re.IGNORECASE
)


def date_line(line: str) -> tuple[PartialDate | None, bool]:
    """For a line that is only a date: (the publication date, False) for "Published: May 16,
    2015 10:30 JST", (None, True) for "Updated: May 17, 2015", which dates no publication.
    (None, False) for any other line."""
    if len(line) > 80:
        return None, False
    updated = bool(_UPDATED.match(line))
    text = _UPDATED.sub("", line).strip(" :") if updated else _DATE_PREFIX.sub("", line)
    date = parse_date(_TIME_SUFFIX.sub("", text).strip(" ,|·"))
    if updated:
        return None, date is not None
    return date, False


# --- Titles -------------------------------------------------------------------------------

TITLE_LIMIT = 120
_ABBREVIATIONS = set(
    """mr mrs ms dr st gen sen rep gov lt col maj capt sgt prof jr sr no vs inc co corp ltd jan feb
    mar apr jun jul aug sep sept oct nov dec u.s u.k u.n e.u a.m p.m etc approx dept est fig mt""".split()
)


def first_sentence(text: str) -> str:
    """The first sentence of a paragraph, skipping full stops after abbreviations and initials."""
    for match in re.finditer(r"[.!?。！？][\"'’”»)\]]*(?=\s+[\"'‘“«(]?[A-Z0-9À-ÖØ-ÞА-ЯЁ]|\s*$)|[。！？]", text):
        end = match.end()
        before = re.search(r"([\w.]+)\.$", text[: match.start() + 1])
        if match.group().startswith(".") and before:
            token = before.group(1).lower().rstrip(".")
            if token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
                continue
        return text[:end].strip()
    return text.strip()


def title_from(paragraph: str) -> str:
    """A title made from a paragraph's first sentence: at most 120 characters, cut at a word."""
    sentence = first_sentence(paragraph)
    if len(sentence) <= TITLE_LIMIT:
        return re.sub(r"(?<![.])\.$", "", sentence)
    cut = sentence[: TITLE_LIMIT - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:-–—") + "…"
