"""Bulk ingestion: parse in the parser pool (every core), write in short batched, set-based transactions.

Parsing happens before a batch's transaction opens, so SQLite's write lock is held only for the writes.
Articles that arrive parsed (NDJSON) skip the pool and go straight to the store step.
"""

import logging
import queue
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from app.fetch.client import Fetcher
from app.ingestion import ndjson, prepare_pool, service
from app.ingestion.pool import Parsed, ParserPool
from app.ingestion.prepared import PreparedBatch, prepare_batch
from app.ingestion.service import IngestResult
from app.reader.pipeline import Document, Failed, ParsedArticle
from app.storage.batch import CommittedTags
from app.storage.db import Writer

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class Totals:
    """What a bulk ingest did, counted only after each batch committed."""

    counts: Counter[str] = field(default_factory=Counter)
    failures: list[Failed] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        return {k: self.counts.get(k, 0) for k in ("created", "updated", "unchanged", "kept", "failed")}

    def add(self, results: Iterable[IngestResult | Failed]) -> None:
        for item in results:
            if isinstance(item, IngestResult):
                self.counts[item.outcome.value] += 1
            else:
                self.counts["failed"] += 1
                self.failures.append(item)


def ingest(
    writer: Writer,
    documents: Iterable[Document | Failed],
    pool: ParserPool,
    *,
    batch_size: int,
    fetcher: Fetcher | None = None,
    on_batch: Callable[[int, Totals], None] = lambda n, t: None,
    totals: Totals | None = None,
) -> Totals:
    """Parse documents in the pool and store each batch in one transaction, with set-based writes (storage.batch).

    With a fetcher, feed entries that carry only a summary get their page fetched here, in this process
    (through the guarded client, with its timeouts), and parsed in the pool like any document.
    """
    totals = totals if totals is not None else Totals()
    tags = CommittedTags()
    for batch in _batches(documents, batch_size):
        failed = [item for item in batch if isinstance(item, Failed)]
        docs = [item for item in batch if isinstance(item, Document)]
        parsed = [article for result in pool.map(docs) for article in result]
        if fetcher is not None:
            parsed = service.complete_feed_entries(parsed, fetcher, pool.parse, limit=None)
        totals.add((*failed, *_store(writer, parsed, tags)))
        on_batch(len(batch), totals)
    return totals


def store_files(
    writer: Writer,
    locations: Iterable[str],
    *,
    batch_size: int,
    workers: int,
    on_batch: Callable[[int, Totals], None] = lambda n, t: None,
    totals: Totals | None = None,
) -> Totals:
    """Store the articles of NDJSON files in batches of `batch_size`, one transaction each.

    With `workers`, the next batches are decoded, validated and prepared in that many worker processes while
    this one writes (app.ingestion.prepare_pool); with none, in a thread, as `store_articles` does.
    """
    entries = (entry for location in locations for entry in ndjson.lines(location))
    batches = _batches(entries, batch_size)
    if workers:
        ready = prepare_pool.prepared_batches(batches, workers=workers)
    else:
        ready = _ahead(prepare_pool.prepare_lines(batch) for batch in batches)
    return _store_all(writer, ready, on_batch, totals if totals is not None else Totals())


def store_articles(
    writer: Writer,
    articles: Iterable[ParsedArticle | Failed],
    *,
    batch_size: int,
    on_batch: Callable[[int, Totals], None] = lambda n, t: None,
    totals: Totals | None = None,
) -> Totals:
    """Store parsed articles (or their failures) in batches of `batch_size`, one transaction each.

    The next batch is prepared in a thread while this one is written: the database driver releases the GIL
    while it waits, so some of that work overlaps the writes. At most two batches wait, so memory stays
    bounded whatever the input's size.
    """
    ready = _ahead(prepare_batch(batch) for batch in _batches(articles, batch_size))
    return _store_all(writer, ready, on_batch, totals if totals is not None else Totals())


def _store_all(
    writer: Writer, ready: Iterator[PreparedBatch], on_batch: Callable[[int, Totals], None], totals: Totals
) -> Totals:
    tags = CommittedTags()
    for batch in ready:
        totals.add(_store(writer, batch, tags))
        on_batch(batch.size, totals)
    return totals


def _store(writer: Writer, parsed: Parsed | PreparedBatch, tags: CommittedTags) -> list[IngestResult | Failed]:
    ready = parsed if isinstance(parsed, PreparedBatch) else prepare_batch(parsed)
    try:
        return writer.run(lambda session: service.store_batch(session, ready, tags=tags))
    except Exception as exc:  # the commit itself failed: nothing of this batch is stored
        log.exception("batch failed")
        reason = f"batch not stored: {type(exc).__name__}"
        return [*ready.failed.values(), *(Failed(item.article.url, reason) for _, item, _ in ready.prepared)]


def _ahead(items: Iterator[T], depth: int = 2) -> Iterator[T]:
    """`items`, computed in a thread up to `depth` ahead of the consumer; its exception is raised here."""
    slots: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                if not _offer(slots, (True, item), stop):
                    return
            _offer(slots, (False, None), stop)
        except BaseException as exc:  # handed to the consumer, which raises it
            _offer(slots, (False, exc), stop)

    worker = threading.Thread(target=produce, name="bulk-read-ahead", daemon=True)
    worker.start()
    try:
        while True:
            more, value = slots.get()
            if not more:
                if value is not None:
                    raise value
                return
            yield value
    finally:
        stop.set()
        worker.join()


def _offer(slots: queue.Queue[tuple[bool, Any]], entry: tuple[bool, Any], stop: threading.Event) -> bool:
    while not stop.is_set():
        try:
            slots.put(entry, timeout=0.1)
            return True
        except queue.Full:
            continue
    return False


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
