"""Batches with what storage derives from each article computed: CPU work done before a batch's transaction.

No database here (nor anything that loads SQLAlchemy or httpx), so bulk ingest can prepare batches in
worker processes (app.ingestion.prepare_pool) while the main process writes.
"""

from dataclasses import dataclass

from app.errors import BroadsheetError
from app.models import PreparedArticle
from app.reader import normalize
from app.reader.outcomes import Failed, ParsedArticle


@dataclass(frozen=True, slots=True)
class PreparedBatch:
    """A batch with what storage derives from each article computed (no database needed), failures in place."""

    size: int
    prepared: list[tuple[int, ParsedArticle, PreparedArticle]]
    failed: dict[int, Failed]


def prepare_batch(items: list[ParsedArticle | Failed]) -> PreparedBatch:
    """Canonical URLs, keys and hashes of a batch, each failure kept at its place."""
    prepared: list[tuple[int, ParsedArticle, PreparedArticle]] = []
    failed: dict[int, Failed] = {}
    for i, item in enumerate(items):
        if isinstance(item, Failed):
            failed[i] = item
            continue
        try:
            prepared.append((i, item, normalize.prepare(item.article, original_url=item.original_url)))
        except BroadsheetError as exc:
            failed[i] = Failed(item.article.url, exc.detail)
    return PreparedBatch(len(items), prepared, failed)
