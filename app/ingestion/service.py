"""The one entry point of ingestion: bytes and hints in, validated articles out, then upserts."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple

from sqlalchemy.orm import Session

from app.domain import ArticleDraft, Hints
from app.errors import BroadsheetError, FetchDisabled, ParseError, UnsupportedFormat
from app.fetch.client import Fetcher
from app.ingestion import detect, normalize
from app.ingestion.decode import decode, looks_like_text
from app.ingestion.parsers import feed
from app.models import ArticleCreate
from app.storage import repository
from app.storage.repository import Outcome

log = logging.getLogger(__name__)
FEED_MAX_FETCHES = 20
SUMMARY_ONLY = "the feed carries a summary only and the page was not fetched; body is the summary"


class Extracted(NamedTuple):
    """A parsed article, what the parser could not find, and the address it was submitted under."""

    article: ArticleCreate
    warnings: tuple[str, ...]
    original_url: str | None = None
    page_to_fetch: str | None = None  # a feed entry with a summary only: its page would complete it


@dataclass(frozen=True, slots=True)
class Failed:
    """A document (or feed entry) that did not become an article, and why."""

    name: str
    reason: str


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What happened to one document."""

    outcome: Outcome
    article_id: int
    article: ArticleCreate
    warnings: tuple[str, ...] = ()


def extract(data: bytes, *, hints: Hints) -> Extracted:
    """Parse one article document (HTML, text dump, JSON), storing nothing. Feeds are refused here."""
    text, fmt = _read(data, hints)
    if fmt is detect.Format.FEED:
        raise UnsupportedFormat("this is a feed of many articles; send it to POST /ingest/feed")
    return _finish(detect.PARSERS[fmt](text, hints), hints)


def extract_all(data: bytes, *, hints: Hints) -> list[Extracted | Failed]:
    """Every article a document holds: one for a page, one per entry for a feed (see extract_feed)."""
    text, fmt = _read(data, hints)
    if fmt is detect.Format.FEED:
        return _feed_articles(text, hints)
    return [_finish(detect.PARSERS[fmt](text, hints), hints)]


def extract_feed(data: bytes, *, hints: Hints) -> list[Extracted | Failed]:
    """Each entry of an RSS, Atom or JSON feed as an article.

    Entries that carry only a summary come back with the summary as body and `page_to_fetch` set; the
    caller decides whether to fetch those pages (complete_feed_entries), since parsing never does I/O.
    """
    text, fmt = _read(data, hints)
    if fmt is not detect.Format.FEED:
        raise UnsupportedFormat("the document is not an RSS, Atom or JSON feed")
    return _feed_articles(text, hints)


ParsePage = Callable[[bytes, Hints], "Extracted"]


def parse_page(data: bytes, hints: Hints) -> Extracted:
    """`extract` as a ParsePage: what callers that parse in their own thread pass around."""
    return extract(data, hints=hints)


def complete_feed_entries(
    items: list[Extracted | Failed], fetcher: Fetcher, parse_page: ParsePage, *, limit: int | None = FEED_MAX_FETCHES
) -> list[Extracted | Failed]:
    """Summary-only feed entries replaced by their fetched pages (at most `limit` fetched), in order."""
    completed: list[Extracted | Failed] = []
    fetched = 0
    for item in items:
        if isinstance(item, Extracted) and item.page_to_fetch and (limit is None or fetched < limit):
            fetched += 1
            try:
                page: Extracted | BroadsheetError = parse_page(*fetch(fetcher, item.page_to_fetch))
            except BroadsheetError as exc:
                page = exc
            item = complete_from_page(item, page)
        completed.append(item)
    return completed


def store_all(session: Session, items: list[Extracted | Failed]) -> list[IngestResult | Failed]:
    """Store each article in its own savepoint, so one bad entry loses only itself."""
    results: list[IngestResult | Failed] = []
    for item in items:
        if isinstance(item, Failed):
            results.append(item)
            continue
        try:
            with session.begin_nested():
                results.append(store(session, item))
        except BroadsheetError as exc:
            results.append(Failed(item.article.url, exc.detail))
    return results


def fetch(fetcher: Fetcher | None, url: str) -> tuple[bytes, Hints]:
    """Fetch a document through the guarded client; its final URL and fetch time become hints."""
    if fetcher is None:
        raise FetchDisabled("server-side fetching is disabled on this server (BROADSHEET_FETCH_ENABLED)")
    fetched = fetcher.fetch(url)
    return fetched.data, Hints(content_type=fetched.content_type, url=fetched.url, fetched_at=fetched.fetched_at)


def ingest(session: Session, data: bytes, *, hints: Hints) -> IngestResult:
    """Parse a raw document and upsert it by canonical URL."""
    return store(session, extract(data, hints=hints))


def store(session: Session, extracted: Extracted | ArticleCreate) -> IngestResult:
    """Upsert a validated article: same content is unchanged, newer content updates the same id."""
    if isinstance(extracted, ArticleCreate):
        extracted = Extracted(extracted, ())
    prepared = normalize.prepare(extracted.article, original_url=extracted.original_url)
    outcome, article_id = repository.upsert(session, prepared, now=datetime.now(UTC))
    log.debug("article stored", extra={"outcome": outcome.value, "article_id": article_id, "url": prepared.article.url})
    return IngestResult(outcome, article_id, prepared.article, extracted.warnings)


def _read(data: bytes, hints: Hints) -> tuple[str, detect.Format]:
    if not data.strip():
        raise ParseError("the document is empty")
    text = decode(data, content_type=hints.content_type)
    if not looks_like_text(text):
        raise UnsupportedFormat("the document is not readable text (binary data or the wrong encoding)")
    return text, detect.detect(text, content_type=hints.content_type)


def _finish(draft: ArticleDraft, hints: Hints) -> Extracted:
    if hints.fetched_at and draft.published_at and draft.published_at > hints.fetched_at:
        # A page cannot have been published after it was fetched: the date is a misreading.
        draft.warnings.append(f"published date {draft.published_at.isoformat()} is after the fetch; dropped")
        draft.published_at = None
    if not draft.body:
        draft.warnings.append("no body text could be extracted")
    article = normalize.draft_to_article(draft, url_optional=hints.url_optional)
    return Extracted(article, tuple(dict.fromkeys(draft.warnings)), hints.url)


def _feed_articles(text: str, hints: Hints) -> list[Extracted | Failed]:
    results: list[Extracted | Failed] = []
    for number, entry in enumerate(feed.parse(text, hints), start=1):
        try:
            results.append(_feed_article(entry, hints))
        except BroadsheetError as exc:
            results.append(Failed(entry.draft.url or f"entry {number}", exc.detail))
    return results


def _feed_article(entry: feed.FeedEntry, hints: Hints) -> Extracted:
    draft = entry.draft
    entry_hints = Hints(content_type=hints.content_type, url=draft.url, fetched_at=hints.fetched_at)
    if entry.full_content or not draft.url:
        return _finish(draft, entry_hints)
    draft.warnings.append(SUMMARY_ONLY)
    return _finish(draft, entry_hints)._replace(page_to_fetch=draft.url)


def complete_from_page(entry: Extracted, page: Extracted | BroadsheetError) -> Extracted:
    """A summary-only feed entry replaced by its fetched page, or kept with the reason the page failed."""
    if isinstance(page, BroadsheetError):
        reason = f"the linked page could not be used ({page.detail}); body from the feed"
        return entry._replace(warnings=(*(w for w in entry.warnings if w != SUMMARY_ONLY), reason), page_to_fetch=None)
    return page._replace(original_url=entry.original_url, warnings=(*page.warnings, "body from the linked page"))
