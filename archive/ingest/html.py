"""Articles from saved web pages.

trafilatura finds the main text (and drops menus, footers, comments and tables); the page's
own metadata is read here with lxml, because trafilatura keeps only one value per field and
does not say where it came from: JSON-LD NewsArticle, Open Graph and article:* meta tags,
<time datetime>, <link rel=canonical> and <html lang>. Every value says where it came from in
a note, and no date is taken from anything but the page (never from a clock).
"""

import json
import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import trafilatura
from lxml import etree
from lxml import html as lxml_html
from trafilatura.settings import Document

from archive.ingest import lines
from archive.ingest.dates import PartialDate, parse_date
from archive.ingest.result import Extracted, ExtractionError
from archive.ingest.sources import is_source_name, match_source

logger = logging.getLogger(__name__)

_ARTICLE_TYPES = {
    "newsarticle", "article", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
    "backgroundnewsarticle", "reviewnewsarticle", "askpublicnewsarticle", "blogposting",
    "socialmediaposting", "liveblogposting", "report", "scholarlyarticle", "techarticle",
}  # fmt: skip
# Meta tags that carry a publication date, most specific first (property, name or itemprop).
_DATE_META = [
    "article:published_time", "og:article:published_time", "datepublished", "pubdate", "publishdate",
    "publish-date", "publish_date", "dc.date.issued", "dcterms.issued", "dc.date", "date",
    "sailthru.date", "parsely-pub-date", "citation_publication_date",
]  # fmt: skip
# An author of these types is the outlet itself, not a byline.
_ORGANISATIONS = {"organization", "newsmediaorganization", "corporation"}
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")


@dataclass
class _Page:
    """What the page's markup says about itself, each value with where it was found."""

    article: dict = field(default_factory=dict)  # the JSON-LD NewsArticle, if any
    by_id: dict = field(default_factory=dict)  # JSON-LD nodes by @id, for references
    meta: dict[str, str] = field(default_factory=dict)
    canonical: str = ""
    html_lang: str = ""
    time_datetime: str = ""
    h1: str = ""
    title_tag: str = ""
    jsonld_errors: int = 0


def extract_html(text: str, known_sources: Sequence[str] = ()) -> Extracted:
    page = _read_page(text)
    document, notes = _main_text(text)
    blocks = _blocks(document.body) if document is not None else []

    result = Extracted(title="", lead="", body="")
    result.notes = notes
    title, title_from = _title(page, document, known_sources)
    found = _article_text(blocks, title, known_sources)
    result.notes.extend(found.notes)
    if not title and found.blocks and found.blocks[0][0] == "head":
        title, title_from = found.blocks.pop(0)[1], "the first heading of the text"
    paragraphs = [text for _, text in found.blocks]
    while paragraphs and not any(c.isalpha() for c in paragraphs[0]):
        paragraphs.pop(0)
    if not paragraphs:
        raise ExtractionError("no article text found")
    result.title = title
    if title and title_from not in {"JSON-LD headline", "og:title", "the page's <h1>"}:
        result.notes.append(f"Title from {title_from}.")
    result.lead, result.body = paragraphs[0], "\n\n".join(paragraphs[1:])

    _set_byline(result, page, document, found)
    _set_date(result, page, found)
    _set_addresses(result, page)
    _set_source(result, page, known_sources, found)
    if found.source_line:
        result.print_page = lines.source_line(found.source_line).page
        if result.print_page:
            result.notes.append(f"Printed page from “{found.source_line}”.")
    result.language = _language(page)
    if page.jsonld_errors:
        result.notes.append("The page's JSON-LD metadata is not valid JSON and was not read.")
    return result


# --- Reading the markup -------------------------------------------------------------------


def _read_page(text: str) -> _Page:
    page = _Page()
    try:
        root = lxml_html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return page
    page.html_lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang") or ""
    for node in root.iter("meta"):
        key = node.get("property") or node.get("name") or node.get("itemprop") or node.get("http-equiv") or ""
        content = node.get("content")
        if key and content and content.strip():
            page.meta.setdefault(key.strip().lower(), lines.clean(content))
    for link in root.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            page.canonical = link.get("href").strip()
            break
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() == "application/ld+json":
            _read_jsonld(script.text or "", page)
    page.time_datetime = _time_datetime(root)
    h1 = root.find(".//h1")
    page.h1 = lines.clean(h1.text_content()) if h1 is not None else ""
    title = root.find(".//title")
    page.title_tag = lines.clean(title.text_content()) if title is not None else ""
    return page


