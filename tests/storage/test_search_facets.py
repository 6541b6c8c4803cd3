"""Facet counts are exact whether the two halves of the index are counted apart or in one pass."""

import random
from collections import Counter
from pathlib import Path

import pytest

from app.storage.filters import ArticleFilters
from app.storage.search import index as search_index
from app.storage.search.index import ArticleIndex
from app.storage.search.query import parse_query
from tests.storage.indexes import build, row

TAGS = [f"topic {n}" for n in range(40)]


def _rows() -> list[dict[str, object]]:
    rng = random.Random(7)
    return [
        row(
            n * 3,  # ids with gaps, as deletes leave them
            title=f"Story {n}",
            body="harbour pilots" if n % 3 else "river barges",
            tags=rng.sample(TAGS[: rng.choice((5, 40))], 3),
            source=rng.choice(["a.example", "b.example", "c.example"]),
        )
        for n in range(1, 601)
    ]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> ArticleIndex:
    return build(Path(tmp_path_factory.mktemp("facets")), _rows(), segment=300)  # more than one segment


def _truth(rows: list[dict[str, object]], field: str, size: int) -> list[tuple[str, int]]:
    counts: Counter[str] = Counter()
    for article in rows:
        values = article[field] if field == "tags" else [article[field]]
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
