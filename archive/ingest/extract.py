"""The importer's extraction layer: one uploaded file in, one article's fields out.

    extract(data, filename="", known_sources=()) -> Extracted   # or raises ExtractionError

Pure Python, no database: the importer (which knows the archive's sources and decides about
duplicates) builds on it. The rules are in the helper modules: `decode` (bytes to text),
`plaintext` and `html` (the two kinds of input), `lines` (what a line of web text is),
`dates` and `sources`. What happens here is what both kinds share: the dateline, a title for
a text without a headline, and the limits of the Article model's fields.
"""

from collections.abc import Sequence

from archive.ingest import lines
from archive.ingest.decode import decode
from archive.ingest.html import extract_html
from archive.ingest.plaintext import extract_plain
from archive.ingest.result import MAX_BYTES, Extracted, ExtractionError
from archive.ingest.sources import match_source

__all__ = ["MAX_BYTES", "Extracted", "ExtractionError", "extract"]

# The Article model's field sizes (archive.models.Article); longer values would not save.
_MIN_LETTERS = 20
_MAX_TITLE, _MAX_BYLINE, _MAX_DATELINE, _MAX_PAGE, _MAX_URL, _MAX_LANGUAGE = 500, 300, 100, 50, 1000, 16


def extract(data: bytes, filename: str = "", known_sources: Sequence[str] = ()) -> Extracted:
    """The article in `data` (HTML or plain text, decided by its content or a .html name).

    `known_sources` are the archive's Source names: a publisher the input names is returned
    as one of them when it is one (exactly, or by a distinctive word such as "Yomiuri"), and
    as written otherwise. Raises ExtractionError, with a reason an editor can read, for files
    that are empty, binary, undecodable, over MAX_BYTES, or hold no article text.
    """
    known_sources = [name for name in known_sources if name and name.strip()]
    decoded = decode(data, filename)
    if decoded.is_html:
        result = extract_html(decoded.text, known_sources)
    else:
        result = extract_plain(decoded.text, known_sources)
    result.notes[:0] = decoded.notes
    _finish(result, known_sources)
    return result


def _finish(result: Extracted, known_sources: Sequence[str]) -> None:
    # A line or two of stray letters (a menu, a caption, a decoded binary) is not an article.
    if sum(char.isalpha() for char in result.lead + result.body) < _MIN_LETTERS:
        raise ExtractionError("no article text found")
    _take_dateline(result, known_sources)
    if not result.title:
        result.title = lines.title_from(result.lead)
        result.title_supplied = True
        result.notes.insert(0, "No headline in the text; the title is its first sentence.")
    _fit_model(result)


def _take_dateline(result: Extracted, known_sources: Sequence[str]) -> None:
    dateline = lines.split_dateline(result.lead)
    if dateline is None or not dateline.rest:
        return
    result.dateline, result.lead = dateline.place, dateline.rest
    result.notes.append(f"Dateline “{dateline.place}” taken out of the opening paragraph.")
    if dateline.day_text:
        result.notes.append(f"The dateline gives “{dateline.day_text}” without a year; it was not used as the date.")
    if dateline.agency:
        name, known = match_source(dateline.agency, known_sources)
        if not result.source_name and known:
            result.source_name = name
            result.notes.append(f"Source from the dateline's credit “({dateline.agency})”.")
        else:
            result.notes.append(f"The dateline credits “{dateline.agency}”.")


def _fit_model(result: Extracted) -> None:
    if len(result.title) > _MAX_TITLE:
        result.title = result.title[: _MAX_TITLE - 1].rsplit(" ", 1)[0] + "…"
        result.notes.append(f"The title was longer than {_MAX_TITLE} characters and was cut.")
    if len(result.byline) > _MAX_BYLINE:
        result.notes.append(f"The byline was longer than {_MAX_BYLINE} characters and was cut.")
        result.byline = result.byline[: _MAX_BYLINE - 1].rsplit(" ", 1)[0] + "…"
    result.dateline = result.dateline[:_MAX_DATELINE]
    result.print_page = result.print_page[:_MAX_PAGE]
    if len(result.canonical_url) > _MAX_URL:
        result.notes.append(f"The canonical URL was longer than {_MAX_URL} characters and was left out.")
        result.canonical_url = ""
    if len(result.language) > _MAX_LANGUAGE:
        result.language = ""
