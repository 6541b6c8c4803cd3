"""Every query of the service. Functions flush, never commit: the caller owns the transaction."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, tuple_
from sqlalchemy import insert as insert_rows
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from app.domain import as_utc, tag_key
from app.models import ArticleCreate, ArticleListItem, PreparedArticle
from app.storage.filters import ArticleFilters
from app.storage.pagination import KeysetCursor
from app.storage.tables import Article, ArticleTag, Tag

AnySelect = Any  # SQLAlchemy 2.0 and 2.1 type Select differently; statements pass through untyped

_COLUMNS = Article.__table__.c
# What a listing reads: the listed model's fields that are columns (so never the body), plus the keyset's sort_at.
LIST_COLUMNS = (*(_COLUMNS[name] for name in ArticleListItem.model_fields if name in _COLUMNS), _COLUMNS.sort_at)
# The article's own fields stored as they are; dates go through utc() (SQLite keeps no offset).
_STORED_AS_GIVEN = tuple(name for name in ArticleCreate.model_fields if name in _COLUMNS)
# An export line carries the content a client wrote (the body and the first-submitted URL included).
EXPORT_COLUMNS = (*LIST_COLUMNS, _COLUMNS.body, _COLUMNS.original_url)


@dataclass(slots=True)
class Page:
    """Rows of one page and the cursor of the next, if any."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    next_cursor: KeysetCursor | None = None


def utc(value: datetime | None) -> datetime | None:
    """SQLite keeps no offset: every instant is stored as UTC, and a naive value read back is UTC already."""
    return None if value is None else as_utc(value)


def get_article(session: Session, article_id: int) -> Article | None:
    return session.get(Article, article_id)


def find_by_url_key(session: Session, key: str, *, for_update: bool = False) -> Article | None:
    """The article stored under a URL key. `for_update` locks its row (PostgreSQL) until the transaction ends,
    so a concurrent DELETE or update waits instead of changing the row under this one."""
    stmt = select(Article).where(Article.url_key == key)
    return session.scalar(stmt.with_for_update() if for_update else stmt)


def delete_article(session: Session, article_id: int) -> bool:
    result = session.execute(delete(Article).where(Article.id == article_id))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def insert_article(session: Session, prepared: PreparedArticle, *, now: datetime) -> Article | None:
    """Insert a new article; None when another transaction stored the same URL key first."""
    try:
        with session.begin_nested():
            row = Article(
                **article_fields(prepared, now=now, ingested_at=now),
                url_key=prepared.url_key,
                original_url=prepared.original_url,
                ingested_at=now,
            )
            session.add(row)
            session.flush()
    except IntegrityError:
        return None
    _replace_tags(session, row.id, prepared.article.tags, row.sort_at)
    return row


def update_article(session: Session, row: Article, prepared: PreparedArticle, *, now: datetime) -> None:
    """Replace a stored article's content in place (same id, same first-ingested time)."""
    for name, value in article_fields(prepared, now=now, ingested_at=row.ingested_at).items():
        setattr(row, name, value)
    session.flush()
    _replace_tags(session, row.id, prepared.article.tags, row.sort_at)


def article_fields(prepared: PreparedArticle, *, now: datetime, ingested_at: datetime) -> dict[str, Any]:
    """The stored columns of an article's content (not its key, first-submitted URL or first-ingested time)."""
    article = prepared.article
    values = {name: getattr(article, name) for name in _STORED_AS_GIVEN}
    fields = {name: utc(v) if isinstance(v, datetime) else v for name, v in values.items()}
    return {
        **fields,
        "source": prepared.source,
        "sort_at": fields["published_at"] or utc(ingested_at),
        "updated_at": now,
        "word_count": prepared.word_count,
        "content_hash": prepared.content_hash,
    }


def _replace_tags(session: Session, article_id: int, tags: Sequence[str], sort_at: datetime) -> None:
    session.execute(delete(ArticleTag).where(ArticleTag.article_id == article_id))
    if not tags:
        return
    # Sorted keys: concurrent writers then take the tag rows' locks in one order and cannot deadlock.
    displays = dict(sorted({tag_key(t): t for t in reversed(tags)}.items()))
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(Tag)
        .values([{"key": k, "display": d} for k, d in displays.items()])
        .on_conflict_do_nothing(index_elements=["key"])
    )
    ids = session.scalars(select(Tag.id).where(Tag.key.in_(displays))).all()
    session.execute(
        insert_rows(ArticleTag),
        [{"tag_id": tag_id, "article_id": article_id, "sort_at": sort_at} for tag_id in ids],
    )


def _keys(values: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(k for k in map(tag_key, values) if k))


