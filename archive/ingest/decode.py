"""From the bytes of an uploaded file to text, or a refusal an editor can act on.

The order of trust: a byte-order mark, then the charset an HTML page declares, then UTF-8,
then charset-normalizer's guess (noted, since it is a guess). Binary files are refused before
any guessing, so that a PDF or an image never turns into a page of mojibake.
"""

import codecs
import re
import unicodedata
from typing import NamedTuple

from charset_normalizer import from_bytes

from archive.ingest.result import MAX_BYTES, ExtractionError

_BOMS = [
    # UTF-32 first: its little-endian mark begins with UTF-16's.
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
_HTML_START = re.compile(
    r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*"
    r"<(?:!doctype\s+html|html|head|body|meta|title|article|main|section|div|p|h1)\b",
    re.IGNORECASE | re.DOTALL,
)
_DECLARED = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)""", re.IGNORECASE
)
# Browsers read these labels as windows-1252 (WHATWG Encoding), and so do we.
_AS_WINDOWS_1252 = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "us-ascii", "ascii", "cp819"}
_SAMPLE = 64 * 1024


class Decoded(NamedTuple):
    text: str
    is_html: bool
    notes: list[str]


def decode(data: bytes, filename: str = "") -> Decoded:
    """The file's text and whether it is HTML; ExtractionError when it is not text at all."""
    if len(data) > MAX_BYTES:
        raise ExtractionError(f"file too large (over {MAX_BYTES // (1024 * 1024)} MB)")
    if not data:
        raise ExtractionError("empty file")
    bom_encoding = next((encoding for bom, encoding in _BOMS if data.startswith(bom)), None)
    if bom_encoding is None:
        _refuse_binary_bytes(data)
    notes: list[str] = []
    if bom_encoding:
        text = _decode_with_bom(data, bom_encoding)
    else:
        text = _decode_without_bom(data, filename, notes)
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ExtractionError("empty file (only whitespace)")
    _refuse_binary_text(text)
    if "\x00" in text:
        # A stray NUL past the part checked for binary, or in a file with a byte-order
        # mark: no text holds one, and PostgreSQL refuses to store it.
        text = text.replace("\x00", "")
        notes.append("The file held NUL characters, which text cannot; they were removed.")
    # A .html name counts only when there is markup: text saved under a web page's name is text.
    named_html = filename.lower().endswith((".html", ".htm", ".xhtml")) and bool(re.search(r"<[A-Za-z!/]", text))
    is_html = bool(_HTML_START.match(text[:4096])) or named_html
    return Decoded(text, is_html, notes)


def _decode_with_bom(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeError:
        raise ExtractionError(
            f"cannot decode the text (it starts with a {encoding.upper()} mark but is not {encoding.upper()})"
        ) from None


def _decode_without_bom(data: bytes, filename: str, notes: list[str]) -> str:
    tried = []
    declared = (
        _declared_charset(data) if data.lstrip()[:1] == b"<" or filename.lower().endswith((".html", ".htm")) else ""
    )
    if declared:
        tried.append(f"the declared {declared}")
        # A page declaring a single-byte charset that is really UTF-8 (a common CMS slip)
        # would come out as mojibake: valid non-ASCII UTF-8 is never an accident.
        if _is_single_byte(declared) and not data.isascii() and _utf8(data) is not None:
            notes.append(f"The page declares {declared} but its text is UTF-8; read as UTF-8.")
            return _utf8(data)
        try:
            return data.decode(declared)
        except (UnicodeError, LookupError):  # "undefined" and "punycode" raise UnicodeError itself
            notes.append(
                f"The page declares {declared}, which does not fit its bytes; the encoding was detected instead."
            )
    tried.append("UTF-8")
    if (text := _utf8(data)) is not None:
        return text
    tried.append("charset detection")
    best = from_bytes(data[:_SAMPLE] if len(data) > _SAMPLE else data).best()
    if best is not None:
        try:
            text = data.decode(best.encoding)
        except (UnicodeError, LookupError):
            text = None
        if text is not None:
            notes.append(
                f"The file is not UTF-8; its encoding was detected as {best.encoding}. Check accented letters and quotes."
            )
            return text
    raise ExtractionError(f"cannot decode the text (tried {', '.join(tried)})")


def _utf8(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _declared_charset(data: bytes) -> str:
    match = _DECLARED.search(data[:4096])
    if not match:
        return ""
    label = (match[1] or match[2]).decode("ascii", "replace").strip().lower()
    if label in _AS_WINDOWS_1252:
        return "windows-1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return label


def _is_single_byte(encoding: str) -> bool:
    try:
        return codecs.lookup(encoding).name.startswith(("cp", "iso8859", "windows", "latin", "koi8", "mac"))
    except LookupError:
        return False


def _refuse_binary_bytes(data: bytes) -> None:
    sample = data[:_SAMPLE]
    if b"\x00" in sample:
        raise ExtractionError("binary file, not text or HTML")
    controls = sum(1 for byte in sample if byte < 0x20 and byte not in b"\t\n\r\f\v\x1b") + sample.count(0x7F)
    if controls > max(2, len(sample) // 100):
        raise ExtractionError("binary file, not text or HTML")


def _refuse_binary_text(text: str) -> None:
    sample = text[:_SAMPLE]
    odd = sum(
        1
        for char in sample
        if char == "\ufffd" or (unicodedata.category(char) in {"Cc", "Co", "Cn", "Cs"} and char not in "\t\n\r\f\v")
    )
    if odd > max(2, len(sample) // 20):
        raise ExtractionError("binary file, not text or HTML")
