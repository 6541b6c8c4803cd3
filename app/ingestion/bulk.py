"""Bulk ingestion: parse in the parser pool (every core), write in short batched transactions.

Parsing happens before a batch's transaction opens, so SQLite's write lock is held only for the inserts.
"""

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from app.fetch.client import Fetcher
from app.ingestion import service
from app.ingestion.documents import Document
from app.ingestion.pool import Parsed, ParserPool
from app.ingestion.service import Failed, IngestResult
from app.storage.db import Writer

log = logging.getLogger(__name__)


@dataclass
class Totals:
    """What a bulk ingest did, counted only after each batch committed."""

    counts: Counter[str] = field(default_factory=Counter)
    failures: list[Failed] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        return {k: self.counts.get(k, 0) for k in ("created", "updated", "unchanged", "failed")}


def ingest(
    writer: Writer,
    documents: Iterable[Document | Failed],
    pool: ParserPool,
    *,
    batch_size: int,
    fetcher: Fetcher | None = None,
    on_batch: Callable[[int, Totals], None] = lambda n, t: None,
) -> Totals:
    """Parse documents in the pool and store each batch in one transaction, with set-based writes (storage.batch).

    With a fetcher, feed entries that carry only a summary get their page fetched here, in this process
    (through the guarded client, with its timeouts), and parsed in the pool like any document.
    """
    totals = Totals()
    for batch in _batches(documents, batch_size):
        failed = [item for item in batch if isinstance(item, Failed)]
        docs = [item for item in batch if isinstance(item, Document)]
        parsed = [article for result in pool.map(docs) for article in result]
        if fetcher is not None:
            parsed = service.complete_feed_entries(parsed, fetcher, pool.parse_page, limit=None)
        stored = _store(writer, parsed)
        for item in (*failed, *stored):
            if isinstance(item, IngestResult):
                totals.counts[item.outcome.value] += 1
            else:
                totals.counts["failed"] += 1
                totals.failures.append(item)
        on_batch(len(batch), totals)
    return totals


def _store(writer: Writer, parsed: Parsed) -> list[IngestResult | Failed]:
    try:
        return writer.run(lambda session: service.store_batch(session, parsed))
    except Exception as exc:  # the commit itself failed: nothing of this batch is stored
        log.exception("batch failed")
        names = [p.name if isinstance(p, Failed) else p.article.url for p in parsed]
        return [Failed(name, f"batch not stored: {type(exc).__name__}") for name in names]


def _batches(items: Iterable[Document | Failed], size: int) -> Iterator[list[Document | Failed]]:
    batch: list[Document | Failed] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
