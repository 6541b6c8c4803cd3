"""Which parser a document needs, from its content type and its first bytes."""

import re
from collections.abc import Callable
from enum import Enum

from app.domain import ArticleDraft, Hints
from app.reader.parsers import feed, html, json_article, text_dump

_HTML = re.compile(
    r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title|div|article|p)\b", re.IGNORECASE | re.DOTALL
)
# What may precede an XML document's root element (XML 1.0 §2.8 "prolog"): the declaration, processing
# instructions such as <?xml-stylesheet?>, comments, a doctype with its internal subset, white space.
_PROLOG = re.compile(r"(?:\s|<\?.*?\?>|<!--.*?-->|<!DOCTYPE\s[^\[>]*(?:\[.*?\]\s*)?>)*", re.IGNORECASE | re.DOTALL)
_ROOT = re.compile(r"<([A-Za-z_][\w.:-]*)")
# RSS 0.9x/2.0, Atom, and RDF for RSS 0.90/1.0 (any prefix: rdf:RDF, RDF:RDF, RDF).
_FEED_ROOTS = frozenset({"rss", "feed", "rdf"})


class Format(Enum):
    HTML = "html"
    JSON = "json"
    TEXT_DUMP = "text"
    FEED = "feed"  # RSS, Atom or JSON Feed: many articles, see pipeline.parse_feed


PARSERS: dict[Format, Callable[[str, Hints], ArticleDraft]] = {
    Format.HTML: html.parse,
    Format.JSON: json_article.parse,
    Format.TEXT_DUMP: text_dump.parse,
}


def detect(text: str, *, content_type: str | None = None) -> Format:
    """Sniff the format; the declared content type decides only when the bytes agree with it."""
    head = text[:4096].lstrip("\ufeff")
    stripped = head.lstrip()
    declared = (content_type or "").split(";")[0].strip().lower()
    if stripped.startswith(("{", "[")) or declared.endswith("json"):
        return Format.FEED if feed.is_json_feed(text) else Format.JSON
    root = root_element(head)
    if root in _FEED_ROOTS:
        return Format.FEED
    if _HTML.match(head) or root == "html" or declared in ("text/html", "application/xhtml+xml"):
        return Format.HTML
    if stripped.startswith("<?xml"):
        return Format.FEED  # some other XML vocabulary: the feed parser says why it is not a feed
    return Format.TEXT_DUMP


def root_element(head: str) -> str | None:
    """The local name of the first element after the XML prolog, lower-cased; None when text comes first."""
    prolog = _PROLOG.match(head)
    match = _ROOT.match(head, prolog.end() if prolog else 0)
    return match.group(1).rsplit(":", 1)[-1].lower() if match else None
