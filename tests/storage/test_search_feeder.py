"""The derived index stays a faithful copy: a feeder killed mid-stream resumes without losing a committed change,
and `broadsheet reindex` swaps in a new generation under a running server. Real databases, real processes."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import tantivy
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from app.cli import main as cli_main
from app.config import Settings, get_settings, index_path
from app.main import create_app
from app.storage.search import pairs
from app.storage.search.directory import IndexDirectory
from app.storage.search.feeder import Feeder, latest_seq
from app.storage.search.pairs import CommonWords
from app.storage.tables import Article
from tests.factories import article_json

# A slow feeder in its own process: small batches, a commit per batch, a pause between batches.
_SLOW_FEEDER = """
import sys, time
from collections.abc import Callable
from pathlib import Path
from app.config import Settings
from app.storage import changes
from app.storage.db import make_engine
from app.storage.search import feeder
from app.storage.search.directory import IndexDirectory

feeder.BATCH = 10
feeder.COMMIT_EVERY_DOCS = 10
after = changes.after
def slow_after(*args, **kwargs):
    time.sleep(0.05)
    return after(*args, **kwargs)
changes.after = slow_after
engine = make_engine(Settings(DATABASE_URL=sys.argv[1]))
directory = IndexDirectory(Path(sys.argv[2]))
feeder.Feeder(engine, directory, sys.argv[3]).catch_up()
print("finished", flush=True)
"""


def _indexed_ids(directory: IndexDirectory, generation: str) -> set[int]:
    index = directory.open(generation)
    index.reload()
    searcher = index.searcher()
    hits = searcher.search(tantivy.Query.all_query(), 100_000).hits
    return {int(i or 0) for i in searcher.fast_field_values("id", [address for _, address in hits])}


def _table_ids(engine: Engine) -> set[int]:
    with Session(engine) as session:
        return set(session.scalars(select(Article.id)))


def test_a_killed_feeder_resumes_and_misses_no_committed_change(
    settings: Settings, engine: Engine, database_url: str, tmp_path: Path
) -> None:
    with TestClient(create_app(settings)) as client:
        ids = [client.post("/articles", json=article_json(n)).json()["article"]["id"] for n in range(1, 121)]
        # An empty generation that has seen nothing of the log: the feeder must replay all of it.
        directory = IndexDirectory(tmp_path / "replica-index")
        generation = directory.new_generation(CommonWords({}))
        directory.save_checkpoint(generation, 0)
        directory.make_current(generation)
        with Session(engine) as session:
            latest = latest_seq(session)
        child = subprocess.Popen(
            [sys.executable, "-c", _SLOW_FEEDER, database_url, str(directory.root), generation],
            cwd=Path(__file__).resolve().parents[2],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while not 0 < (directory.checkpoint(generation) or 0) < latest:
            assert child.poll() is None, "the feeder finished before it could be killed mid-stream"
            assert time.monotonic() < deadline
            time.sleep(0.01)
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        killed_at = directory.checkpoint(generation) or 0
        assert 0 < killed_at < latest
        assert _indexed_ids(directory, generation) < _table_ids(engine)
        # Writes go on while the feeder is down: updates, deletes, new articles.
        for article_id in ids[:5]:
            assert client.delete(f"/articles/{article_id}").status_code == 204
        client.post("/articles", json=article_json(7, title="Renamed while the feeder was down"))
        client.post("/articles", json=article_json(500))

    # The lock of the killed writer died with it; a new feeder takes over from the checkpoint.
    feeder = Feeder(engine, directory, generation)
    assert feeder.checkpoint == killed_at
    assert feeder.catch_up() > 0
    feeder.close()
    del feeder
    assert _indexed_ids(directory, generation) == _table_ids(engine)
    index = directory.open(generation)
    index.reload()
    renamed = tantivy.Query.term_query(index.schema, "title", "renam")
    assert index.searcher().search(renamed, 10).hits


def test_reindex_swaps_generations_under_a_running_server(
    settings: Settings, engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with TestClient(create_app(settings)) as client:
        for n in range(1, 4):
            assert client.post("/articles", json=article_json(n)).status_code == 201
        assert client.get("/articles", params={"q": "harbour"}).json()["total"]["value"] == 3
        monkeypatch.setenv("DATABASE_URL", database_url)
        get_settings.cache_clear()
        try:
            assert cli_main(["reindex", "--no-progress"]) == 0
        finally:
            get_settings.cache_clear()
        # The server follows the new generation: earlier articles and new writes are all found.
        assert client.post("/articles", json=article_json(4)).status_code == 201
        body = client.get("/articles", params={"q": "harbour"}).json()
        assert body["total"] == {"value": 4, "relation": "eq"}


def test_an_index_left_from_a_re_created_database_is_rebuilt(settings: Settings, engine: Engine) -> None:
    with TestClient(create_app(settings)) as client:
        for n in range(1, 4):
            assert client.post("/articles", json=article_json(n)).status_code == 201
        assert client.get("/articles", params={"q": "harbour"}).json()["total"]["value"] == 3
    # The database is emptied behind the index's back (dropped and created again under the same name).
    with engine.begin() as conn:
        for table in ("article_tags", "tags", "articles", "article_changes"):
            conn.execute(text(f"DELETE FROM {table}"))
    with TestClient(create_app(settings)) as client:
        assert client.post("/articles", json=article_json(9, title="Fresh start")).status_code == 201
        body = client.get("/articles", params={"q": "harbour"}).json()
        assert [item["title"] for item in body["items"]] == ["Fresh start"]
        assert body["total"] == {"value": 1, "relation": "eq"}


def test_an_index_of_another_format_is_rebuilt_not_opened(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        assert client.post("/articles", json=article_json(1)).status_code == 201
        assert client.get("/articles", params={"q": "harbour"}).json()["total"]["value"] == 1
    directory = IndexDirectory(index_path(settings))
    old = directory.current()
    assert old is not None
    (directory.root / old / "format").write_text("1")  # as left by a version with other fields
    assert directory.current() is None
    with TestClient(create_app(settings)) as client:
        body = client.get("/articles", params={"q": "harbour"}).json()
        assert body["total"] == {"value": 1, "relation": "eq"}
    assert directory.current() not in (None, old)


def test_common_words_are_learned_again_when_the_archive_outgrows_them(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pairs, "MIN_SAMPLE", 2)  # relearn at 10 x 2 articles, not at 10 x 1,000
    with TestClient(create_app(settings)) as client:
        directory = IndexDirectory(index_path(settings))
        assert client.get("/articles").status_code == 200
        first = _wait_for_generation(directory, lambda g: g is not None)
        assert directory.common_words(first).shares == {}  # learned from an empty table
        for n in range(1, 21):
            assert (
                client.post("/articles", json=article_json(n, body="Notes of the harbour pilots.")).status_code == 201
            )
        client.get("/articles", params={"q": "harbour"})
        learned = _wait_for_generation(directory, lambda g: g not in (None, first))
        words = directory.common_words(learned)
        assert words.table_size >= 20 and words.pair("of", "the") == "of_the"
        body = client.get("/articles", params={"q": '"of the harbour"'}).json()
        assert body["total"] == {"value": 20, "relation": "eq"}


def _wait_for_generation(directory: IndexDirectory, ready: Callable[[str | None], bool]) -> str:
    deadline = time.monotonic() + 30
    while not ready(generation := directory.current()):
        assert time.monotonic() < deadline, "the index did not switch generations within 30 s"
        time.sleep(0.05)
    assert generation is not None
    return generation
