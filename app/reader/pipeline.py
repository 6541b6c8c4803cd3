"""The reader's entry point: a document's bytes and hints in, validated articles out. Pure: no I/O at all.

Storing, fetching and the worker processes live in app.ingestion; this module is what a parser worker runs.
"""

from dataclasses import dataclass

from app.domain import ArticleDraft, Hints
from app.errors import BroadsheetError, ParseError, UnsupportedFormat
from app.models import storable_text
from app.reader import detect, normalize
from app.reader.decode import decode, looks_like_text
from app.reader.languages import agreed_html_language, locale_language
from app.reader.outcomes import Failed as Failed
from app.reader.outcomes import ParsedArticle as ParsedArticle
from app.reader.parsers import feed

SUMMARY_ONLY = "the feed carries a summary only and the page was not fetched; body is the summary"


@dataclass(frozen=True, slots=True)
class Document:
    """One document's bytes, a name for reports, and what we know about it."""

    name: str
    data: bytes
    hints: Hints


def parse(data: bytes, *, hints: Hints) -> ParsedArticle:
    """Parse one article document (HTML, text dump, JSON), storing nothing. Feeds are refused here."""
    text, fmt = _read(data, hints)
    if fmt is detect.Format.FEED:
        raise UnsupportedFormat("this is a feed of many articles; send it to POST /ingest/feed")
    return _finish(_parse(fmt, text, hints), hints)


def parse_all(data: bytes, *, hints: Hints) -> list[ParsedArticle | Failed]:
    """Every article a document holds: one for a page, one per entry for a feed (see parse_feed)."""
    text, fmt = _read(data, hints)
    if fmt is detect.Format.FEED:
        return _feed_articles(text, hints)
    return [_finish(_parse(fmt, text, hints), hints)]


def parse_feed(data: bytes, *, hints: Hints) -> list[ParsedArticle | Failed]:
    """Each entry of an RSS, Atom or JSON feed as an article.

    Entries that carry only a summary come back with the summary as body and `page_to_fetch` set; the
    caller decides whether to fetch those pages (complete_feed_entries), since parsing never does I/O.
    """
    text, fmt = _read(data, hints)
    if fmt is not detect.Format.FEED:
        raise UnsupportedFormat("the document is not an RSS, Atom or JSON feed")
    return _feed_articles(text, hints)


# Binary formats sent as text: refused by their signature, before anything tries to read them as a page.
_BINARY_SIGNATURES = {
    b"%PDF-": "a PDF",
    b"PK\x03\x04": "a ZIP archive (or an office document)",
    b"\x1f\x8b": "gzip-compressed data",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
}


def _read(data: bytes, hints: Hints) -> tuple[str, detect.Format]:
    if not data.strip():
        raise ParseError("the document is empty")
    head = data[:16].lstrip()
    for signature, kind in _BINARY_SIGNATURES.items():
        if head.startswith(signature):
            raise UnsupportedFormat(f"the document is {kind}, not an HTML page, text dump, JSON or feed")
    text = decode(data, content_type=hints.content_type)
    if not looks_like_text(text):
        raise UnsupportedFormat("the document is not readable text (binary data or the wrong encoding)")
    # A few stray NULs or other C0 controls in a readable page are dropped, as they are from every stored field
    # (parsers would otherwise turn them into U+FFFD).
    return storable_text(text), detect.detect(text, content_type=hints.content_type)


def _parse(fmt: detect.Format, text: str, hints: Hints) -> ArticleDraft:
    """The format's parser; a language the document declares reliably is marked so (see ArticleDraft)."""
    draft = detect.PARSERS[fmt](text, hints)
    if draft.language and fmt is detect.Format.JSON:
        draft.language_reliable = True
    elif draft.language and fmt is detect.Format.HTML:
        agreed = agreed_html_language(text)
        draft.language_reliable = agreed is not None and locale_language(draft.language) == agreed
    return draft


def _finish(draft: ArticleDraft, hints: Hints) -> ParsedArticle:
    if hints.fetched_at and draft.published_at and draft.published_at > hints.fetched_at:
        # A page cannot have been published after it was fetched: the date is a misreading.
        draft.warnings.append(f"published date {draft.published_at.isoformat()} is after the fetch; dropped")
        draft.published_at = None
    if not draft.body:
        draft.warnings.append("no body text could be extracted")
    article = normalize.draft_to_article(draft, url_optional=hints.url_optional)
    return ParsedArticle(article, tuple(dict.fromkeys(draft.warnings)), hints.url)


def _feed_articles(text: str, hints: Hints) -> list[ParsedArticle | Failed]:
    entries = feed.parse(text, hints)
    results: list[ParsedArticle | Failed] = []
    for number, entry in enumerate(entries[: feed.MAX_ENTRIES], start=1):
        try:
            results.append(_feed_article(entry, hints))
        except BroadsheetError as exc:
            results.append(Failed(entry.draft.url or f"entry {number}", exc.detail))
    if len(entries) > feed.MAX_ENTRIES:
        # A limit that cuts data is reported like any failure, never passed over in silence.
        cut = f"entries {feed.MAX_ENTRIES + 1}-{len(entries)}"
        results.append(Failed(cut, f"not read: at most {feed.MAX_ENTRIES} entries are read from one feed"))
    return results


def _feed_article(entry: feed.FeedEntry, hints: Hints) -> ParsedArticle:
    draft = entry.draft
    entry_hints = Hints(content_type=hints.content_type, url=draft.url, fetched_at=hints.fetched_at)
    if entry.full_content or not draft.url:
        return _finish(draft, entry_hints)
    draft.warnings.append(SUMMARY_ONLY)
    return _finish(draft, entry_hints)._replace(page_to_fetch=draft.url)


def complete_from_page(entry: ParsedArticle, page: ParsedArticle | BroadsheetError) -> ParsedArticle:
    """A summary-only feed entry replaced by its fetched page, or kept with the reason the page failed."""
    if isinstance(page, BroadsheetError):
        reason = f"the linked page could not be used ({page.detail}); body from the feed"
        return entry._replace(warnings=(*(w for w in entry.warnings if w != SUMMARY_ONLY), reason), page_to_fetch=None)
    return page._replace(original_url=entry.original_url, warnings=(*page.warnings, "body from the linked page"))
