"""SQLite FTS5: an external-content table over articles, kept in sync by triggers (see migrations)."""

from typing import Any

from sqlalchemy import ColumnElement, bindparam, column, func, literal_column, table

from app.storage.search.query import SearchQuery, to_fts5

FTS_TABLE = table("articles_fts", column("rowid"))
FTS: ColumnElement[Any] = literal_column("articles_fts")
ROWID = FTS_TABLE.c.rowid
# Column weights for bm25: title above summary above body.
WEIGHTS = (10.0, 4.0, 1.0)


def match(query: SearchQuery) -> ColumnElement[bool]:
    return FTS.op("MATCH")(bindparam("fts_query", to_fts5(query)))


def rank() -> ColumnElement[Any]:
    # bm25() is lower for better matches; negate so both engines sort rank descending.
    return -func.bm25(FTS, *WEIGHTS)


def snippet(open_mark: str, close_mark: str) -> ColumnElement[Any]:
    return func.snippet(FTS, -1, open_mark, close_mark, "…", 24)
