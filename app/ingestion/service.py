"""The one entry point of ingestion: bytes and hints in, validated articles out, then upserts."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import NamedTuple, Protocol

from sqlalchemy.orm import Session

from app.domain import ArticleDraft, Hints, Outcome, as_utc
from app.errors import BroadsheetError, Conflict, FetchDisabled, NotFound, ParseError, UnsupportedFormat
from app.fetch.client import Fetcher
from app.ingestion import detect, normalize
from app.ingestion.decode import decode, looks_like_text
from app.ingestion.languages import agreed_html_language, locale_language
from app.ingestion.parsers import feed
from app.models import ArticleCreate, ArticleRead, PreparedArticle, storable_text
from app.storage import batch, changes, repository
from app.storage.batch import StoredState
from app.storage.changes import ChangeKind
from app.storage.db import Writer
from app.storage.tables import Article

log = logging.getLogger(__name__)
FEED_MAX_FETCHES = 20
# A new reading of a stored URL is "worse" (kept out unless forced) when it lost its body, or when a body of
# at least this many words shrank to under this fraction: what a paywall, an error page or junk sent under
# the URL looks like. Real corrections and updates change far less.
WORSE_MIN_STORED_WORDS = 50
WORSE_FRACTION = 0.2
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
    """What happened to one document, with the article as stored (read inside the committed transaction)."""

    outcome: Outcome
    article_id: int
    article: ArticleCreate
    warnings: tuple[str, ...] = ()
    stored: ArticleRead | None = None


def extract(data: bytes, *, hints: Hints) -> Extracted:
    """Parse one article document (HTML, text dump, JSON), storing nothing. Feeds are refused here."""
    text, fmt = _read(data, hints)
    if fmt is detect.Format.FEED:
        raise UnsupportedFormat("this is a feed of many articles; send it to POST /ingest/feed")
    return _finish(_parse(fmt, text, hints), hints)


def extract_all(data: bytes, *, hints: Hints) -> list[Extracted | Failed]:
    """Every article a document holds: one for a page, one per entry for a feed (see extract_feed)."""
    text, fmt = _read(data, hints)
    if fmt is detect.Format.FEED:
        return _feed_articles(text, hints)
    return [_finish(_parse(fmt, text, hints), hints)]


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


class Parsers(Protocol):
    """Where documents are parsed: the time-limited worker pool (ParserPool) or the caller's thread."""

    def parse_page(self, data: bytes, hints: Hints) -> "Extracted": ...

    def parse_feed(self, data: bytes, hints: Hints) -> "list[Extracted | Failed]": ...


class InThreadParsers:
    """Parsing in the calling thread, without a time limit (BROADSHEET_PARSE_WORKERS=0, tests)."""

    def parse_page(self, data: bytes, hints: Hints) -> "Extracted":
        return extract(data, hints=hints)

    def parse_feed(self, data: bytes, hints: Hints) -> "list[Extracted | Failed]":
        return extract_feed(data, hints=hints)


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


def _log_changes(session: Session, results: list[IngestResult]) -> None:
    """The change hook: what this transaction created or updated enters the change log before it commits."""
    changed = (Outcome.CREATED, Outcome.UPDATED)
    entries = dict.fromkeys(r.article_id for r in results if r.outcome in changed)
    changes.record(session, ((article_id, ChangeKind.UPSERT) for article_id in entries), now=datetime.now(UTC))


def store_article(writer: Writer, extracted: Extracted | ArticleCreate, *, force: bool = False) -> IngestResult:
    """Store one article and commit: the flow behind every single-article write of the API.

    A worse reading of a stored URL is refused with Conflict (409) unless `force`.
    """

    def unit(session: Session) -> IngestResult:
        result = store(session, extracted, force=force)
        if result.outcome is Outcome.KEPT:
            raise Conflict("; ".join(result.warnings[-1:]) + "; send force=true to replace it anyway")
        _log_changes(session, [result])
        return result

    return writer.run(unit)


