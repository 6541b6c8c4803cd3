"""Common-word pairs answer phrases exactly as word positions do, and are learned from the articles."""

import itertools
import random
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.storage.filters import ArticleFilters, Sort
from app.storage.search.directory import IndexDirectory
from app.storage.search.index import ArticleIndex, to_query
from app.storage.search.pairs import CommonWords
from app.storage.search.query import parse_query
from app.storage.search.schema import analyze, to_document

SAMPLES = sorted((Path(__file__).resolve().parents[2] / "samples" / "dumps").glob("*.txt"))
WORD = re.compile(r"[^\W_]+")
# A token the index drops (40 bytes or more) keeps its place: "of <long> the" is not the phrase "of the".
LONG = "x" * 45


def _texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in SAMPLES]
    return [*texts, f"Notes of {LONG} the harbour.", "Notes of the harbour."]


def _row(n: int, text: str) -> dict[str, object]:
    title, _, body = text.partition("\n")
    return {
        "id": n,
        "title": title[:200],
        "summary": None,
        "body": body,
        "tags": [],
        "authors": [],
        "section": None,
        "source": "example.com",
        "language": "en",
        "published_at": None,
        "sort_at": datetime(2026, 1, 1, tzinfo=UTC),
    }


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> ArticleIndex:
    texts = _texts()
    words = CommonWords.learn(([t] for t in texts), table_size=len(texts), min_sample=1)
    directory = IndexDirectory(tmp_path_factory.mktemp("pairs"))
    generation = directory.new_generation(words)
    writer = directory.open(generation).writer(heap_size=50_000_000, num_threads=1)
    for n, text in enumerate(texts, start=1):
        writer.add_document(to_document(_row(n, text), words.pairs))
    writer.commit()
    writer.wait_merging_threads()
    directory.save_checkpoint(generation, 1)
    directory.make_current(generation)
    return ArticleIndex(directory)


def _phrases(length: int, count: int) -> list[str]:
    rng = random.Random(length)
    tokens = [WORD.findall(t) for t in _texts()]
    out = []
    for _ in range(count):
        words = rng.choice([w for w in tokens if len(w) > length])
        start = rng.randrange(len(words) - length)
        out.append(" ".join(words[start : start + length]))
    return [*out, "of the", "the harbour", "Notes of the"]


@pytest.mark.parametrize("length", [2, 3, 4])
def test_pairs_find_exactly_what_positions_find(index: ArticleIndex, length: int) -> None:
    snapshot = index.snapshot()
    used = 0
    for phrase in _phrases(length, 150):
        query = parse_query(f'"{phrase}"', max_chars=500, max_terms=20)
        with_pairs = snapshot.searcher.search(to_query(ArticleFilters(query=query), snapshot.words), 100, count=True)
        positions = snapshot.searcher.search(to_query(ArticleFilters(query=query), CommonWords({})), 100, count=True)
        assert with_pairs.count == positions.count, phrase
        assert {a.doc for _, a in with_pairs.hits} == {a.doc for _, a in positions.hits}, phrase
        used += any(snapshot.words.pair(a, b) for a, b in itertools.pairwise(analyze(phrase)))
    assert used > 50  # most sampled phrases went through pairs, not only positions


def test_a_dropped_long_token_breaks_a_pair(index: ArticleIndex) -> None:
    snapshot = index.snapshot()
    assert snapshot.words.pair("of", "the") is not None
    hits = snapshot.page(
        ArticleFilters(query=parse_query('"notes of the"', max_chars=99, max_terms=9)),
        sort=Sort.RELEVANCE,
        limit=10,
        offset=0,
    )
    assert hits.ids == [len(_texts())]


def test_common_words_need_a_sample_and_share_threshold() -> None:
    few = CommonWords.learn([["the cat"], ["the dog"]], table_size=2)
    assert few.shares == {} and few.pairs("the cat") == ""
    texts = [["the harbour opened", "of the town"]] * 60 + [["a rare word"]] * 40
    learned = CommonWords.learn(texts, table_size=100, min_sample=100)
    assert learned.shares["the"] == pytest.approx(0.6) and learned.shares["rare"] == pytest.approx(0.4)
    assert learned.pairs("Of the harbour's") == "of_the the_harbour"  # terms stemmed and folded like the index
    assert learned.pair("harbour", "word") == "harbour_word"  # 0.6 x 0.4 >= MIN_PRODUCT
    assert learned.pair("harbour", "unseen") is None


def test_common_words_round_trip_through_their_file(tmp_path: Path) -> None:
    words = CommonWords({"the": 0.9, "of": 0.8}, table_size=1234)
    words.save(tmp_path / "common.json")
    loaded = CommonWords.load(tmp_path / "common.json")
    assert (loaded.shares, loaded.table_size) == (words.shares, 1234)
