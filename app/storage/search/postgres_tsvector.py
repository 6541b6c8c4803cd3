"""PostgreSQL: a stored, weighted tsvector column (title A, summary B, body C) with a GIN index."""

from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, literal_column

from app.storage.search.query import SearchQuery, to_tsquery

# Our own configuration (see migrations): English stemming, no stop words, same as FTS5's porter.
CONFIG: ColumnElement[Any] = literal_column("'broadsheet'::regconfig")
VECTOR: ColumnElement[Any] = literal_column("articles.search_vector")


def tsquery(query: SearchQuery) -> ColumnElement[Any]:
    return func.to_tsquery(CONFIG, bindparam("ts_query", to_tsquery(query)))


def match(query: SearchQuery) -> ColumnElement[bool]:
    return VECTOR.op("@@")(tsquery(query))


def rank(query: SearchQuery) -> ColumnElement[Any]:
    return func.ts_rank_cd(VECTOR, tsquery(query))


def snippet(query: SearchQuery, text: ColumnElement[Any], open_mark: str, close_mark: str) -> ColumnElement[Any]:
    options = (
        f'StartSel={open_mark}, StopSel={close_mark}, MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "'
    )
    return func.ts_headline(CONFIG, text, tsquery(query), bindparam("headline_options", options))
