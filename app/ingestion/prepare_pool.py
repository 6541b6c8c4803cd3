"""NDJSON batches decoded, validated and prepared in worker processes while the main process writes.

Preparing an article (JSON decoding, validation, canonical URL, hash) costs about as much CPU as writing
it. In a thread of the writing process that work contended with the writes for the GIL, and bulk ingest
reached half the raw write rate; in another process it runs on another core. Workers are spawned and load
only the models and the reader's normalisation: no SQLAlchemy, httpx or parsers
(tests/reader/test_reader_purity.py checks it in a live worker).

A worker takes a fraction of a second to start, so until one has, batches are prepared in this process: a
small file does not wait for it. After that at most `depth` batches are prepared ahead of the one being
written, so memory stays bounded whatever the file's size. A prepared batch crosses the pipe as one pickle.
"""

import itertools
import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor

from app.ingestion import ndjson
from app.ingestion.prepared import PreparedBatch, prepare_batch
from app.reader.outcomes import Failed

Entry = ndjson.Line | Failed
Pending = Future[PreparedBatch] | PreparedBatch


def prepare_lines(entries: list[Entry]) -> PreparedBatch:
    """A batch of NDJSON lines as articles, prepared for storage; what a worker runs."""
    return prepare_batch([entry if isinstance(entry, Failed) else ndjson.article(entry) for entry in entries])


def _started() -> bool:
    """A worker that ran this has imported everything `prepare_lines` needs."""
    return True


def start(workers: int) -> ProcessPoolExecutor:
    """The worker processes: spawned, so they inherit no locks, threads or connections, and import only what
    `prepare_lines` needs."""
    return ProcessPoolExecutor(max(1, workers), mp_context=multiprocessing.get_context("spawn"))


def prepared_batches(batches: Iterable[list[Entry]], *, workers: int, depth: int = 2) -> Iterator[PreparedBatch]:
    """`prepare_lines` of each batch, in order, computed by `workers` processes up to `depth` batches ahead."""
    batches = iter(batches)
    ahead = list(itertools.islice(batches, 2))
    if len(ahead) < 2:  # one batch: no worker to start and wait for (a 1-line file took 0.4 s more)
        yield from (prepare_lines(batch) for batch in ahead)
        return
    pool = start(workers)
    pending: deque[Pending] = deque()
    try:
        started = pool.submit(_started)
        for batch in itertools.chain(ahead, batches):
            pending.append(pool.submit(prepare_lines, batch) if started.done() else prepare_lines(batch))
            # A batch prepared here is ready now; one in a worker waits until `depth` others are queued.
            while pending and (len(pending) > depth or isinstance(pending[0], PreparedBatch)):
                yield _result(pending.popleft())
        while pending:
            yield _result(pending.popleft())
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _result(item: Pending) -> PreparedBatch:
    return item if isinstance(item, PreparedBatch) else item.result()
