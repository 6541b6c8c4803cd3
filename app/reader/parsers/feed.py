"""RSS 0.9x/1.0/2.0 and Atom (feedparser, after a defusedxml check) and JSON Feed 1.x, to one draft per entry.

feedparser is the de-facto standard for the many dialects and broken feeds in the wild. It parses with
expat, so the document is first run through defusedxml, which refuses DTD entities and external
references: no billion-laughs expansion and no file or network reads from inside a feed.
"""

import json
import re
from dataclasses import dataclass
from typing import Any

import defusedxml.ElementTree as safe_xml
import feedparser
from defusedxml import DefusedXmlException

from app.domain import ArticleDraft, Hints
from app.errors import ParseError
from app.reader.authors import credited_name
from app.reader.dates import parse_loose_date
from app.reader.parsers.markup import fragment_text

MAX_ENTRIES = 500  # read per feed document (callers report the rest as not read)
# A feed item whose content has at least this many words carries the article, not a teaser.
FULL_CONTENT_WORDS = 120
_XML_DECL_ENCODING = re.compile(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*)["'][^"']*["']""", re.IGNORECASE)
_ENTITY_DECL = re.compile(r"<!ENTITY", re.IGNORECASE)


@dataclass(slots=True)
class FeedEntry:
    """One entry: its draft and whether the feed carried the full article (else the page should be fetched)."""

    draft: ArticleDraft
    full_content: bool


def is_json_feed(text: str) -> bool:
    return '"https://jsonfeed.org/version/' in text[:4096]


def parse(text: str, hints: Hints) -> list[FeedEntry]:
    """Parse a feed document (already decoded) into entries, newest first as the feed lists them."""
    return _parse_json_feed(text) if is_json_feed(text) else _parse_xml_feed(text)


def _parse_xml_feed(text: str) -> list[FeedEntry]:
    # White space or a BOM before the XML declaration makes the document ill-formed (XML 1.0 §2.8) for no
    # reason worth refusing it: drop it so the strict parser, which keeps namespaces right, reads it.
    text = text.lstrip("\ufeff \t\r\n")
    # The text is already decoded; say so in the declaration so feedparser does not decode it twice.
    data = _XML_DECL_ENCODING.sub(r'\1"utf-8"', text, count=1).encode("utf-8")
    _refuse_unsafe_xml(data)
    parsed = feedparser.parse(data, sanitize_html=True, resolve_relative_uris=True)
    if not parsed.version and not parsed.entries:
        raise ParseError("the document is not an RSS or Atom feed")
    channel = parsed.feed
    site = _str(channel.get("title"))
    language = _str(channel.get("language"))
    # RFC 4287 §4.2.1: an Atom entry without an author inherits the feed's.
    inherited = _xml_authors(channel) if str(parsed.version).startswith("atom") else []
    entries = [_xml_entry(entry, site, language, inherited) for entry in parsed.entries]
    if parsed.bozo and entries:
        # feedparser's loose parser recovered entries from ill-formed XML: use them, and say so.
        reason = f"the feed is not well-formed XML ({parsed.get('bozo_exception')}); it was read leniently"
        for entry in entries:
            entry.draft.warnings.append(reason)
    return entries


def _refuse_unsafe_xml(data: bytes) -> None:
    try:
        safe_xml.fromstring(data)
    except DefusedXmlException as exc:
        reason = f"{type(exc).__name__} (XML entities and external references are not processed)"
        raise ParseError(f"the feed was refused: {reason}") from exc
    except safe_xml.ParseError:
        # Malformed XML is feedparser's job (its loose parser), but never with entity declarations in it.
        if _ENTITY_DECL.search(data[:65536].decode("utf-8", errors="replace")):
            raise ParseError("the feed was refused: malformed XML declaring entities") from None


def _xml_entry(entry: Any, site: str | None, language: str | None, inherited: list[str]) -> FeedEntry:
    content = "\n".join(fragment_text(c.get("value", "")) for c in entry.get("content", []) if c.get("value"))
    summary = fragment_text(entry.get("summary", "") or "")
    published = _str(_raw(entry, "published")) or _str(_raw(entry, "created"))
    updated = _str(_raw(entry, "updated"))
    draft = ArticleDraft(
        url=_str(entry.get("link")) or _permalink(entry),
        title=_str(fragment_text(entry.get("title", "") or "")),
        summary=summary or None,
        body=content or summary or None,
        authors=_xml_authors(entry) or inherited,
        authors_credited=True,
        tags=[t.get("term", "") for t in entry.get("tags", []) if t.get("term")],
        language=language,
        site_name=site,
        image_url=_image(entry),
        # RSS 1.0's dc:date (feedparser's "updated") is the only date such entries have: their publication.
        published_at=parse_loose_date(published or updated),
        modified_at=parse_loose_date(updated) if published else None,
    )
    return FeedEntry(draft, full_content=_is_full(content))


def _xml_authors(node: Any) -> list[str]:
    """Every author element's name, or its e-mail address when it names nobody."""
    details = node.get("authors") or []
    raw = _str(_raw(node, "author"))
    if len(details) <= 1 and raw and "@" in raw:
        # RSS 2.0 <author> is "e-mail (Name)"; feedparser's own split cuts addresses at long top-level domains.
        return [credited_name(raw)]
    return [name for d in details if (name := _str(d.get("name")) or _str(d.get("email")))]


