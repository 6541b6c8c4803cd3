"""Bulk ingestion: parse in worker processes (every core), write in short batched transactions.

Each document gets a wall-clock limit in its worker. A worker that overruns is killed and replaced, so a
pathological page (a regex or parser stuck in C code, which no signal can interrupt) costs one document,
never the batch. Parsing happens before the batch's transaction opens, so SQLite's write lock is held
only for the inserts.
"""

import contextlib
import logging
import multiprocessing
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess

from sqlalchemy.orm import Session, sessionmaker

from app.domain import Hints
from app.errors import BroadsheetError
from app.fetch.client import Fetcher
from app.ingestion import service
from app.ingestion.documents import Document
from app.ingestion.service import Extracted, Failed, IngestResult
from app.storage.db import write_session

log = logging.getLogger(__name__)
Parsed = list[Extracted | Failed]


@dataclass
class Totals:
    """What a bulk ingest did, counted only after each batch committed."""

    counts: Counter[str] = field(default_factory=Counter)
    failures: list[Failed] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        return {k: self.counts.get(k, 0) for k in ("created", "updated", "unchanged", "failed")}


def parse_document(doc: Document, fetcher: Fetcher | None) -> Parsed:
    """Every article of one document, or why it has none; never raises."""
    try:
        return service.extract_all(doc.data, hints=doc.hints, fetcher=fetcher)
    except BroadsheetError as exc:
        return [Failed(doc.name, exc.detail)]
    except Exception as exc:  # a parser bug must cost one document, not the run
        log.exception("parser crashed", extra={"document": doc.name})
        return [Failed(doc.name, f"internal parser error: {type(exc).__name__}")]


ParseFunction = Callable[[Document, Fetcher | None], Parsed]
_WARM_UP = Document(
    "warm-up", b"<html><title>t</title><p>Warm up the parsers.</p></html>", Hints(url="https://a.example/")
)
_STARTUP_SECONDS = 120.0


def _worker(conn: Connection, parse: ParseFunction) -> None:
    # Workers never fetch: feed entries that need their page come back marked, and the parent fetches them.
    parse(_WARM_UP, None)  # imports and lazy models load now, not inside the first document's time limit
    conn.send("ready")
    while True:
        try:
            doc = conn.recv()
        except EOFError:
            return
        if doc is None:
            return
        conn.send(parse(doc, None))


@dataclass
class _Slot:
    process: BaseProcess
    conn: Connection
    task: tuple[int, Document] | None = None
    started: float = 0.0


class ParserPool:
    """`jobs` parser processes, each document bounded by `time_limit` seconds of wall-clock time."""

    def __init__(self, jobs: int, time_limit: float, parse: ParseFunction = parse_document) -> None:
        self._context = multiprocessing.get_context("spawn")  # no inherited locks, threads or DB connections
        self._time_limit = time_limit
        self._parse = parse
        starting = [self._spawn() for _ in range(max(1, jobs))]
        self._slots = [self._ready(slot) for slot in starting]

    def _spawn(self) -> _Slot:
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_worker, args=(child, self._parse), daemon=True)
        process.start()
        child.close()
        return _Slot(process, parent)

    @staticmethod
    def _ready(slot: _Slot) -> _Slot:
        try:
            if slot.conn.poll(_STARTUP_SECONDS) and slot.conn.recv() == "ready":
                return slot
        except EOFError:
            pass
        slot.process.kill()
        raise RuntimeError("a parser process did not start")

    def map(self, docs: list[Document]) -> list[Parsed]:
        """Parse a list of documents; results in the input order."""
        results: dict[int, Parsed] = {}
        pending = list(enumerate(docs))
        pending.reverse()
        while pending or any(slot.task for slot in self._slots):
            for slot in self._slots:
                if slot.task is None and pending:
                    slot.task, slot.started = pending.pop(), time.monotonic()
                    slot.conn.send(slot.task[1])
            busy = [slot for slot in self._slots if slot.task]
            next_deadline = min(slot.started for slot in busy) + self._time_limit
            ready = wait([slot.conn for slot in busy], timeout=max(0.0, next_deadline - time.monotonic()))
            for slot in busy:
                assert slot.task is not None
                index, doc = slot.task
                if slot.conn in ready:
                    try:
                        results[index] = slot.conn.recv()
                    except EOFError:  # the worker died (e.g. out of memory, a crash in C code)
                        results[index] = [Failed(doc.name, "the parser process died on this document")]
                        self._replace(slot)
                    slot.task = None
                elif time.monotonic() - slot.started >= self._time_limit:
                    results[index] = [Failed(doc.name, f"parsing took longer than {self._time_limit:g} s; skipped")]
                    log.warning("document over the time limit", extra={"document": doc.name})
                    self._replace(slot)
                    slot.task = None
        return [results[i] for i in range(len(docs))]

    def _replace(self, slot: _Slot) -> None:
        slot.process.kill()
        slot.process.join()
        slot.conn.close()
        fresh = self._ready(self._spawn())
        slot.process, slot.conn = fresh.process, fresh.conn

    def close(self) -> None:
        for slot in self._slots:
            with contextlib.suppress(OSError):
                slot.conn.send(None)
        for slot in self._slots:
            slot.process.join(timeout=5)
            if slot.process.is_alive():
                slot.process.kill()
            slot.conn.close()


