"""Full-text search, facets and histograms, served by a derived index kept current from the change log.

The database is the source of truth. The index (tantivy, on local disk) is derived from it: `feeder` applies
the change log to it, `broadsheet reindex` rebuilds it, `index.ArticleIndex` answers from it; both engines
use the same index, so search, ranking and syntax are the same on SQLite and PostgreSQL. The query syntax is
parsed once (`query.parse_query`).
"""

# Private-use characters mark matches inside snippets; the API layer turns them into its own markup after
# escaping the text, so no index output is ever trusted as HTML.
MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"