def store_feed(writer: Writer, items: list[Extracted | Failed]) -> list[IngestResult | Failed]:
    """Store a feed's entries in one transaction with the set-based batch writes bulk ingest uses, and commit.

    A worse reading of a stored URL is reported as KEPT (a feed cannot answer 409 per entry).
    """
    return writer.run(lambda session: store_batch(session, items))


def ingest_document(writer: Writer, parsers: Parsers, data: bytes, hints: Hints, *, force: bool) -> IngestResult:
    """POST /ingest: parse a raw document (outside any transaction), then store it."""
    return store_article(writer, parsers.parse_page(data, hints), force=force)


def ingest_url(writer: Writer, parsers: Parsers, fetcher: Fetcher | None, url: str, *, force: bool) -> IngestResult:
    """POST /ingest/url: fetch through the guarded client, parse, store; `url` is kept as original_url."""
    extracted = parsers.parse_page(*fetch(fetcher, url))._replace(original_url=url)
    return store_article(writer, extracted, force=force)


def ingest_feed(
    writer: Writer, parsers: Parsers, data: bytes, hints: Hints, *, fetcher: Fetcher | None
) -> list[IngestResult | Failed]:
    """POST /ingest/feed: every entry stored; with a fetcher, summary-only entries get their page (at most 20)."""
    items = parsers.parse_feed(data, hints)
    if fetcher is not None:
        items = complete_feed_entries(items, fetcher, parsers.parse_page, limit=FEED_MAX_FETCHES)
    return store_feed(writer, items)


def ingest_feed_url(
    writer: Writer, parsers: Parsers, fetcher: Fetcher | None, url: str, *, fetch_links: bool
) -> list[IngestResult | Failed]:
    """POST /ingest/feed/url: fetch a feed through the guarded client, then as ingest_feed."""
    data, hints = fetch(fetcher, url)
    return ingest_feed(writer, parsers, data, hints, fetcher=fetcher if fetch_links else None)


def delete_article(writer: Writer, article_id: int) -> None:
    """Delete an article and commit; NotFound when there is none."""

    def unit(session: Session) -> bool:
        deleted = repository.delete_article(session, article_id)
        if deleted:
            changes.record(session, [(article_id, ChangeKind.DELETE)], now=datetime.now(UTC))
        return deleted

    if not writer.run(unit):
        raise NotFound(f"no article with id {article_id}")


def fetch(fetcher: Fetcher | None, url: str) -> tuple[bytes, Hints]:
    """Fetch a document through the guarded client; its final URL and fetch time become hints."""
    if fetcher is None:
        raise FetchDisabled("server-side fetching is disabled on this server (BROADSHEET_FETCH_ENABLED)")
    fetched = fetcher.fetch(url)
    return fetched.data, Hints(content_type=fetched.content_type, url=fetched.url, fetched_at=fetched.fetched_at)


def ingest(session: Session, data: bytes, *, hints: Hints) -> IngestResult:
    """Parse a raw document and upsert it by canonical URL."""
    return store(session, extract(data, hints=hints))


@dataclass(frozen=True, slots=True)
class PreparedBatch:
    """A batch with what storage derives from each article computed (no database needed), failures in place."""

    size: int
    prepared: list[tuple[int, Extracted, PreparedArticle]]
    failed: dict[int, Failed]


def prepare_batch(items: list[Extracted | Failed]) -> PreparedBatch:
    """Canonical URLs, keys and hashes of a batch: CPU work done before its transaction (bulk: in another thread)."""
    prepared: list[tuple[int, Extracted, PreparedArticle]] = []
    failed: dict[int, Failed] = {}
    for i, item in enumerate(items):
        if isinstance(item, Failed):
            failed[i] = item
            continue
        try:
            prepared.append((i, item, normalize.prepare(item.article, original_url=item.original_url)))
        except BroadsheetError as exc:
            failed[i] = Failed(item.article.url, exc.detail)
    return PreparedBatch(len(items), prepared, failed)


