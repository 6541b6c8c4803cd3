"""The change log's writes and reads: the hook through which anything derived from articles stays current.

Flows call `record` in the transaction that made the changes, once, after their writes. On PostgreSQL the
record takes a transaction-level advisory lock first, so the log's sequence numbers are handed out in commit
order (a sequence alone hands them out in statement order, and a reader could pass over a number whose
transaction commits later); the lock is held only from the log insert to the commit. SQLite writers are
serialised already.
"""

import enum
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import Table, select, text
from sqlalchemy.orm import Session

from app.storage import inserts
from app.storage.tables import ArticleChange

CHANGES = cast(Table, ArticleChange.__table__)

_LOG_LOCK = 0x62726F6164  # one advisory-lock key for the log ("broad")


class ChangeKind(enum.StrEnum):
    UPSERT = "upsert"  # created or updated: the article's current row is what to index
    DELETE = "delete"


def record(session: Session, changes: Iterable[tuple[int, ChangeKind]], *, now: datetime) -> None:
    """Append changes to the log in the caller's transaction (nothing when there are none)."""
    rows = [(article_id, kind.value, now) for article_id, kind in changes]
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOG_LOCK})
    inserts.insert_many(session, CHANGES, ("article_id", "kind", "changed_at"), rows)


def after(session: Session, seq: int, *, limit: int) -> Sequence[ArticleChange]:
    """Changes with a sequence number above `seq`, oldest first."""
    stmt = select(ArticleChange).where(ArticleChange.seq > seq).order_by(ArticleChange.seq).limit(limit)
    return session.scalars(stmt).all()
