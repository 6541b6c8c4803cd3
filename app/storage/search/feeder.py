"""Keeping the index current: apply the change log past the index's checkpoint, or rebuild it from the table.

The database is the source of truth. Each change-log entry names an article; applying it deletes the
article's document and, if the row still exists, adds a document built from the row as it is now. So
applying an entry twice, or late, or after a newer one, always ends at the row's current state, and a
feeder killed at any point resumes from its last checkpoint without losing a committed change.
"""

import fcntl
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from app.domain import as_utc
from app.storage import changes
from app.storage.search import pairs
from app.storage.search.directory import IndexDirectory
from app.storage.search.pairs import CommonWords
from app.storage.search.schema import COLUMNS, to_document
from app.storage.tables import Article, ArticleChange

log = logging.getLogger(__name__)

BATCH = 1000
# Publish at least this often while catching up on a long backlog, so searches see progress.
COMMIT_EVERY_DOCS = 20_000
COMMIT_EVERY_SECONDS = 1.0
_COLUMNS = [getattr(Article, name) for name in COLUMNS]
# Indexing memory per writer thread: following the log needs little; a rebuild fills fewer, larger segments
# with more (at a million articles 4 segments instead of 13: a two-word search's p95 26 ms instead of 38).
HEAP = 64_000_000
REBUILD_HEAP = 256_000_000
RELEARN_RETRY_SECONDS = 600.0  # after a failed relearning rebuild (a full disk): not again at once


def latest_seq(session: Session) -> int:
    """The newest change-log entry's number (0 for an empty log)."""
    return int(session.scalar(select(func.coalesce(func.max(ArticleChange.seq), 0))) or 0)


