"""PostgreSQL: a stored, weighted tsvector column (title A, summary B, body C) with a GIN index."""

from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, literal_column

from app.storage.search import MARK_CLOSE, MARK_OPEN, AnySelect
from app.storage.search.query import SearchQuery, to_tsquery
from app.storage.tables import Article

# Our own configuration (see migrations): English stemming, no stop words, same as FTS5's porter.
CONFIG: ColumnElement[Any] = literal_column("'broadsheet'::regconfig")
VECTOR: ColumnElement[Any] = literal_column("articles.search_vector")
_HEADLINE = (
    f'StartSel={MARK_OPEN}, StopSel={MARK_CLOSE}, MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "'
)


def _tsquery(query: SearchQuery) -> ColumnElement[Any]:
    return func.to_tsquery(CONFIG, bindparam("ts_query", to_tsquery(query)))


class TsvectorIndex:
    def matching(self, stmt: AnySelect, query: SearchQuery) -> AnySelect:
        return stmt.where(VECTOR.op("@@")(_tsquery(query)))

    def rank(self, query: SearchQuery) -> ColumnElement[Any]:
        return func.ts_rank_cd(VECTOR, _tsquery(query))

    def snippet(self, query: SearchQuery) -> ColumnElement[Any]:
        text = func.coalesce(Article.body, Article.summary, Article.title)
        return func.ts_headline(CONFIG, text, _tsquery(query), bindparam("headline_options", _HEADLINE))
