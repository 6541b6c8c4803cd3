"""Bytes to text: BOM, then the HTTP header's charset, then the document's own declaration, then detection.

Declared labels are mapped as browsers map them (WHATWG Encoding Standard): pages labelled ISO-8859-1
are really windows-1252, Shift_JIS pages use Microsoft's extensions, GB2312/GBK pages are GB18030.
"""

import codecs
import re

from charset_normalizer import from_bytes

from app.errors import UnsupportedFormat

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE, whose BOM is its prefix
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9_.:-]+)["']""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*\"?([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_WHATWG = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "iso-8859-9": "cp1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "windows-31j": "cp932",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "utf8": "utf-8",
    "unicode": "utf-8",  # a meta tag cannot truly declare UTF-16; such pages are served as UTF-8
    "utf-16": "utf-8",
}
# What browsers can decode (WHATWG): detection never guesses DOS or Mac code pages no web page uses.
_WEB_ENCODINGS = [
    "utf_8", "cp1252", "cp1250", "cp1251", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257", "cp1258",
    "iso8859_2", "iso8859_5", "iso8859_7", "iso8859_15", "koi8_r", "koi8_u", "cp866", "cp874",
    "gb18030", "big5", "cp932", "euc_jp", "iso2022_jp", "cp949",
]  # fmt: skip
_SINGLE_BYTE = frozenset(codecs.lookup(n).name for n in _WEB_ENCODINGS[1:18])
_GARBAGE = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd]")  # control characters but tab/newlines/form feed
_SNIFF_BYTES = 4096
_DETECT_BYTES = 65536


def charset_from_content_type(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header, if any."""
    match = _HEADER_CHARSET.search(content_type or "")
    return match.group(1) if match else None


def codec_for(label: str | None) -> str | None:
    """The Python codec for a declared label, as a browser would read it; None for unknown labels."""
    if not label:
        return None
    name = _WHATWG.get(label.strip().lower(), label.strip().lower())
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def declared_encoding(data: bytes, content_type: str | None = None) -> str | None:
    """The encoding the transport or the document declares: header first, then <meta> or <?xml?>."""
    head = data[:_SNIFF_BYTES]
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    for label in (charset_from_content_type(content_type), match.group(1).decode("ascii") if match else None):
        codec = codec_for(label)
        if codec:
            return codec
    return None


def decode(data: bytes, *, content_type: str | None = None) -> str:
    """Decode a document; raise UnsupportedFormat for bytes that are not text at all."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    utf8 = _as_utf8(data)
    declared = declared_encoding(data, content_type)
    if declared:
        # Pages that declare a legacy single-byte charset but are valid UTF-8 with multi-byte sequences are
        # UTF-8 (a common CMS bug): such byte runs are vanishingly rare in real single-byte text.
        if utf8 is not None and declared in _SINGLE_BYTE and not data.isascii():
            return utf8
        try:
            return data.decode(declared)
        except UnicodeDecodeError:
            pass  # the declaration is wrong; the bytes decide
    if utf8 is not None:
        return utf8
    if b"\x00" in data[:_SNIFF_BYTES]:
        raise UnsupportedFormat("the document looks binary (NUL bytes), not text")
    best = from_bytes(data[:_DETECT_BYTES], cp_isolation=_WEB_ENCODINGS).best()
    if best is None:
        raise UnsupportedFormat("the document is not text in any encoding we could detect")
    return data.decode(best.encoding, errors="replace")


def _as_utf8(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def looks_like_text(text: str) -> bool:
    """False for decoded garbage: many control characters or replacement characters."""
    sample = text[:8192]
    if not sample.strip():
        return False
    return len(_GARBAGE.findall(sample)) / len(sample) < 0.02
