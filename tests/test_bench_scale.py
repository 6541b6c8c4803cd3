"""The scale benchmark's corpus and its request recording (bench/scale_corpus.py, bench/scale_requests.py)."""

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from app.cli import main
from app.ingestion import ndjson
from app.reader.pipeline import ParsedArticle
from bench import scale, scale_corpus
from bench.scale_requests import Replayer, classes, record
from tests.conftest import row_count


def test_a_size_is_the_same_bytes_every_time_and_a_larger_one_begins_with_it(tmp_path: Path) -> None:
    (small,) = scale_corpus.generate(300, tmp_path / "a")
    (again,) = scale_corpus.generate(300, tmp_path / "b")
    (larger,) = scale_corpus.generate(500, tmp_path / "c")
    assert small.name == "part-0000-300.ndjson"
    assert small.read_bytes() == again.read_bytes()
    assert larger.read_bytes().splitlines()[:300] == small.read_bytes().splitlines()


def test_every_line_is_an_article_broadsheet_reads_with_the_documented_shape(tmp_path: Path) -> None:
    (path,) = scale_corpus.generate(600, tmp_path)
    read = list(ndjson.read(str(path)))
    misread = [item for item in read if not isinstance(item, ParsedArticle)]
    assert not misread, misread[:1]
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert len({a["url"] for a in lines}) == 600
    assert all(3 <= len(a["tags"]) <= 8 and len(set(a["tags"])) == len(a["tags"]) for a in lines)
    words = sorted(len(a["body"].split()) for a in lines)
    assert 450 <= words[300] <= 590  # median ~520
    languages = Counter(a["language"] for a in lines)
    assert languages["en"] > 0.7 * 600 and set(languages) == {"en", "de", "fr", "es"}
    undated = sum("published_at" not in a for a in lines)
    assert 0 < undated < 0.08 * 600
    assert len({a["published_at"][-6:] for a in lines if "published_at" in a}) > 3  # several time zones
    # Zipfian: the most used tag is on far more articles than the median one.
    tags = Counter(t for a in lines for t in a["tags"]).most_common()
    assert tags[0][1] > 10 * tags[len(tags) // 2][1]
    assert {a["url"].split("/")[2] for a in lines} <= {s.host for s in scale_corpus.world(scale_corpus.SEED).sources}


def test_query_words_by_rank_are_frequent_or_rare_in_the_corpus(tmp_path: Path) -> None:
    (path,) = scale_corpus.generate(300, tmp_path)
    articles = [json.loads(line) for line in path.read_text().splitlines()]
    bodies = [set(re.findall(r"\w+", a["body"].lower())) for a in articles if a["language"] == "en"]
    assert sum(scale_corpus.word_by_rank(1) in b for b in bodies) > 0.9 * len(bodies)
    assert sum(scale_corpus.word_by_rank(20_000) in b for b in bodies) < 0.05 * len(bodies)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # starlette's TestClient on httpx, as in bench/storage.py
def test_each_request_class_records_the_sql_it_sends_and_the_replay_runs_it(
    cli_env: Engine, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = scale_corpus.generate(120, tmp_path)
    assert main(["ingest", *map(str, files), "--no-progress"]) == 0
    capsys.readouterr()
    assert row_count(cli_env) == 120
    recorded = record(database_url, classes(3), pages=3)
    newest, deep, search = recorded["newest"], recorded["deep cursor"], recorded["q common word"]
    assert newest is not None and deep is not None and search is not None
    assert all(item.statements for item in newest + search)
    assert len(deep) == 3 and "cursor" in deep[2].params  # followed next_cursor page after page
    replayer = Replayer(database_url)
    try:
        for item in newest + deep + search:
            replayer.run(item.statements)
    finally:
        replayer.close()


def test_a_loaded_database_is_reused_for_the_same_size_and_reloaded_when_fresh(tmp_path: Path) -> None:
    files = scale_corpus.generate(150, tmp_path / "corpus")
    first = scale.load("sqlite", 150, files, tmp_path, fresh=False)
    again = scale.load("sqlite", 150, files, tmp_path, fresh=False)
    assert not first.reused and again.reused and again.seconds == first.seconds
    # The search index is built by `broadsheet reindex` after the load, timed and measured beside the database.
    assert first.db_mb > 0 and first.index_mb and first.index_s and again.index_s == first.index_s
    assert (tmp_path / "sqlite-150" / "broadsheet.index" / "CURRENT").exists()
    rebuilt = scale.load("sqlite", 150, files, tmp_path, fresh=True)
    assert not rebuilt.reused and rebuilt.index_s != first.index_s