def _read_jsonld(raw: str, page: _Page) -> None:
    raw = re.sub(r"^\s*(?:<!--|<!\[CDATA\[)|(?:-->|\]\]>)\s*$", "", raw.strip())
    try:
        data = json.loads(raw, strict=False)
    except (ValueError, RecursionError):  # not JSON, or nested deeper than the parser goes
        page.jsonld_errors += 1
        return
    for node in _nodes(data):
        if isinstance(node.get("@id"), str):
            page.by_id.setdefault(node["@id"], node)
        types = node.get("@type")
        types = {t.lower() for t in (types if isinstance(types, list) else [types]) if isinstance(t, str)}
        if types & _ARTICLE_TYPES and not page.article:
            page.article = node


def _nodes(data: object) -> Iterator[dict]:
    """Every JSON object in a JSON-LD document, @graph members included."""
    stack = [data]
    while stack:
        item = stack.pop(0)
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            yield item
            stack.extend(v for v in item.values() if isinstance(v, (list, dict)))


def _time_datetime(root: lxml_html.HtmlElement) -> str:
    """The date an element marks as the article's: itemprop="datePublished" (microdata), a
    <time pubdate>, or else the first <time datetime> inside the <article>. A <time> in a page
    header or a sidebar is often today's date or another story's, so it is not used."""
    for element in root.xpath("//*[@itemprop='datePublished']"):
        value = element.get("datetime") or element.get("content") or element.text_content()
        if value and value.strip():
            return lines.clean(value)
    marked = root.xpath("//time[@datetime][@pubdate or contains(@class, 'publish')]")
    if not marked:
        marked = root.xpath("//article//time[@datetime][not(ancestor::aside or ancestor::nav or ancestor::footer)]")
    return marked[0].get("datetime").strip() if marked else ""


def _resolve(value: object, page: _Page) -> object:
    # An @id that is not a string (a list, an object) names no node.
    if (
        isinstance(value, dict)
        and set(value) <= {"@id", "@type"}
        and isinstance(value.get("@id"), str)
        and (value["@id"] in page.by_id)
    ):
        return page.by_id[value["@id"]]
    return value


# --- The main text ------------------------------------------------------------------------


def _main_text(text: str) -> tuple[Document | None, list[str]]:
    """trafilatura's main text (favouring precision), or its balanced reading when precision
    keeps nothing; (document or None, notes)."""
    options = {
        "include_comments": False,
        "include_tables": False,
        "with_metadata": True,
        # Its date is not used (see _set_date); the quick search keeps the unused work small.
        "date_extraction_params": {"extensive_search": False, "original_date": True},
    }
    for precision, note in [
        (True, []),
        (False, ["The page's main text was found with trafilatura's broader settings; check its edges."]),
    ]:
        try:
            document = trafilatura.bare_extraction(text, favor_precision=precision, **options)
        except Exception:  # trafilatura on broken markup: the file is refused, not the import
            logger.warning("trafilatura failed on a page", exc_info=True)
            document = None
        if document is not None and document.body is not None and len(document.body):
            return document, list(note)
    return None, []


def _blocks(body: etree._Element) -> list[tuple[str, str]]:
    """The text's blocks as (kind, text): "p" paragraphs and quotes, "head" headings, "item"
    list items (as "• item"). Blocks nested in others (paragraphs in a quote) stay separate."""
    blocks = []
    for element in body:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in {"table", "graphic", "ref"}:
            continue
        if tag == "list":
            for item in element.iter("item"):
                text = lines.clean(" ".join(item.itertext()))
                if text:
                    blocks.append(("item", f"• {text}"))
            continue
        if tag in {"quote", "div"} and any(child.tag in {"p", "head", "list", "quote"} for child in element):
            blocks.extend(_blocks(element))
            continue
        text = lines.clean(" ".join(element.itertext()))
        if text:
            blocks.append(("head" if tag == "head" else "p", text))
    return blocks


@dataclass
class _TextFindings:
    """The article's blocks, and what lines around them said about it."""

    blocks: list[tuple[str, str]] = field(default_factory=list)
    byline: str = ""
    byline_line: str = ""
    date_line: str = ""
    read_more: list[tuple[str, str]] = field(default_factory=list)
    source_line: str = ""  # "(Yomiuri: May 16, 2015 – p. 2)"
    notes: list[str] = field(default_factory=list)