def ingest(
    sessions: sessionmaker[Session],
    documents: Iterable[Document | Failed],
    pool: ParserPool,
    *,
    batch_size: int,
    fetcher: Fetcher | None = None,
    on_batch: Callable[[int, Totals], None] = lambda n, t: None,
) -> Totals:
    """Parse documents in the pool and store each batch in one transaction (a savepoint per article).

    With a fetcher, feed entries that carry only a summary get their page fetched here, in this process
    (through the guarded client, with its timeouts), and parsed in the pool like any document.
    """
    totals = Totals()
    for batch in _batches(documents, batch_size):
        failed = [item for item in batch if isinstance(item, Failed)]
        docs = [item for item in batch if isinstance(item, Document)]
        parsed = [article for result in pool.map(docs) for article in result]
        if fetcher is not None:
            parsed = _complete_feed_entries(parsed, pool, fetcher)
        stored = _store(sessions, parsed)
        for item in (*failed, *stored):
            if isinstance(item, IngestResult):
                totals.counts[item.outcome.value] += 1
            else:
                totals.counts["failed"] += 1
                totals.failures.append(item)
        on_batch(len(batch), totals)
    return totals


def _complete_feed_entries(parsed: Parsed, pool: ParserPool, fetcher: Fetcher) -> Parsed:
    pending = [(i, item) for i, item in enumerate(parsed) if isinstance(item, Extracted) and item.page_to_fetch]
    pages: list[Document] = []
    errors: dict[int, BroadsheetError] = {}
    for i, entry in pending:
        assert entry.page_to_fetch is not None
        try:
            data, hints = service.fetch(fetcher, entry.page_to_fetch)
            pages.append(Document(entry.page_to_fetch, data, hints))
        except BroadsheetError as exc:
            errors[i] = exc
    results = iter(pool.map(pages))
    completed = list(parsed)
    for i, entry in pending:
        assert isinstance(entry, Extracted)
        if i in errors:
            completed[i] = service.complete_from_page(entry, errors[i])
            continue
        result = next(results)
        page = result[0] if len(result) == 1 else None
        if isinstance(page, Extracted):
            completed[i] = service.complete_from_page(entry, page)
        else:
            reason = page.reason if isinstance(page, Failed) else "the page holds more than one article"
            completed[i] = service.complete_from_page(entry, BroadsheetError(reason))
    return completed


def _store(sessions: sessionmaker[Session], parsed: Parsed) -> list[IngestResult | Failed]:
    try:
        with write_session(sessions) as session:
            return service.store_all(session, parsed)
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