def _raw(entry: Any, key: str) -> Any:
    # feedparser's own get() maps a missing "updated" to "published" (with a warning); we want what the feed says.
    return dict.get(entry, key)


def _permalink(entry: Any) -> str | None:
    guid = _str(entry.get("id"))
    return guid if guid and guid.startswith(("http://", "https://")) else None


def _image(entry: Any) -> str | None:
    for key in ("media_content", "media_thumbnail"):
        for media in entry.get(key, []) or []:
            url = media.get("url")
            if url and (media.get("medium") in (None, "image") or str(media.get("type", "")).startswith("image/")):
                return str(url)
    for link in entry.get("links", []):
        if link.get("rel") == "enclosure" and str(link.get("type", "")).startswith("image/"):
            return _str(link.get("href"))
    return None


def _parse_json_feed(text: str) -> list[FeedEntry]:
    try:
        feed = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ParseError("the JSON Feed is not valid JSON") from exc
    if not isinstance(feed, dict) or not isinstance(feed.get("items"), list):
        raise ParseError("a JSON Feed needs an items array")
    site, language = _str(feed.get("title")), _str(feed.get("language"))
    feed_authors = _json_authors(feed)
    entries = []
    for item in feed["items"]:
        if not isinstance(item, dict):
            continue
        content = fragment_text(_str(item.get("content_html")) or "") or _str(item.get("content_text")) or ""
        summary = _str(item.get("summary"))
        draft = ArticleDraft(
            url=_str(item.get("url")) or _str(item.get("external_url")),
            title=_str(item.get("title")),
            summary=summary,
            body=content or summary,
            authors=_json_authors(item) or feed_authors,
            authors_credited=True,
            tags=[t for t in item.get("tags", []) if isinstance(t, str)],
            language=_str(item.get("language")) or language,
            site_name=site,
            image_url=_str(item.get("image")) or _str(item.get("banner_image")),
            published_at=parse_loose_date(_str(item.get("date_published"))),
            modified_at=parse_loose_date(_str(item.get("date_modified"))),
        )
        entries.append(FeedEntry(draft, full_content=_is_full(content)))
    return entries


def _json_authors(obj: dict[str, Any]) -> list[str]:
    authors = obj.get("authors") or ([obj["author"]] if isinstance(obj.get("author"), dict) else [])
    return [a["name"] for a in authors if isinstance(a, dict) and isinstance(a.get("name"), str)]


def _is_full(content: str) -> bool:
    return len(content.split()) >= FULL_CONTENT_WORDS


def _str(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None