def store_batch(session: Session, items: list[Extracted | Failed] | PreparedBatch) -> list[IngestResult | Failed]:
    """Store a batch with set-based writes (storage.batch), deciding each article as `store` would, in order.

    What bulk ingest uses. A worse reading is KEPT; an article the database refuses fails alone (the batch is
    halved around it, not written row by row). Results carry no `stored` read-back.
    """
    ready = items if isinstance(items, PreparedBatch) else prepare_batch(items)
    results: dict[int, IngestResult | Failed] = dict(ready.failed)
    decide = partial(_update_outcome, force=False)
    stored = batch.upsert_many(session, [p for _, _, p in ready.prepared], now=datetime.now(UTC), decide=decide)
    for (i, item, article), done in zip(ready.prepared, stored, strict=True):
        if isinstance(done, batch.Refused):
            results[i] = Failed(item.article.url, done.reason)
            continue
        warnings = item.warnings
        if done.outcome is Outcome.KEPT and done.compared is not None:
            warnings = (*warnings, f"kept the stored article: {worse_reading(article, done.compared)}")
        results[i] = IngestResult(done.outcome, done.article_id, article.article, warnings)
    ordered = [results[i] for i in range(ready.size)]
    _log_changes(session, [r for r in ordered if isinstance(r, IngestResult)])
    return ordered


def store(session: Session, extracted: Extracted | ArticleCreate, *, force: bool = False) -> IngestResult:
    """Upsert a validated article by URL key, within the caller's transaction.

    Same content is UNCHANGED, an older modification time is UNCHANGED, a worse reading is KEPT (unless
    `force`), anything else updates the same id in place.
    """
    if isinstance(extracted, ArticleCreate):
        extracted = Extracted(extracted, ())
    prepared = normalize.prepare(extracted.article, original_url=extracted.original_url)
    now = datetime.now(UTC)
    warnings = extracted.warnings
    row = repository.find_by_url_key(session, prepared.url_key, for_update=True)
    if row is None:
        row = repository.insert_article(session, prepared, now=now)
        if row is not None:
            return _stored(Outcome.CREATED, row, prepared, warnings)
        # Another writer stored this URL between our read and our insert: theirs is the row to update.
        row = repository.find_by_url_key(session, prepared.url_key, for_update=True)
        if row is None:
            raise AssertionError("an article that blocked our insert cannot vanish inside our transaction")
    stored = batch.state_of(row.content_hash, row.modified_at, row.word_count)
    outcome = _update_outcome(prepared, stored, force=force)
    if outcome is Outcome.KEPT:
        warnings = (*warnings, f"kept the stored article: {worse_reading(prepared, stored)}")
    elif outcome is Outcome.UPDATED:
        repository.update_article(session, row, prepared, now=now)
    return _stored(outcome, row, prepared, warnings)


def _stored(outcome: Outcome, row: Article, prepared: PreparedArticle, warnings: tuple[str, ...]) -> IngestResult:
    log.debug("article stored", extra={"outcome": outcome.value, "article_id": row.id, "url": prepared.article.url})
    return IngestResult(outcome, row.id, prepared.article, warnings, ArticleRead.model_validate(row))


def _update_outcome(prepared: PreparedArticle, stored: StoredState, *, force: bool) -> Outcome:
    """The one rule for a URL that is stored: same content or an older reading is UNCHANGED, a worse one KEPT."""
    if stored.content_hash == prepared.content_hash or _is_older(prepared, stored):
        return Outcome.UNCHANGED
    if not force and worse_reading(prepared, stored):
        return Outcome.KEPT
    return Outcome.UPDATED


def worse_reading(incoming: PreparedArticle, stored: StoredState) -> str | None:
    """Why a new reading of a stored URL is worse than what is stored, or None when it is not."""
    words = stored.word_count
    if words and not incoming.word_count:
        return f"the new reading has no body text and the stored one has {words} words"
    if words >= WORSE_MIN_STORED_WORDS and incoming.word_count < words * WORSE_FRACTION:
        return f"the new reading's body has {incoming.word_count} words, under a fifth of the stored {words}"
    return None


def _is_older(prepared: PreparedArticle, stored: StoredState) -> bool:
    incoming, modified = prepared.article.modified_at, stored.modified_at
    if incoming is None or modified is None:
        return False
    return as_utc(incoming) < modified


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
    entries = feed.parse(text, hints)
    results: list[Extracted | Failed] = []
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
