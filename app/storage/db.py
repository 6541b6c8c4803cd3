"""Engine factory, session scopes, and the SQLite settings that make it a safe embedded default."""

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from app.config import Settings, ensure_sqlite_dir
from app.errors import ServiceBusy

log = logging.getLogger(__name__)
T = TypeVar("T")
# PostgreSQL SQLSTATEs after which running the same transaction again is the documented remedy.
_RETRYABLE_SQLSTATES = {"40001", "40P01", "55P03"}  # serialization failure, deadlock, lock not available


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(settings: Settings) -> Engine:
    """Build the engine for DATABASE_URL; on SQLite, WAL + durable commits + immediate write locks."""
    url = settings.database_url
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        ensure_sqlite_dir(url)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        _configure_sqlite(engine, settings.sqlite_busy_timeout_ms)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Hand transaction control to SQLAlchemy's "begin" hook below (pysqlite's own BEGIN is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL in WAL mode: a commit that returned is on disk even if the machine loses power.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writers take the lock up front: a deferred transaction that upgrades to a write can fail with
        # SQLITE_BUSY without waiting on busy_timeout, so writes would fail under load.
        mode = "IMMEDIATE" if connection.get_execution_options().get("sqlite_write") else "DEFERRED"
        connection.exec_driver_sql(f"BEGIN {mode}")


def write_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for writes. On SQLite their BEGIN IMMEDIATE is sent with the first statement, not when the
    session opens, so a request still reading its body or parsing does not hold the database's write lock."""
    return sessionmaker(engine.execution_options(sqlite_write=True), expire_on_commit=False)


def read_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for requests that read with one statement.

    On PostgreSQL they run in autocommit: a single statement has its own snapshot, and skipping BEGIN and
    ROLLBACK saves two of the four round trips of a page. SQLite's deferred BEGIN is local and costs nothing.
    """
    if is_sqlite(engine):
        return sessionmaker(engine, expire_on_commit=False)
    return sessionmaker(engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False)


@contextmanager
def write_session(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session for one unit of writes: commits on success, rolls back on any error."""
    with factory() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def read_session(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session for reads: nothing to commit, the transaction is closed on exit."""
    with factory() as session:
        yield session


class Writer:
    """Runs units of writes: each in one transaction that has committed when `run` returns.

    Callers answer a client only after `run` returned, so an acknowledged write is a durable one. On SQLite
    the writers of this process queue on a lock before BEGIN IMMEDIATE: one writer at a time, in arrival
    order, instead of every thread spinning in the busy handler (which starved some past busy_timeout).
    Other processes (a second worker, the CLI) still meet busy_timeout. Lock conflicts, PostgreSQL
    serialization failures and deadlocks are retried with jittered backoff; past `attempts` the caller gets
    ServiceBusy (503 with Retry-After), never a half-done write.
    """

    def __init__(self, engine: Engine, *, attempts: int = 5) -> None:
        self.sessions = write_session_factory(engine)
        self._lock: AbstractContextManager[Any] = threading.Lock() if is_sqlite(engine) else nullcontext()
        self._attempts = attempts
        # Called after each commit (the search index's follower is woken this way).
        self.after_commit: list[Callable[[], None]] = []

    def run(self, work: Callable[[Session], T]) -> T:
        """`work(session)` in a transaction, committed before returning; retried whole on a transient conflict."""
        for attempt in range(1, self._attempts + 1):
            try:
                with self._lock, write_session(self.sessions) as session:
                    result = work(session)
                for hook in self.after_commit:
                    hook()
                return result
            except (DBAPIError, StaleDataError) as exc:
                if not is_transient(exc) or attempt == self._attempts:
                    if is_transient(exc):
                        raise ServiceBusy("the database is busy; retry in a moment") from exc
                    raise
                log.warning("write conflict, retrying", extra={"attempt": attempt, "error": type(exc).__name__})
                time.sleep(random.uniform(0, 0.05 * 2**attempt))  # noqa: S311 - jitter, not security
        raise AssertionError("unreachable")


def is_transient(exc: Exception) -> bool:
    """A conflict after which running the whole transaction again is the remedy (lock, serialization, deadlock)."""
    if isinstance(exc, StaleDataError):  # the row changed under an ORM update: run the whole unit again
        return True
    orig = getattr(exc, "orig", None)
    if getattr(orig, "sqlstate", None) in _RETRYABLE_SQLSTATES:
        return True
    message = str(orig).lower()
    return "database is locked" in message or "database is busy" in message
