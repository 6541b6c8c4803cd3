"""Which parser a document needs, from its content type and its first bytes."""

import re
from collections.abc import Callable
from enum import Enum

from app.domain import ArticleDraft, Hints
from app.ingestion.parsers import feed, html, json_article, text_dump

_HTML = re.compile(
    r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title|div|article|p)\b", re.IGNORECASE | re.DOTALL
)
_XML = re.compile(r"^\s*<(?:\?xml|rss|feed|rdf:RDF)\b", re.IGNORECASE)


class Format(Enum):
    HTML = "html"
    JSON = "json"
    TEXT_DUMP = "text"
    FEED = "feed"  # RSS, Atom or JSON Feed: many articles, see service.extract_feed


PARSERS: dict[Format, Callable[[str, Hints], ArticleDraft]] = {
    Format.HTML: html.parse,
    Format.JSON: json_article.parse,
    Format.TEXT_DUMP: text_dump.parse,
}


def detect(text: str, *, content_type: str | None = None) -> Format:
    """Sniff the format; the declared content type decides only when the bytes agree with it."""
    head = text[:2048].lstrip("\ufeff")
    stripped = head.lstrip()
    declared = (content_type or "").split(";")[0].strip().lower()
    if stripped.startswith(("{", "[")) or declared.endswith("json"):
        return Format.FEED if feed.is_json_feed(text) else Format.JSON
    if _XML.match(head) and not _HTML.match(head):
        return Format.FEED
    if _HTML.match(head) or declared in ("text/html", "application/xhtml+xml"):
        return Format.HTML
    return Format.TEXT_DUMP
