"""Articles from plain text copied off the web, page clutter and all.

The shape such text takes: page furniture (menus, section labels, app pitches), a headline,
perhaps a byline or a "(Paper: date – p. N)" line, the article's paragraphs, then more
furniture (credits, tag lists, "Related stories", subscription pitches). The article starts at
its first paragraph of prose; the headline is the short line right before it; everything above
the headline is furniture, searched only for who published the text, who wrote it and when.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from archive.ingest import lines
from archive.ingest.dates import PartialDate
from archive.ingest.result import Extracted, ExtractionError
from archive.ingest.sources import is_source_name, match_source, sources_named_in


@dataclass
class _Unit:
    """A line, or a hard-wrapped block joined into one line, with what kind of line it is."""

    text: str
    clutter: str = ""
    byline: str = ""
    source: lines.SourceLine | None = None
    date: PartialDate | None = None
    updated: bool = False
    read_more: tuple[str, str] | None = None
    list_heading: bool = False
    tag: bool = False

    @property
    def is_meta(self) -> bool:
        return bool(self.byline or self.source or self.date or self.updated or self.read_more)

    @property
    def is_article_text(self) -> bool:
        return not (self.clutter or self.is_meta or self.list_heading or self.tag)


@dataclass
class _Evidence:
    """A publisher named by the input, where, and how much to trust it (lower is better)."""

    rank: int
    name: str
    where: str
    homepage: str = ""


@dataclass
class _Found:
    """What the lines around the article say about it: byline, date and printed page."""

    byline: str = ""
    byline_from: str = ""
    date: PartialDate | None = None
    date_from: str = ""
    page: str = ""


def extract_plain(text: str, known_sources: Sequence[str] = ()) -> Extracted:
    units = [_classify(u) for u in _units(text)]
    start = _first_prose(units)
    if start is None:
        raise ExtractionError("no article text found")
    notes: list[str] = []
    dropped: list[str] = []
    evidence: list[_Evidence] = []
    found = _Found()

    # Walk up from the first prose paragraph: metadata and clutter, short sentences that
    # belong to the article, then (perhaps) the headline.
    headline_at = None
    i = start - 1
    while i >= 0:
        unit = units[i]
        if unit.is_meta or unit.clutter or unit.list_heading or unit.tag:
            i -= 1
            continue
        if lines.is_headline_like(unit.text) and not lines.ends_with_full_stop(unit.text):
            headline_at = i
        elif lines.ends_sentence(unit.text) and lines.word_count(unit.text) >= 2:
            start = i
            i -= 1
            continue
        break
    top = headline_at if headline_at is not None else start
    for index, unit in enumerate(units[:start]):
        if index == headline_at:
            continue
        _read_header_unit(unit, index < top, known_sources, found, evidence, dropped)

    paragraphs = _body(units[start:], known_sources, found, evidence, dropped, notes)
    if not paragraphs:
        raise ExtractionError("no article text found")

    result = Extracted(title="", lead=paragraphs[0], body="\n\n".join(paragraphs[1:]))
    if headline_at is not None:
        result.title = units[headline_at].text
    result.byline = found.byline
    if found.byline_from:
        notes.append(f"Byline from the line “{found.byline_from}”.")
    _set_date(result, found, notes)
    result.print_page = found.page
    _set_source(result, evidence, known_sources, notes)
    if dropped:
        notes.append(_dropped_note(dropped))
    result.notes = notes
    return result


# --- Reading the text into units ----------------------------------------------------------


def _units(text: str) -> list[str]:
    """Blocks split at blank lines; a hard-wrapped block becomes one unit, others one per line."""
    units = []
    block: list[str] = []
    for raw in [*text.splitlines(), ""]:
        # Markdown headings ("# Headline") are headlines without their marks.
        line = re.sub(r"^#{1,6}\s+", "", lines.clean(raw))
        if line:
            block.append(line)
            continue
        if block:
            units.extend([" ".join(block)] if _hard_wrapped(block) else block)
            block = []
    return units


def _hard_wrapped(block: list[str]) -> bool:
    """Lines cut at a fixed width (e-mail, wire copy): every line but the last near the widest.

    Blocks of separate short items (a page's menus, a pitch) vary in length and stay lines.
    """
    if len(block) < 2:
        return False
    widest = max(len(line) for line in block)
    return (
        50 <= widest <= 100
        and all(len(line) >= 0.6 * widest for line in block[:-1])
        and not any(line.startswith(("•", "*", "-", "·")) for line in block[1:])
    )


def _classify(text: str) -> _Unit:
    unit = _Unit(text)
    unit.tag = lines.is_tag_bullet(text)
    if unit.tag:
        return unit
    unit.read_more = lines.read_more(text)
    unit.source = lines.source_line(text)
    if unit.read_more or unit.source:
        return unit
    unit.date, unit.updated = lines.date_line(text)
    if unit.date or unit.updated:
        return unit
    unit.list_heading = lines.is_list_heading(text)
    unit.clutter = "" if unit.list_heading else lines.clutter_kind(text)
    if not unit.clutter and not unit.list_heading:
        unit.byline = lines.parse_byline(text)
    return unit


def _first_prose(units: list[_Unit]) -> int | None:
    for index, unit in enumerate(units):
        if unit.is_article_text and lines.is_prose(unit.text):
            return index
    # No paragraph of prose: the first line of text that is not furniture will have to do.
    for index, unit in enumerate(units):
        if unit.is_article_text and sum(c.isalpha() for c in unit.text) >= 2:
            return index
    return None


# --- Above the article --------------------------------------------------------------------


def _read_header_unit(
    unit: _Unit,
    above_headline: bool,
    known_sources: Sequence[str],
    found: _Found,
    evidence: list[_Evidence],
    dropped: list[str],
) -> None:
    if unit.source:
        _take_source_line(unit, found, evidence)
    elif unit.read_more:
        name, url = unit.read_more
        evidence.append(_Evidence(1, name, f"the line “{unit.text}”", url))
    elif unit.date:
        if found.date is None:
            found.date, found.date_from = unit.date, f"the line “{unit.text}”"
    elif unit.byline:
        if not found.byline:
            found.byline, found.byline_from = unit.byline, unit.text
    elif unit.updated:
        dropped.append(unit.text)
    elif above_headline and not unit.clutter and (named := sources_named_in(unit.text, known_sources)):
        evidence.append(_Evidence(2, named[0], f"the line “{unit.text}” above the headline"))
    else:
        dropped.append(unit.text)


def _take_source_line(unit: _Unit, found: _Found, evidence: list[_Evidence]) -> None:
    source = unit.source
    evidence.append(_Evidence(0, source.name, f"“{unit.text}”"))
    if source.date and found.date is None:
        found.date, found.date_from = source.date, f"“{unit.text}”"
    if source.page and not found.page:
        found.page = source.page


# --- The article --------------------------------------------------------------------------


def _body(
    units: list[_Unit],
    known_sources: Sequence[str],
    found: _Found,
    evidence: list[_Evidence],
    dropped: list[str],
    notes: list[str],
) -> list[str]:
    paragraphs: list[str] = []
    in_list = False
    for unit in units:
        if unit.list_heading:
            in_list = True
            dropped.append(unit.text)
            continue
        if in_list and not (unit.is_article_text and lines.is_prose(unit.text)):
            dropped.append(unit.text)
            continue
        in_list = False
        if unit.source:
            _take_source_line(unit, found, evidence)
        elif unit.read_more:
            name, url = unit.read_more
            evidence.append(_Evidence(1, name, f"the line “{unit.text}”", url))
        elif unit.clutter or unit.tag or unit.updated:
            dropped.append(unit.text)
        elif paragraphs and (is_source_name(unit.text, known_sources) or _is_read_more_name(unit.text, evidence)):
            notes.append(f"Dropped the credit line “{unit.text}” inside the article.")
        elif paragraphs and unit.text[:1].islower():
            notes.append(
                f"Joined “{_clip(unit.text)}” to the paragraph before it: it begins in lowercase, "
                "so a stray line break had split the sentence."
            )
            paragraphs[-1] = f"{paragraphs[-1]} {unit.text}"
        else:
            paragraphs.append(unit.text)
    return paragraphs


def _is_read_more_name(text: str, evidence: list[_Evidence]) -> bool:
    return any(e.rank <= 1 and e.name.casefold() == text.casefold() for e in evidence)


# --- Metadata -----------------------------------------------------------------------------


def _set_date(result: Extracted, found: _Found, notes: list[str]) -> None:
    if found.date:
        result.published_on, result.date_precision = found.date
        notes.append(f"Date ({found.date.describe()}, {found.date.precision} precision) from {found.date_from}.")
    else:
        notes.append("The text states no date of publication; the date is left unknown.")


def _set_source(result: Extracted, evidence: list[_Evidence], known_sources: Sequence[str], notes: list[str]) -> None:
    evidence.sort(key=lambda e: e.rank)
    if not evidence:
        return
    chosen = evidence[0]
    result.source_name, known = match_source(chosen.name, known_sources)
    result.source_homepage = next(
        (e.homepage for e in evidence if e.homepage and match_source(e.name, known_sources)[0] == result.source_name),
        "",
    )
    if chosen.rank == 0 and result.print_page:
        notes.append(f"Source, date and page from {chosen.where}.")
    else:
        notes.append(f"Source from {chosen.where}.")
    if not known and known_sources:
        notes.append(f"“{result.source_name}” is not a source in the archive yet.")
    others = {match_source(e.name, known_sources)[0] for e in evidence[1:]} - {result.source_name}
    for other in sorted(others):
        notes.append(f"The text also names “{other}” as a publisher; check which is right.")


def _dropped_note(dropped: list[str]) -> str:
    shown = ", ".join(f"“{_clip(text)}”" for text in dropped[:8])
    more = f" and {len(dropped) - 8} more lines" if len(dropped) > 8 else ""
    return f"Removed page clutter and labels outside the article: {shown}{more}."


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
