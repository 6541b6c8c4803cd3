"""Bytes to text: BOM, then the declared charset, then UTF-8, then detection."""

import codecs
import re

from charset_normalizer import from_bytes

from app.errors import UnsupportedFormat

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*\"?([A-Za-z0-9_.:-]+)", re.IGNORECASE)


def charset_from_content_type(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header, if any."""
    match = _HEADER_CHARSET.search(content_type or "")
    return match.group(1) if match else None


def decode(data: bytes, *, content_type: str | None = None) -> str:
    """Decode a document; raise UnsupportedFormat for bytes that are not text at all."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    declared: str | None = charset_from_content_type(content_type)
    if declared is None:
        meta = _META_CHARSET.search(data[:4096])
        declared = meta.group(1).decode("ascii") if meta else None
    for candidate in (declared, "utf-8"):
        if not candidate:
            continue
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    if b"\x00" in data[:4096]:
        raise UnsupportedFormat("the document looks binary (NUL bytes), not text")
    best = from_bytes(data[:65536]).best()
    if best is None:
        raise UnsupportedFormat("the document is not text in any encoding we could detect")
    return data.decode(best.encoding, errors="replace")


def looks_like_text(text: str) -> bool:
    """False for decoded garbage: many control characters or replacement characters."""
    sample = text[:8192]
    if not sample.strip():
        return False
    bad = sum(1 for ch in sample if (ch < " " and ch not in "\t\n\r\f") or ch == "\ufffd")
    return bad / len(sample) < 0.02
