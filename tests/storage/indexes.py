"""Search indexes built straight from rows, for tests of what the index answers (no database)."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.storage.search.directory import IndexDirectory
from app.storage.search.index import ArticleIndex
from app.storage.search.pairs import CommonWords
from app.storage.search.schema import to_document


def row(article_id: int, **fields: Any) -> dict[str, Any]:
    """An indexed article's fields: these, else empty ones."""
    empty = {"title": "", "summary": None, "body": "", "tags": [], "authors": [], "section": None}
    when = {"source": "a.example", "language": "en", "published_at": None, "sort_at": datetime(2026, 1, 1, tzinfo=UTC)}
    return {"id": article_id, **empty, **when, **fields}


def build(path: Path, rows: list[dict[str, Any]], *, segment: int) -> ArticleIndex:
    """The rows indexed in segments of `segment` documents (more than one, so addresses order by segment)."""
    directory = IndexDirectory(path)
    generation = directory.new_generation(CommonWords({}))
    writer = directory.open(generation).writer(heap_size=50_000_000, num_threads=1)
    for n, values in enumerate(rows, start=1):
        writer.add_document(to_document(values, lambda text: ""))
        if n % segment == 0:
            writer.commit()
    writer.commit()
    writer.wait_merging_threads()
    directory.save_checkpoint(generation, 1)
    directory.make_current(generation)
    return ArticleIndex(directory)
