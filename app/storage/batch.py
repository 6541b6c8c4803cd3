"""Set-based upserts of a batch of articles: a handful of statements per batch instead of ten per article.

Per batch: one SELECT of the stored rows by URL key (locked FOR UPDATE on PostgreSQL), the decisions made in
memory, one multi-row INSERT ... ON CONFLICT (url_key) DO NOTHING RETURNING for the new articles, one
executemany UPDATE for the changed ones, and for tags one lookup, one insert of the missing keys and one
DELETE plus one INSERT of the batch's links; the caller logs the changes in the same transaction, and the
search index follows that log. Multi-row statements and key lookups take each engine's fastest form
(storage.inserts). A statement the database refuses (a constraint, a value out of range) rolls back to
the batch's one savepoint and the batch is halved until only the refused articles remain, each with its
reason: no savepoint per article.

A URL key that appears more than once in a batch is decided in input order, exactly as storing the articles
one after the other would decide it (the first may be created and a later one update, be unchanged or kept),
and only its last accepted reading is written. Repository rules hold: flush, never commit.
"""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar, cast

from sqlalchemy import Table, bindparam, delete, event, select, update
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.orm import Session, SessionTransaction

from app.domain import Outcome
from app.models import PreparedArticle
from app.storage import inserts
from app.storage.db import is_transient
from app.storage.repository import article_fields, utc
from app.storage.tables import Article, ArticleTag, Tag

ARTICLES = cast(Table, Article.__table__)
TAGS = cast(Table, Tag.__table__)
ARTICLE_TAGS = cast(Table, ArticleTag.__table__)
# Keys per IN list: far below SQLite's 32,766 and PostgreSQL's 65,535 bound parameters per statement.
_IN_CHUNK = 2000
# Rounds of "insert, re-read what a concurrent writer stored first": one is the rule, a second is a
# concurrent delete of that very row; more means something is wrong.
_ROUNDS = 3
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class StoredState:
    """What deciding an upsert needs to know of the reading stored under a URL key."""

    content_hash: str
    modified_at: datetime | None
    word_count: int


Decide = Callable[[PreparedArticle, StoredState], Outcome]


class CommittedTags:
    """Tag ids known to be committed, kept by one bulk run so that its batches' tags are not looked up again
    (a tenth of the writer's time per batch, profiled).

    Broadsheet never deletes a tag nor changes its id, so a committed id stays right for the run. Ids a
    transaction read or inserted join only once it has committed (the session events below); any rollback,
    a savepoint's included, drops them. Cleared when `limit` is reached: that only costs lookups again.
    """

    def __init__(self, limit: int = 200_000) -> None:
        self.ids: dict[str, int] = {}
        self.limit = limit

    def stage(self, session: Session, ids: dict[str, int]) -> None:
        session.info.setdefault(_STAGED_TAGS, (self, {}))[1].update(ids)

    def keep(self, staged: dict[str, int]) -> None:
        if len(self.ids) + len(staged) > self.limit:
            self.ids.clear()
        self.ids.update(staged)


_STAGED_TAGS = "broadsheet.staged_tag_ids"


