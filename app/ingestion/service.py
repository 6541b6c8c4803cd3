"""The ingestion flows: one function per endpoint (ingest bytes / URL / feed, store, delete); reading is app.reader."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Protocol

from sqlalchemy.orm import Session

from app.domain import Hints, Outcome, as_utc
from app.errors import BroadsheetError, Conflict, FetchDisabled, NotFound
from app.fetch.client import Fetcher
from app.ingestion.prepared import PreparedBatch, prepare_batch
from app.models import ArticleCreate, ArticleRead, PreparedArticle
from app.reader import normalize, pipeline
from app.reader.pipeline import Failed, ParsedArticle, complete_from_page
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


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What happened to one document, with the article as stored (read inside the committed transaction)."""

    outcome: Outcome
    article_id: int
    article: ArticleCreate
    warnings: tuple[str, ...] = ()
    stored: ArticleRead | None = None


Parse = Callable[[bytes, Hints], "ParsedArticle"]


class Parsers(Protocol):
    """Where documents are parsed: the time-limited worker pool (ParserPool) or the caller's thread."""

    def parse(self, data: bytes, hints: Hints) -> "ParsedArticle": ...

    def parse_feed(self, data: bytes, hints: Hints) -> "list[ParsedArticle | Failed]": ...


class InThreadParsers:
    """Parsing in the calling thread, without a time limit (BROADSHEET_PARSE_WORKERS=0, tests)."""

    def parse(self, data: bytes, hints: Hints) -> "ParsedArticle":
        return pipeline.parse(data, hints=hints)

    def parse_feed(self, data: bytes, hints: Hints) -> "list[ParsedArticle | Failed]":
        return pipeline.parse_feed(data, hints=hints)


def complete_feed_entries(
    items: list[ParsedArticle | Failed], fetcher: Fetcher, parse: Parse, *, limit: int | None = FEED_MAX_FETCHES
) -> list[ParsedArticle | Failed]:
    """Summary-only feed entries replaced by their fetched pages (at most `limit` fetched), in order."""
    completed: list[ParsedArticle | Failed] = []
    fetched = 0
    for item in items:
        if isinstance(item, ParsedArticle) and item.page_to_fetch and (limit is None or fetched < limit):
            fetched += 1
            try:
                page: ParsedArticle | BroadsheetError = parse(*fetch(fetcher, item.page_to_fetch))
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


def store_article(writer: Writer, parsed: ParsedArticle | ArticleCreate, *, force: bool = False) -> IngestResult:
    """Store one article and commit: the flow behind every single-article write of the API.

    A worse reading of a stored URL is refused with Conflict (409) unless `force`.
    """

    def unit(session: Session) -> IngestResult:
        result = store(session, parsed, force=force)
        if result.outcome is Outcome.KEPT:
            raise Conflict("; ".join(result.warnings[-1:]) + "; send force=true to replace it anyway")
        _log_changes(session, [result])
        return result

    return writer.run(unit)


def store_feed(writer: Writer, items: list[ParsedArticle | Failed]) -> list[IngestResult | Failed]:
    """Store a feed's entries in one transaction with the set-based batch writes bulk ingest uses, and commit.

    A worse reading of a stored URL is reported as KEPT (a feed cannot answer 409 per entry).
    """
    return writer.run(lambda session: store_batch(session, items))


def ingest_document(writer: Writer, parsers: Parsers, data: bytes, hints: Hints, *, force: bool) -> IngestResult:
    """POST /ingest: parse a raw document (outside any transaction), then store it."""
    return store_article(writer, parsers.parse(data, hints), force=force)


def ingest_url(writer: Writer, parsers: Parsers, fetcher: Fetcher | None, url: str, *, force: bool) -> IngestResult:
    """POST /ingest/url: fetch through the guarded client, parse, store; `url` is kept as original_url."""
    parsed = parsers.parse(*fetch(fetcher, url))._replace(original_url=url)
    return store_article(writer, parsed, force=force)


def ingest_feed(
    writer: Writer, parsers: Parsers, data: bytes, hints: Hints, *, fetcher: Fetcher | None
) -> list[IngestResult | Failed]:
    """POST /ingest/feed: every entry stored; with a fetcher, summary-only entries get their page (at most 20)."""
    items = parsers.parse_feed(data, hints)
    if fetcher is not None:
        items = complete_feed_entries(items, fetcher, parsers.parse, limit=FEED_MAX_FETCHES)
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


def store_batch(
    session: Session,
    items: list[ParsedArticle | Failed] | PreparedBatch,
    *,
    tags: batch.CommittedTags | None = None,
) -> list[IngestResult | Failed]:
    """Store a batch with set-based writes (storage.batch), deciding each article as `store` would, in order.

    What bulk ingest uses. A worse reading is KEPT; an article the database refuses fails alone (the batch is
    halved around it, not written row by row). Results carry no `stored` read-back.
    """
    ready = items if isinstance(items, PreparedBatch) else prepare_batch(items)
    results: dict[int, IngestResult | Failed] = dict(ready.failed)
    decide = partial(_update_outcome, force=False)
    prepared = [p for _, _, p in ready.prepared]
    stored = batch.upsert_many(session, prepared, now=datetime.now(UTC), decide=decide, tags=tags)
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


def store(session: Session, parsed: ParsedArticle | ArticleCreate, *, force: bool = False) -> IngestResult:
    """Upsert a validated article by URL key, within the caller's transaction.

    Same content is UNCHANGED, an older modification time is UNCHANGED, a worse reading is KEPT (unless
    `force`), anything else updates the same id in place.
    """
    if isinstance(parsed, ArticleCreate):
        parsed = ParsedArticle(parsed, ())
    prepared = normalize.prepare(parsed.article, original_url=parsed.original_url)
    now = datetime.now(UTC)
    warnings = parsed.warnings
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
