"""A search of several words, split in two halves of the id range at scale, answers as one pass does."""

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.storage.filters import ArticleFilters, Sort
from app.storage.search import index as search_index
from app.storage.search.index import ArticleIndex
from app.storage.search.query import parse_query
from tests.storage.indexes import build, row

WORDS = ["harbour", "pilots", "strike", "river", "barges", "tide", "crane"]


def _rows() -> list[dict[str, object]]:
    rng = random.Random(5)
    # Few distinct bodies: many articles score alike, so the order of ties decides the pages. Ids increase
    # with gaps, as deletes leave them.
    return [
        row(
            n * 2 + (n % 7),
            title=f"Story {n % 13}",
            body=" ".join(rng.choices(WORDS, k=rng.choice((3, 6)))),
            sort_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=n),
        )
        for n in range(1, 901)
    ]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> ArticleIndex:
    return build(Path(tmp_path_factory.mktemp("halves")), _rows(), segment=250)


@pytest.mark.parametrize("q", ["harbour pilots", "tide crane strike", "harbour -river", "story barges", "pilots"])
@pytest.mark.parametrize(("offset", "limit"), [(0, 10), (7, 21), (40, 50), (880, 50)])
def test_split_pages_and_counts_equal_one_pass(
    index: ArticleIndex, monkeypatch: pytest.MonkeyPatch, q: str, offset: int, limit: int
) -> None:
    filters = ArticleFilters(query=parse_query(q, max_chars=99, max_terms=9))
    snapshot = index.snapshot()
    monkeypatch.setattr(search_index, "SPLIT_SEARCH_DOCS", 10**9)
    whole = snapshot.page(filters, sort=Sort.RELEVANCE, limit=limit, offset=offset)
    monkeypatch.setattr(search_index, "SPLIT_SEARCH_DOCS", 0)
    split = snapshot.page(filters, sort=Sort.RELEVANCE, limit=limit, offset=offset)
    assert split == whole
    if offset == 0:
        assert whole.ids and whole.total > 0
