"""Full-text search behind one protocol, so the repository never asks which engine it runs on.

Each engine's index is a `SearchIndex`, chosen once per engine at start-up (`index_for`): SQLite's FTS5 table
and PostgreSQL's weighted tsvector today; a separate index (tantivy, a RUM index) would be a third. The query
syntax is parsed once (`query.parse_query`) and rendered by each implementation.
"""

from typing import Any, Protocol

from sqlalchemy import ColumnElement, Engine

from app.storage.search.query import SearchQuery

# Private-use characters mark matches inside snippets; the API layer turns them into its own markup after
# escaping the text, so no engine output is ever trusted as HTML.
MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"

AnySelect = Any  # SQLAlchemy 2.0 and 2.1 type Select differently; statements pass through untyped


class SearchIndex(Protocol):
    """How one engine finds, ranks and quotes the articles that match a query."""

    def matching(self, stmt: AnySelect, query: SearchQuery) -> AnySelect:
        """`stmt` (a select over articles) narrowed to the articles that match."""
        ...

    def rank(self, query: SearchQuery) -> ColumnElement[Any]:
        """Relevance of a matching article; higher is better. Field weights: title > summary > body."""
        ...

    def snippet(self, query: SearchQuery) -> ColumnElement[Any]:
        """A short passage of the article with matches between MARK_OPEN and MARK_CLOSE."""
        ...


def index_for(engine: Engine) -> SearchIndex:
    """The search index of this engine's schema (see the migrations)."""
    if engine.dialect.name == "postgresql":
        from app.storage.search.postgres_tsvector import TsvectorIndex

        return TsvectorIndex()
    from app.storage.search.sqlite_fts5 import Fts5Index

    return Fts5Index()