def _article_text(blocks: list[tuple[str, str]], title: str, known_sources: Sequence[str]) -> _TextFindings:
    """The blocks that are the article: no repeated headline, byline, date line or clutter."""
    found = _TextFindings()
    kept = found.blocks
    dropped: list[str] = []
    in_list = False
    for kind, text in blocks:
        at_top = not any(k == "p" for k, _ in kept)
        if title and _same(text, title) and at_top:
            continue
        if lines.is_list_heading(text):
            in_list = True
            dropped.append(text)
            continue
        if in_list and not lines.is_prose(text):
            dropped.append(text)
            continue
        in_list = False
        if lines.clutter_kind(text):
            dropped.append(text)
        elif read_more := lines.read_more(text):
            found.read_more.append(read_more)
        elif lines.source_line(text):
            found.source_line = found.source_line or text
        elif at_top and (byline := lines.parse_byline(text)):
            found.byline, found.byline_line = found.byline or byline, found.byline_line or text
        elif at_top and lines.date_line(text)[0]:
            found.date_line = found.date_line or text
        elif at_top and lines.date_line(text)[1]:
            dropped.append(text)  # "Updated: …" dates no publication
        elif kept and kind == "p" and len(text) < 60 and is_source_name(text, known_sources):
            found.notes.append(f"Dropped the credit line “{text}” inside the article.")
        else:
            kept.append((kind, text))
    # Before the first paragraph of prose: kickers, a repeated headline, what is left of a
    # date line ("Published", "Issue 4 ·"). Short sentences there still belong to the article.
    first_prose = next((i for i, (kind, text) in enumerate(kept) if kind == "p" and lines.is_prose(text)), 0)
    for kind, text in kept[:first_prose]:
        if kind == "head" and not title:
            continue
        if kind == "head" or not lines.ends_sentence(text):
            dropped.append(text)
            kept.remove((kind, text))
    if dropped:
        shown = ", ".join(f"“{t if len(t) <= 60 else t[:59] + '…'}”" for t in dropped[:8])
        more = f" and {len(dropped) - 8} more" if len(dropped) > 8 else ""
        found.notes.append(f"Removed page clutter from the text: {shown}{more}.")
    return found


def _same(a: str, b: str) -> bool:
    return re.sub(r"\W+", "", a.casefold()) == re.sub(r"\W+", "", b.casefold())


# --- Metadata -----------------------------------------------------------------------------


def _title(page: _Page, document: Document | None, known_sources: Sequence[str]) -> tuple[str, str]:
    site_names = [page.meta.get("og:site_name", ""), _publisher(page)[0], *known_sources]
    candidates = [
        (_text(page.article.get("headline")), "JSON-LD headline"),
        (page.meta.get("og:title", ""), "og:title"),
        (page.h1, "the page's <h1>"),
        (getattr(document, "title", "") or "", "trafilatura's reading of the page"),
        (page.title_tag, "the page's <title>"),
    ]
    for text, where in candidates:
        text = _strip_site_name(lines.clean(text), site_names)
        if text:
            return text, where
    return "", ""


def _strip_site_name(title: str, site_names: Sequence[str]) -> str:
    """The title without the site's name around it: "Headline | The Japan News" is "Headline"."""
    for name in filter(None, site_names):
        for sep in (" | ", " - ", " – ", " — ", " :: ", " · "):
            if title.casefold().endswith((sep + name).casefold()):
                return title[: -len(sep + name)].strip()
            if title.casefold().startswith((name + sep).casefold()):
                return title[len(name + sep) :].strip()
    return title


def _text(value: object) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return lines.clean(value) if isinstance(value, str) else ""


def _set_byline(result: Extracted, page: _Page, document: Document | None, found: _TextFindings) -> None:
    if found.byline:
        result.byline = found.byline
        result.notes.append(f"Byline from the line “{found.byline_line}” in the text.")
        return
    names = _jsonld_authors(page)
    if names:
        result.byline = ", ".join(names)
        result.notes.append("Byline from the JSON-LD author.")
        return
    author = page.meta.get("author", "")
    if author and not author.startswith("http"):
        result.byline = author
        result.notes.append("Byline from the page's author meta tag.")
        return
    author = getattr(document, "author", "") or ""
    if author:
        result.byline = lines.clean(author.replace(";", ","))
        result.notes.append("Byline found by trafilatura in the page's markup; check it.")


def _jsonld_authors(page: _Page) -> list[str]:
    authors = page.article.get("author")
    authors = authors if isinstance(authors, list) else [authors]
    names = []
    for author in authors:
        author = _resolve(author, page)
        if isinstance(author, str) and not author.strip().startswith("http"):
            names.append(lines.clean(author))
        elif isinstance(author, dict) and str(author.get("@type", "Person")).lower() not in _ORGANISATIONS:
            name = _text(author.get("name"))
            if name:
                names.append(name)
    return [name for name in names if name]


