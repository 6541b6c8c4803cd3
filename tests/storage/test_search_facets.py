"""Facet counts are exact whether the two halves of the index are counted apart or in one pass."""

import random
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.storage.filters import ArticleFilters
from app.storage.search import index as search_index
from app.storage.search.directory import IndexDirectory
from app.storage.search.index import ArticleIndex
from app.storage.search.pairs import CommonWords
from app.storage.search.query import parse_query
from app.storage.search.schema import to_document

TAGS = [f"topic {n}" for n in range(40)]


def _rows() -> list[dict[str, object]]:
    rng = random.Random(7)
    rows = []
    for n in range(1, 601):
        rows.append(
            {
                "id": n * 3,  # ids with gaps, as deletes leave them
                "title": f"Story {n}",
                "summary": None,
                "body": "harbour pilots" if n % 3 else "river barges",
                "tags": rng.sample(TAGS[: rng.choice((5, 40))], 3),
                "authors": [],
                "section": None,
                "source": rng.choice(["a.example", "b.example", "c.example"]),
                "language": "en",
                "published_at": None,
                "sort_at": datetime(2026, 1, 1, tzinfo=UTC),
            }
        )
    return rows


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> ArticleIndex:
    directory = IndexDirectory(Path(tmp_path_factory.mktemp("facets")))
    generation = directory.new_generation(CommonWords({}))
    writer = directory.open(generation).writer(heap_size=50_000_000, num_threads=1)
    for row in _rows():
        writer.add_document(to_document(row, lambda text: ""))
        if row["id"] == 900:
            writer.commit()  # more than one segment
    writer.commit()
    writer.wait_merging_threads()
    directory.save_checkpoint(generation, 1)
    directory.make_current(generation)
    return ArticleIndex(directory)


def _truth(rows: list[dict[str, object]], field: str, size: int) -> list[tuple[str, int]]:
    counts: Counter[str] = Counter()
    for row in rows:
        values = row[field] if field == "tags" else [row[field]]
        counts.update(values)  # type: ignore[arg-type]
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:size]


@pytest.mark.parametrize("q", [None, "harbour"])
def test_halves_merge_to_the_exact_counts(index: ArticleIndex, q: str | None) -> None:
    rows = [r for r in _rows() if q is None or q in str(r["body"])]
    filters = ArticleFilters(query=parse_query(q, max_chars=99, max_terms=9) if q else None)
    counts = index.snapshot().facets(filters, ["tag", "source"], size=7)
    assert counts["tag"] == _truth(rows, "tags", 7)
    assert counts["source"] == _truth(rows, "source", 7)


def test_more_values_than_a_half_returns_are_counted_in_one_pass(
    index: ArticleIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_index, "PARTIAL_VALUES", 3)
    index.results.size = 0  # nothing from the cache
    counts = index.snapshot().facets(ArticleFilters(), ["tag"], size=7)
    assert [n for _, n in counts["tag"]] == [n for _, n in _truth(_rows(), "tags", 7)]
