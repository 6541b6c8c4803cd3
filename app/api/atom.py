"""An Atom 1.0 feed (RFC 4287) of listed articles: what feed readers and other aggregators subscribe to.

Built with ElementTree, which escapes markup characters; characters XML 1.0 cannot carry at all (§2.2: the
C0 controls but tab, newline and carriage return, U+FFFE, U+FFFF) are dropped first, since escaping cannot
express them and one would make the whole document ill-formed. Stored text has no C0 controls, but
U+FFFE/U+FFFF are storable.
"""

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import app as package
from app.domain import as_utc
from app.models import utc_text

ATOM = "application/atom+xml"
_NS = "http://www.w3.org/2005/Atom"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# An empty feed has no entry to date it by; a fixed instant keeps its body, and so its ETag, stable.
_NEVER = "1970-01-01T00:00:00Z"


def render_feed(rows: Sequence[Mapping[str, Any]], *, title: str, self_url: str) -> bytes:
    """The feed document, entries in the given order. `self_url` is its address and its id (RFC 4287 4.2.6):
    the same filter always gives the same feed."""
    # The namespace as a plain xmlns attribute and unprefixed names: ElementTree's default_namespace option
    # refuses unqualified attributes (rel, href), which Atom's are.
    feed = ET.Element("feed", xmlns=_NS)
    _text(feed, "id", self_url)
    _text(feed, "title", title)
    latest = max((as_utc(_entry_updated(row)) for row in rows), default=None)
    _text(feed, "updated", utc_text(latest) if latest else _NEVER)
    ET.SubElement(feed, "link", rel="self", type=ATOM, href=_clean(self_url))
    _text(feed, "generator", "Broadsheet").set("version", package.__version__)
    for row in rows:
        _entry(feed, row)
    document: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return document


def _entry(feed: ET.Element, row: Mapping[str, Any]) -> None:
    entry = ET.SubElement(feed, "entry")
    if row["language"]:
        entry.set(_XML_LANG, row["language"])
    # The canonical URL is unique per article and survives a re-export from another server: a stable id.
    _text(entry, "id", row["url"])
    _text(entry, "title", row["title"])
    _text(entry, "updated", utc_text(_entry_updated(row)))
    if row["published_at"] is not None:
        _text(entry, "published", utc_text(row["published_at"]))
    ET.SubElement(entry, "link", rel="alternate", type="text/html", href=_clean(row["url"]))
    # RFC 4287 4.1.2: an entry needs an author when the feed has none; the site stands in for a missing byline.
    for name in row["authors"] or [row["site_name"] or row["publisher"] or row["source"]]:
        _text(ET.SubElement(entry, "author"), "name", name)
    for tag in row["tags"]:
        ET.SubElement(entry, "category", term=_clean(tag))
    if row["summary"]:
        _text(entry, "summary", row["summary"])


def _entry_updated(row: Mapping[str, Any]) -> datetime:
    """When the story last changed as its publisher says, else when it was published, else when we stored it."""
    when: datetime = row["modified_at"] or row["published_at"] or row["updated_at"]
    return when


def _text(parent: ET.Element, name: str, value: str) -> ET.Element:
    element = ET.SubElement(parent, name)
    element.text = _clean(value)
    return element


def _clean(value: str) -> str:
    return _NOT_XML.sub("", value)
