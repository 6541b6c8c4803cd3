"""SQLite FTS5: an external-content table over articles, kept in sync by triggers (see migrations)."""

from typing import Any

from sqlalchemy import ColumnElement, bindparam, column, func, literal_column, table

from app.storage.search import MARK_CLOSE, MARK_OPEN, AnySelect
from app.storage.search.query import SearchQuery, to_fts5
from app.storage.tables import Article

FTS_TABLE = table("articles_fts", column("rowid"))
FTS: ColumnElement[Any] = literal_column("articles_fts")
ROWID = FTS_TABLE.c.rowid
# Column weights for bm25: title above summary above body.
WEIGHTS = (10.0, 4.0, 1.0)


class Fts5Index:
    def matching(self, stmt: AnySelect, query: SearchQuery) -> AnySelect:
        stmt = stmt.join_from(Article, FTS_TABLE, Article.id == ROWID)
        return stmt.where(FTS.op("MATCH")(bindparam("fts_query", to_fts5(query))))

    def rank(self, query: SearchQuery) -> ColumnElement[Any]:
        # bm25() is lower for better matches; negate so that higher is better on every engine.
        return -func.bm25(FTS, *WEIGHTS)

    def snippet(self, query: SearchQuery) -> ColumnElement[Any]:
        return func.snippet(FTS, -1, MARK_OPEN, MARK_CLOSE, "…", 24)