class Feeder:
    """The one writer of an index generation (tantivy refuses a second: ValueError from `writer()`)."""

    def __init__(
        self, engine: Engine, directory: IndexDirectory, generation: str, *, threads: int = 1, heap: int = HEAP
    ) -> None:
        self.engine = engine
        self.directory = directory
        self.generation = generation
        self.index = directory.open(generation)
        self.words = directory.common_words(generation)
        self.writer = self.index.writer(heap_size=heap * threads, num_threads=threads)
        mark = directory.checkpoint_mark(generation)
        self.checkpoint: int | None = mark[0] if mark else None
        self.logged = mark[1] if mark else ""

    def catch_up(self) -> int:
        """Apply every change past the checkpoint; the number of changes applied."""
        assert self.checkpoint is not None, "a generation is filled by `fill` before it follows the log"
        applied = pending = 0
        published = time.monotonic()
        while True:
            with Session(self.engine) as session:
                batch = changes.after(session, self.checkpoint, limit=BATCH)
                if not batch:
                    break
                ids = list(dict.fromkeys(c.article_id for c in batch))
                rows = _rows(session, Article.id.in_(ids))
            for article_id in ids:
                self.writer.delete_documents_by_term("id", article_id)
            for row in rows:
                self.writer.add_document(to_document(row, self.words.pairs))
            self.checkpoint, self.logged = batch[-1].seq, _stamp(batch[-1].changed_at)
            applied += len(batch)
            pending += len(ids)
            if pending >= COMMIT_EVERY_DOCS or time.monotonic() - published >= COMMIT_EVERY_SECONDS:
                self._publish()
                pending, published = 0, time.monotonic()
        if pending or applied:
            self._publish()
        return applied

    def fill(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Index every article of the table into this (new, empty) generation; the number indexed.

        The log position is read before the scan: every change up to it is visible to the scan, and the
        changes after it are applied by `catch_up` (a change already in the scan is harmlessly re-applied).
        """
        with Session(self.engine) as session:
            start = latest_seq(session)
            total = int(session.scalar(select(func.count(Article.id))) or 0)
            self.logged = _logged(session, start) or ""
        done, last_id = 0, 0
        while True:
            with Session(self.engine) as session:
                stmt = select(*_COLUMNS).where(Article.id > last_id).order_by(Article.id).limit(BATCH)
                rows = [dict(r) for r in session.execute(stmt).mappings()]
            if not rows:
                break
            for row in rows:
                self.writer.add_document(to_document(row, self.words.pairs))
            done += len(rows)
            last_id = rows[-1]["id"]
            if progress:
                progress(done, total)
        self.checkpoint = start
        self._publish()
        return done

    def _publish(self) -> None:
        assert self.checkpoint is not None
        self.writer.commit()
        self.directory.save_checkpoint(self.generation, self.checkpoint, self.logged)

    def outgrew_its_words(self) -> bool:
        """True once the index holds ten times the articles its common words were learned from (at least
        MIN_SAMPLE): a rebuild then learns them again, so an archive that started empty gets its pairs."""
        learned = max(self.words.table_size, pairs.MIN_SAMPLE)
        return int(self.index.searcher().num_docs) >= 10 * learned

    def follows_this_database(self) -> bool:
        """False when the checkpoint's change is not in this database's log as recorded: the index was built
        from another database (one dropped and created again under the same name, a restored backup)."""
        if not self.checkpoint:
            return True
        with Session(self.engine) as session:
            return _logged(session, self.checkpoint) == self.logged

    def close(self) -> None:
        self.writer.wait_merging_threads()


def _logged(session: Session, seq: int) -> str | None:
    changed_at = session.scalar(select(ArticleChange.changed_at).where(ArticleChange.seq == seq))
    return None if changed_at is None else _stamp(changed_at)


def _stamp(changed_at: datetime) -> str:
    return as_utc(changed_at).isoformat()


def _rows(session: Session, where: Any) -> Sequence[Mapping[str, Any]]:
    return [dict(r) for r in session.execute(select(*_COLUMNS).where(where)).mappings()]


def rebuild(
    engine: Engine, directory: IndexDirectory, *, threads: int = 1, progress: Callable[[int, int], None] | None = None
) -> tuple[str, int]:
    """Build a new generation from the table, catch it up with the log, make it current; (name, articles)."""
    generation = directory.new_generation(learn_words(engine))
    feeder = Feeder(engine, directory, generation, threads=threads, heap=REBUILD_HEAP)
    try:
        count = feeder.fill(progress)
        feeder.catch_up()
    finally:
        feeder.close()
    del feeder  # releases the generation's writer lock before readers and the follower switch to it
    directory.make_current(generation)
    return generation, count


def learn_words(engine: Engine) -> CommonWords:
    """The common words of the newest articles (pairs.SAMPLE of them)."""
    texts = (Article.title, Article.summary, Article.body)
    with Session(engine) as session:
        total = int(session.scalar(select(func.count(Article.id))) or 0)
        sample = session.execute(select(*texts).order_by(Article.id.desc()).limit(pairs.SAMPLE)).all()
        return CommonWords.learn(sample, table_size=total, min_sample=pairs.MIN_SAMPLE)


class _Stopping(Exception):
    pass


class Follower:
    """A thread that keeps the index current in a server process.

    Several processes may serve one database (uvicorn workers, replicas on one disk): the one holding the
    index's lock file is its writer and follows the log; the others only read, and take over when the
    writer's process ends (the lock dies with it). Writes in this process `nudge` it awake; writes from
    elsewhere are seen within `interval`.
    """

    def __init__(self, engine: Engine, directory: IndexDirectory, *, interval: float = 0.2) -> None:
        self.engine = engine
        self.directory = directory
        self.interval = interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock_file: TextIO | None = None
        self._feeder: Feeder | None = None
        self._relearning: threading.Thread | None = None
        self._relearn_after = 0.0
        self._thread = threading.Thread(target=self._run, name="index-follower", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def nudge(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=30)
        if self._relearning is not None:
            self._relearning.join(timeout=30)
        if self._feeder is not None:
            self._feeder.close()
            self._feeder = None
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                if self._elected():
                    self._follow()
            except Exception:  # a bad moment (database restarting, disk full) must not end the thread
                log.exception("search index: catching up failed; retrying")
                self._drop_feeder()
                self._stop.wait(5)
            self._wake.wait(self.interval)
            self._wake.clear()

    def _elected(self) -> bool:
        if self._lock_file is not None:
            return True
        self.directory.root.mkdir(parents=True, exist_ok=True)
        handle = open(Path(self.directory.root) / "follower.lock", "a")  # noqa: SIM115 - held for the process
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._lock_file = handle
        log.info("search index: this process keeps the index current", extra={"index": str(self.directory.root)})
        return True

    def _follow(self) -> None:
        current = self.directory.current()
        if current is None:
            started = time.monotonic()
            generation, count = rebuild(self.engine, self.directory)
            log.info(
                "search index built",
                extra={"generation": generation, "articles": count, "seconds": round(time.monotonic() - started, 1)},
            )
            return
        if self._feeder is not None and self._feeder.generation != current:
            self._drop_feeder()  # `broadsheet reindex` switched generations
        if self._feeder is None:
            try:
                feeder = Feeder(self.engine, self.directory, current)
            except ValueError:
                return  # the generation is still held by the process that built it; try again shortly
            if not feeder.follows_this_database():
                log.warning("search index: built from another database; rebuilding", extra={"generation": current})
                feeder.close()
                del feeder
                rebuild(self.engine, self.directory)
                return
            self._feeder = feeder
        self._feeder.catch_up()
        idle = not (self._relearning and self._relearning.is_alive()) and time.monotonic() >= self._relearn_after
        if idle and self._feeder.outgrew_its_words():
            # Built beside the live generation while this thread keeps it current; it switches when done.
            log.info("search index: relearning common words in a new generation", extra={"generation": current})
            self._relearning = threading.Thread(target=self._rebuild, name="index-relearn", daemon=True)
            self._relearning.start()

    def _rebuild(self) -> None:
        def unless_stopping(done: int, total: int) -> None:
            if self._stop.is_set():
                raise _Stopping  # the server is stopping: leave the unfinished generation, never made current

        try:
            rebuild(self.engine, self.directory, progress=unless_stopping)
        except _Stopping:
            return
        except Exception:
            log.exception("search index: relearning common words failed; next try in 10 minutes")
            self._relearn_after = time.monotonic() + RELEARN_RETRY_SECONDS

    def _drop_feeder(self) -> None:
        if self._feeder is not None:
            try:
                self._feeder.close()
            finally:
                self._feeder = None