@event.listens_for(Session, "after_commit")
def _keep_staged_tags(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released (SQLAlchemy calls that a commit too)
        return
    entry = session.info.pop(_STAGED_TAGS, None)
    if entry is not None:
        tags, staged = entry
        tags.keep(staged)


@event.listens_for(Session, "after_soft_rollback")
def _drop_staged_tags(session: Session, previous_transaction: SessionTransaction) -> None:
    session.info.pop(_STAGED_TAGS, None)


@dataclass(frozen=True, slots=True)
class Upserted:
    """What storing one article of a batch did, and the stored reading it was compared with (None: created)."""

    outcome: Outcome
    article_id: int
    compared: StoredState | None = None


@dataclass(frozen=True, slots=True)
class Refused:
    """An article the database refused to store, and its reason."""

    reason: str


@dataclass(slots=True)
class _Key:
    """One URL key while its batch is decided: the stored row (or the new one) and what to write."""

    article_id: int | None
    ingested_at: datetime
    state: StoredState | None = None
    is_new: bool = False
    original_url: str | None = None
    write: PreparedArticle | None = None


@dataclass(slots=True)
class _Round:
    keys: dict[str, _Key]
    decisions: list[tuple[Outcome, StoredState | None]] = field(default_factory=list)


def state_of(content_hash: str, modified_at: datetime | None, word_count: int) -> StoredState:
    """A stored reading as the decision rule sees it (instants in UTC whatever the engine returned)."""
    return StoredState(content_hash, utc(modified_at), word_count)


def upsert_many(
    session: Session,
    prepared: Sequence[PreparedArticle],
    *,
    now: datetime,
    decide: Decide,
    tags: CommittedTags | None = None,
) -> list[Upserted | Refused]:
    """Upsert a batch by URL key with set-based statements; one result per article, in input order.

    `decide(article, stored)` says whether an article whose URL is stored is UPDATED, UNCHANGED or KEPT.
    """
    return _isolating(session, list(prepared), lambda group: _upsert(session, group, now=now, decide=decide, tags=tags))


def _isolating(
    session: Session, group: list[PreparedArticle], write: Callable[[list[PreparedArticle]], list[Upserted]]
) -> list[Upserted | Refused]:
    """`write(group)` in one savepoint; when the database refuses it, each half again, down to single articles."""
    if not group:
        return []
    try:
        with session.begin_nested():
            return list(write(group))
    except StatementError as exc:
        if isinstance(exc, DBAPIError) and is_transient(exc):
            raise  # the whole transaction is retried by storage.db.Writer
        if len(group) == 1:
            return [Refused(_reason(exc))]
    middle = len(group) // 2
    return _isolating(session, group[:middle], write) + _isolating(session, group[middle:], write)


def _reason(exc: StatementError) -> str:
    detail = str(exc.orig if exc.orig is not None else exc).strip().splitlines()
    return f"the database refused the article: {type(exc.orig or exc).__name__}: {detail[0] if detail else ''}"[:300]


def _upsert(
    session: Session, group: list[PreparedArticle], *, now: datetime, decide: Decide, tags: CommittedTags | None
) -> list[Upserted]:
    results: dict[int, Upserted] = {}
    pending = list(range(len(group)))
    for _ in range(_ROUNDS):
        articles = [group[i] for i in pending]
        batch = _decide(articles, _stored(session, {p.url_key for p in articles}), now=now, decide=decide)
        lost = _write(session, batch.keys, now=now, tags=tags)
        for i, article, (outcome, compared) in zip(pending, articles, batch.decisions, strict=True):
            article_id = batch.keys[article.url_key].article_id
            if article.url_key not in lost and article_id is not None:
                results[i] = Upserted(outcome, article_id, compared)
        # Articles whose new row a concurrent writer stored first: decided again against that row.
        pending = [i for i in pending if group[i].url_key in lost]
        if not pending:
            return [results[i] for i in range(len(group))]
    raise RuntimeError("rows kept appearing and vanishing under this batch; it was not stored")


def _stored(session: Session, keys: set[str]) -> dict[str, _Key]:
    """The stored rows of these URL keys, locked in key order on PostgreSQL (concurrent batches cannot deadlock)."""
    found: dict[str, _Key] = {}
    # Table columns, not ORM attributes: the rows come back as plain tuples, without the ORM's loading step.
    c = ARTICLES.c
    columns = (c.url_key, c.id, c.ingested_at, c.content_hash, c.modified_at, c.word_count)
    for chunk in _chunks(sorted(keys)):
        stmt = select(*columns).where(inserts.among(c.url_key, chunk, session)).order_by(c.url_key)
        for key, article_id, ingested_at, content_hash, modified_at, words in session.execute(stmt.with_for_update()):
            ingested = utc(ingested_at)
            assert ingested is not None
            found[key] = _Key(article_id, ingested, state_of(content_hash, modified_at, words))
    return found


def _decide(articles: list[PreparedArticle], keys: dict[str, _Key], *, now: datetime, decide: Decide) -> _Round:
    """Each article's outcome in input order, as storing them one by one would decide; keys carry what to write."""
    batch = _Round(keys)
    for article in articles:
        key = keys.get(article.url_key)
        if key is None:
            keys[article.url_key] = key = _Key(None, now, is_new=True, original_url=article.original_url)
            outcome, compared = Outcome.CREATED, None
        else:
            compared = key.state
            assert compared is not None
            outcome = decide(article, compared)
        if outcome in (Outcome.CREATED, Outcome.UPDATED):
            key.write = article
            key.state = StoredState(article.content_hash, article.article.modified_at, article.word_count)
        batch.decisions.append((outcome, compared))
    return batch


def _write(session: Session, keys: dict[str, _Key], *, now: datetime, tags: CommittedTags | None) -> set[str]:
    """Insert the new rows, update the changed ones, replace their tags; the keys another writer inserted first."""
    new = {k: key for k, key in keys.items() if key.is_new and key.write is not None}
    for k, article_id in _insert_new(session, new, now=now).items():
        new[k].article_id = article_id
    lost = {k for k, key in new.items() if key.article_id is None}
    updated = [key for key in keys.values() if not key.is_new and key.write is not None]
    _update_rows(session, updated, now=now)
    written = [key for key in keys.values() if key.write is not None and key.article_id is not None]
    replaced = [key.article_id for key in updated if key.article_id is not None]
    _replace_links(session, written, replaced=replaced, tags=tags)
    return lost


def _insert_new(session: Session, new: dict[str, _Key], *, now: datetime) -> dict[str, int]:
    if not new:
        return {}
    rows = []
    for k in sorted(new):  # key order, so concurrent batches wait on each other's keys in one order
        key = new[k]
        assert key.write is not None
        fields = article_fields(key.write, now=now, ingested_at=now)
        rows.append({**fields, "url_key": k, "original_url": key.original_url, "ingested_at": now})
    columns = tuple(rows[0])
    values = [tuple(row.values()) for row in rows]  # every row's keys in one order: article_fields builds them
    returned = inserts.insert_many(
        session, ARTICLES, columns, values, skip_conflicts_on="url_key", returning=("url_key", "id")
    )
    return {k: article_id for k, article_id in returned}


def _update_rows(session: Session, keys: list[_Key], *, now: datetime) -> None:
    if not keys:
        return
    rows = []
    for key in sorted(keys, key=lambda key: key.article_id or 0):
        assert key.write is not None
        rows.append({**article_fields(key.write, now=now, ingested_at=key.ingested_at), "row_id": key.article_id})
    columns = [name for name in rows[0] if name != "row_id"]
    stmt = update(ARTICLES).where(ARTICLES.c.id == bindparam("row_id")).values({c: bindparam(c) for c in columns})
    session.execute(stmt, rows)


def _replace_links(session: Session, keys: list[_Key], *, replaced: list[int], tags: CommittedTags | None) -> None:
    """The batch's article_tags: old links of updated articles deleted, every written article's links inserted."""
    for chunk in _chunks(replaced):
        session.execute(delete(ARTICLE_TAGS).where(inserts.among(ARTICLE_TAGS.c.article_id, chunk, session)))
    displays: dict[str, str] = {}
    for key in keys:
        assert key.write is not None
        for tag, k in zip(key.write.article.tags, key.write.tag_keys, strict=True):
            displays.setdefault(k, tag)
    if not displays:
        return
    ids = _tag_ids(session, displays, tags)
    links = []
    for key in keys:
        assert key.write is not None
        sort_at = utc(key.write.article.published_at) or key.ingested_at  # as article_fields sets it
        links += [(ids[k], key.article_id, sort_at) for k in key.write.tag_keys]  # keys are distinct
    inserts.insert_many(session, ARTICLE_TAGS, ("tag_id", "article_id", "sort_at"), links)


def _tag_ids(session: Session, displays: dict[str, str], tags: CommittedTags | None) -> dict[str, int]:
    """Ids of these tag keys, inserting the missing ones (a display form is the first one seen)."""
    ids = {k: tags.ids[k] for k in displays if k in tags.ids} if tags is not None else {}
    ids.update(_existing_tags(session, [k for k in displays if k not in ids]))
    missing = sorted(k for k in displays if k not in ids)  # key order: concurrent writers lock tags in one order
    if missing:
        rows = [(k, displays[k]) for k in missing]
        inserted = inserts.insert_many(
            session, TAGS, ("key", "display"), rows, skip_conflicts_on="key", returning=("key", "id")
        )
        ids.update((k, tag_id) for k, tag_id in inserted)
        # Keys a concurrent writer inserted first return nothing above: their ids are read.
        ids.update(_existing_tags(session, [k for k in missing if k not in ids]))
    if tags is not None:
        tags.stage(session, ids)
    return ids


def _existing_tags(session: Session, keys: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in _chunks(keys):
        found.update(
            (k, tag_id)
            for k, tag_id in session.execute(
                select(TAGS.c.key, TAGS.c.id).where(inserts.among(TAGS.c.key, chunk, session))
            )
        )
    return found


def _chunks(values: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), _IN_CHUNK):
        yield values[start : start + _IN_CHUNK]