def _set_date(result: Extracted, page: _Page, found: _TextFindings) -> None:
    # trafilatura's own date (htmldate) is not used: it turns "2016-02-30" into 1 February
    # and reads dates out of URLs, which is guessing. Only dates the page states count.
    candidates = [(page.article.get("datePublished"), "JSON-LD datePublished")]
    candidates += [(page.meta.get(key), f"the {key} meta tag") for key in _DATE_META]
    candidates.append((page.time_datetime, "the article's marked-up date (<time datetime> or itemprop)"))
    if found.source_line:
        candidates.append((lines.source_line(found.source_line).date, f"“{found.source_line}” in the text"))
    if found.date_line:
        candidates.append((lines.date_line(found.date_line)[0], f"the line “{found.date_line}” in the text"))
    malformed = []
    for value, where in candidates:
        if not value:
            continue
        date = value if isinstance(value, PartialDate) else parse_date(_text(value))
        if date is None:
            malformed.append(f"“{_text(value)}” in {where}")
            continue
        result.published_on, result.date_precision = date
        result.notes.append(f"Date ({date.describe()}, {date.precision} precision) taken from {where}.")
        break
    for bad in malformed:
        result.notes.append(f"Ignored a date that is not a date: {bad}.")
    if result.published_on is None:
        result.notes.append("The page states no date of publication; the date is left unknown.")


def _set_addresses(result: Extracted, page: _Page) -> None:
    og_url = page.meta.get("og:url", "")
    base = og_url if _is_web_address(og_url) else ""
    candidates = [
        (urljoin(base, page.canonical) if page.canonical else "", "<link rel=canonical>"),
        (og_url, "og:url"),
        (_jsonld_url(page), "the JSON-LD url"),
    ]
    for url, where in candidates:
        if _is_web_address(url):
            result.canonical_url = url
            if where != "<link rel=canonical>":
                result.notes.append(f"Canonical URL from {where}.")
            break
    site_of = og_url if _is_web_address(og_url) else result.canonical_url
    if site_of:
        parts = urlsplit(site_of)
        result.source_homepage = f"{parts.scheme}://{parts.netloc}/"


def _jsonld_url(page: _Page) -> str:
    url = page.article.get("url") or page.article.get("mainEntityOfPage")
    if isinstance(url, dict):
        url = url.get("@id") or url.get("url")
    return _text(url)


def _is_web_address(url: str) -> bool:
    parts = urlsplit(url or "")
    return parts.scheme in {"http", "https"} and bool(parts.netloc) and " " not in url


def _publisher(page: _Page) -> tuple[str, str]:
    publisher = _resolve(page.article.get("publisher"), page)
    if isinstance(publisher, list):
        publisher = _resolve(publisher[0], page) if publisher else None
    if isinstance(publisher, str):
        return lines.clean(publisher), ""
    if isinstance(publisher, dict):
        url = _text(publisher.get("url"))
        return _text(publisher.get("name")), url if _is_web_address(url) else ""
    return "", ""


def _set_source(result: Extracted, page: _Page, known_sources: Sequence[str], found: _TextFindings) -> None:
    publisher, publisher_url = _publisher(page)
    read_more = found.read_more
    evidence = [
        (publisher, "the JSON-LD publisher", publisher_url),
        (page.meta.get("og:site_name", ""), "og:site_name", ""),
        (lines.source_line(found.source_line).name if found.source_line else "", f"“{found.source_line}”", ""),
        *[(name, "the “Read more from …” line", url) for name, url in read_more],
    ]
    evidence = [(name, where, url) for name, where, url in evidence if name]
    homepage_from_page = result.source_homepage
    if not evidence:
        if homepage_from_page:
            result.notes.append("Homepage is the site of the page's address; the page names no publisher.")
        return
    (name, where, url), others = evidence[0], evidence[1:]
    result.source_name, known = match_source(name, known_sources)
    result.notes.append(f"Source from {where} (“{name}”).")
    if not known and known_sources:
        result.notes.append(f"“{result.source_name}” is not a source in the archive yet.")
    for other, other_where, _ in others:
        if match_source(other, known_sources)[0] != result.source_name:
            result.notes.append(f"{other_where} names “{other}” instead; check which is right.")
    homepage = url or next(
        (u for n, _, u in others if u and match_source(n, known_sources)[0] == result.source_name), ""
    )
    if homepage:
        result.source_homepage = homepage
    elif homepage_from_page:
        result.notes.append("Source homepage is the site of the page's address.")


def _language(page: _Page) -> str:
    in_language = _resolve(page.article.get("inLanguage"), page)
    if isinstance(in_language, dict):
        in_language = in_language.get("alternateName") or in_language.get("name")
    for value in [
        page.html_lang,
        _text(in_language),
        page.meta.get("og:locale", ""),
        page.meta.get("content-language", ""),
    ]:
        value = (value or "").strip().split(",")[0].strip()
        if value and _LANGUAGE_TAG.match(value):
            return _bcp47(value)
    return ""


def _bcp47(tag: str) -> str:
    """A language tag in BCP 47 case: "en_us" is "en-US", a script is title case ("sr-Latn")."""
    parts = tag.replace("_", "-").split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 2 and part.isalpha():
            out.append(part.upper())
        elif len(part) == 4 and part.isalpha():
            out.append(part.title())
        else:
            out.append(part.lower())
    return "-".join(out)
