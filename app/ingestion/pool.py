"""Parser processes with a wall-clock limit per document, for bulk ingest and for the API.

A worker that overruns is killed and replaced, so a pathological page (a regex or a parser stuck in C
code, which no signal can interrupt) costs one document, never a batch or a server thread. Workers are
spawned, not forked: they inherit no locks, threads or database connections, and they never fetch
(feed entries that need their page come back marked; the caller fetches and parses those pages).
"""

import contextlib
import logging
import multiprocessing
import queue
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

from app.domain import Hints
from app.errors import BroadsheetError, ParseError
from app.reader import pipeline
from app.reader.pipeline import Document, Failed, ParsedArticle

log = logging.getLogger(__name__)
Parsed = list[ParsedArticle | Failed]
T = TypeVar("T")
ParseFunction = Callable[[Document], Parsed]
ParseOneFunction = Callable[[Document], "ParsedArticle | BroadsheetError"]


def parse_document(doc: Document) -> Parsed:
    """Every article of one document, or why it has none; never raises."""
    try:
        return pipeline.parse_all(doc.data, hints=doc.hints)
    except BroadsheetError as exc:
        return [Failed(doc.name, exc.detail)]
    except Exception as exc:  # a parser bug must cost one document, not the run
        log.exception("parser crashed", extra={"document": doc.name})
        return [Failed(doc.name, f"internal parser error: {type(exc).__name__}")]


def parse_feed_document(doc: Document) -> Parsed | BroadsheetError:
    """Every entry of one feed document as `pipeline.parse_feed` reads it; its error is returned."""
    return _errors_returned(lambda: pipeline.parse_feed(doc.data, hints=doc.hints), doc)


def parse_one_document(doc: Document) -> ParsedArticle | BroadsheetError:
    """One article document as `pipeline.parse` reads it; its error is returned (to cross the pipe)."""
    return _errors_returned(lambda: pipeline.parse(doc.data, hints=doc.hints), doc)


def _errors_returned(parse: Callable[[], T], doc: Document) -> T | BroadsheetError:
    try:
        return parse()
    except BroadsheetError as exc:
        return exc
    except Exception as exc:  # a parser bug costs its document, as a 422, never the worker
        log.exception("parser crashed", extra={"document": doc.name})
        return ParseError(f"internal parser error: {type(exc).__name__}")


# Long enough (40 characters) for language identification, whose model loads on first use: that load takes
# seconds on a busy machine and must not be charged to the first document's time limit.
_WARM_UP = Document(
    "warm-up",
    b"<html><title>t</title><p>Warm up the parsers, the date readers and the language model.</p></html>",
    Hints(url="https://a.example/"),
)
_STARTUP_SECONDS = 120.0


def _worker(conn: Connection, parse: ParseFunction, parse_one: ParseOneFunction) -> None:
    parse(_WARM_UP)  # imports and lazy models load now, not inside the first document's time limit
    conn.send("ready")
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        kind, doc = message
        conn.send(parse(doc) if kind == "all" else parse_feed_document(doc) if kind == "feed" else parse_one(doc))


@dataclass
class _Slot:
    process: BaseProcess
    conn: Connection
    task: tuple[int, Document] | None = None
    started: float = 0.0


class ParserPool:
    """`jobs` parser processes, each document bounded by `time_limit` seconds of wall-clock time.

    `map` serves one caller (bulk ingest) and uses every worker; `run_one` may be called from many threads
    at once (the API), each call taking a free worker. Do not mix the two on one pool.
    """

    def __init__(
        self,
        jobs: int,
        time_limit: float,
        parse: ParseFunction = parse_document,
        parse_one: ParseOneFunction = parse_one_document,
    ) -> None:
        self._context = multiprocessing.get_context("spawn")
        self.time_limit = time_limit
        self._functions = (parse, parse_one)
        starting = [self._spawn() for _ in range(max(1, jobs))]
        self._slots = [self._ready(slot) for slot in starting]
        self._free: queue.Queue[_Slot] = queue.Queue()
        for slot in self._slots:
            self._free.put(slot)

    def _spawn(self) -> _Slot:
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_worker, args=(child, *self._functions), daemon=True)
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

    def parse(self, data: bytes, hints: Hints) -> ParsedArticle:
        """`pipeline.parse`, in a worker: the signature feed completion and the API call."""
        return self.run_one(Document(hints.url or "document", data, hints))

    def parse_feed(self, data: bytes, hints: Hints) -> Parsed:
        """`pipeline.parse_feed`, in a worker: a feed's XML is untrusted input like any page."""
        result = self._run("feed", Document(hints.url or "feed", data, hints))
        assert isinstance(result, list)
        return result

    def run_one(self, doc: Document) -> ParsedArticle:
        """Parse one article document in a worker; raises what `pipeline.parse` raises, or ParseError
        when the document takes longer than the limit or kills its worker."""
        result = self._run("one", doc)
        assert isinstance(result, ParsedArticle)
        return result

    def _run(self, kind: str, doc: Document) -> Any:
        slot = self._free.get()
        try:
            slot.conn.send((kind, doc))
            if not slot.conn.poll(self.time_limit):
                log.warning("document over the time limit", extra={"document": doc.name})
                self._replace(slot)
                raise ParseError(f"parsing took longer than {self.time_limit:g} s; the document was not stored")
            try:
                result: Any = slot.conn.recv()
            except EOFError:
                self._replace(slot)
                raise ParseError("the parser process died on this document; it was not stored") from None
        finally:
            self._free.put(slot)
        if isinstance(result, BroadsheetError):
            raise result
        return result

    def map(self, docs: list[Document]) -> list[Parsed]:
        """Every article of each document, in the input order, using all workers."""
        results: dict[int, Parsed] = {}
        pending = list(enumerate(docs))
        pending.reverse()
        while pending or any(slot.task for slot in self._slots):
            for slot in self._slots:
                if slot.task is None and pending:
                    slot.task, slot.started = pending.pop(), time.monotonic()
                    slot.conn.send(("all", slot.task[1]))
            busy = [slot for slot in self._slots if slot.task]
            next_deadline = min(slot.started for slot in busy) + self.time_limit
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
                elif time.monotonic() - slot.started >= self.time_limit:
                    results[index] = [Failed(doc.name, f"parsing took longer than {self.time_limit:g} s; skipped")]
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