def list_articles(
    session: Session,
    filters: ArticleFilters,
    *,
    limit: int,
    cursor: KeysetCursor | None,
    ascending: bool = False,
    columns: Sequence[Any] = LIST_COLUMNS,
) -> Page:
    """One page, newest first (oldest first when `ascending`), in one query driven by an index range scan.

    Searches, authors and sections are served by the search index (storage.listing), not here.
    """
    required = _keys(filters.tags)
    if required:
        # Drive the page from the first tag's (tag_id, sort_at, article_id) index, read in order for
        # limit + 1 entries. The tag id is a scalar subquery, not a join: a join would hide the index
        # order from PostgreSQL, which then fetches every article of the tag and sorts them.
        link = ArticleTag
        tag_id = select(Tag.id).where(Tag.key == required[0]).scalar_subquery()
        stmt: AnySelect = select(*columns).join(link, link.article_id == Article.id).where(link.tag_id == tag_id)
        order = (link.sort_at, link.article_id)
    else:
        stmt = select(*columns)
        order = (Article.sort_at, Article.id)
    # Rows passing a published_* filter have sort_at == published_at, so the range bounds the index scan
    # itself (it used to walk every newer entry of a tag and drop them one by one).
    if filters.published_after:
        stmt = stmt.where(order[0] >= utc(filters.published_after))
    if filters.published_before:
        stmt = stmt.where(order[0] < utc(filters.published_before))
    if cursor is not None:
        position = tuple_(*order), tuple_(utc(cursor.sort_at), cursor.id)
        stmt = stmt.where(position[0] > position[1] if ascending else position[0] < position[1])
    direction = (order[0].asc(), order[1].asc()) if ascending else (order[0].desc(), order[1].desc())
    stmt = _filtered(stmt, filters, required[1:]).order_by(*direction).limit(limit + 1)
    rows = [dict(r) for r in session.execute(stmt).mappings()]
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = KeysetCursor(as_utc(last["sort_at"]), last["id"], ascending=ascending)
    return Page(rows, next_cursor)


def export_page(session: Session, filters: ArticleFilters, *, limit: int, after: KeysetCursor | None) -> Page:
    """One batch of an export: a newest-first keyset page whose rows carry the body and original URL."""
    return list_articles(session, filters, limit=limit, cursor=after, columns=EXPORT_COLUMNS)


def rows_by_ids(session: Session, ids: Sequence[int], *, with_body: bool) -> list[dict[str, Any]]:
    """Listed rows of these articles in the order given; ids without a row (deleted since) are left out."""
    return _in_order(session, ids, (*LIST_COLUMNS, Article.body) if with_body else LIST_COLUMNS)


def export_rows(session: Session, ids: Sequence[int]) -> list[dict[str, Any]]:
    """Export rows (body and original URL included) of these articles in the order given."""
    return _in_order(session, ids, EXPORT_COLUMNS)


def _in_order(session: Session, ids: Sequence[int], columns: Sequence[Any]) -> list[dict[str, Any]]:
    if not ids:
        return []
    found = {r["id"]: dict(r) for r in session.execute(select(*columns).where(Article.id.in_(ids))).mappings()}
    return [found[i] for i in ids if i in found]


def tag_displays(session: Session, keys: Sequence[str]) -> dict[str, str]:
    """The display form of each tag key (keys never seen are left out)."""
    if not keys:
        return {}
    return {key: display for key, display in session.execute(select(Tag.key, Tag.display).where(Tag.key.in_(keys)))}


def _filtered(stmt: AnySelect, filters: ArticleFilters, required_keys: Sequence[str]) -> AnySelect:
    """Every filter but the tag that drives the page; tags are matched by key inside the statement."""
    for key in required_keys:
        stmt = stmt.where(_has_tags([key]))
    if filters.any_tags:
        stmt = stmt.where(_has_tags(_keys(filters.any_tags)))
    if filters.exclude_tags:
        stmt = stmt.where(~_has_tags(_keys(filters.exclude_tags)))
    if filters.source:
        stmt = stmt.where(Article.source == filters.source)
    if filters.language:
        stmt = stmt.where(Article.language == filters.language)
    if filters.published_after:
        stmt = stmt.where(Article.published_at >= utc(filters.published_after))
    if filters.published_before:
        stmt = stmt.where(Article.published_at < utc(filters.published_before))
    return stmt


def _has_tags(keys: Sequence[str]) -> Any:
    # An alias: the outer query may itself be driven from article_tags, and must not be correlated to.
    link = aliased(ArticleTag)
    tag_ids = select(Tag.id).where(Tag.key.in_(keys))
    return select(link.article_id).where(link.article_id == Article.id, link.tag_id.in_(tag_ids)).exists()


def is_reachable(session: Session) -> bool:
    return session.execute(select(1)).scalar() == 1
