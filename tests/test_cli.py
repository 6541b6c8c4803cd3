"""The command line: bulk ingest with per-file outcomes and batches, parse to JSON lines."""

import gzip
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from app.cli import main
from app.config import get_settings
from tests.conftest import SEED, row_count
from tests.factories import article_json, text_dump


def test_bulk_ingest_reports_each_outcome_and_keeps_what_it_stored(
    cli_env: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for n in range(1000):
        (tmp_path / f"{n:04d}.txt").write_text(text_dump(n))
    (tmp_path / "0500-broken.txt").write_bytes(b"\x00\x01\x02 binary")
    (tmp_path / "0501-empty.txt").write_bytes(b"")
    code = main(["ingest", str(tmp_path), "--batch-size", "100", "--no-progress"])
    out, err = capsys.readouterr()
    assert code == 1
    assert json.loads(out.strip().splitlines()[-1]) == {
        "created": 1000,
        "updated": 0,
        "unchanged": 0,
        "kept": 0,
        "failed": 2,
    }
    assert "0500-broken.txt" in err and "0501-empty.txt: the document is empty" in err
    assert row_count(cli_env) == 1000

    code = main(["ingest", str(tmp_path / "00*.txt"), "--no-progress"])
    assert code == 0
    assert json.loads(capsys.readouterr().out.strip()) == {
        "created": 0,
        "updated": 0,
        "unchanged": 100,
        "kept": 0,
        "failed": 0,
    }
    assert row_count(cli_env) == 1000


def test_one_malformed_archive_is_a_reported_failure_and_the_rest_is_stored(
    cli_env: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A Content-Length no integer can hold: warcio raises OverflowError, which used to end the whole run.
    (tmp_path / "a-broken.warc").write_bytes(
        b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://a.example/x\r\n"
        b"Content-Type: application/http; msgtype=response\r\nContent-Length: 99999999999999999999\r\n\r\n"
        b"HTTP/1.1 200 OK\r\n\r\n"
    )
    (tmp_path / "b-good.txt").write_text(text_dump(1))
    code = main(["ingest", str(tmp_path / "a-broken.warc"), str(tmp_path / "b-good.txt"), "--no-progress"])
    out, err = capsys.readouterr()
    assert code == 1
    assert json.loads(out.strip().splitlines()[-1]) == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "kept": 0,
        "failed": 1,
    }
    assert "a-broken.warc" in err
    assert row_count(cli_env) == 1


def test_ingest_refuses_a_database_that_is_behind(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    get_settings.cache_clear()
    try:
        assert main(["ingest", str(SEED), "--no-progress"]) == 2
        assert "broadsheet migrate" in capsys.readouterr().err
    finally:
        get_settings.cache_clear()


def test_parse_prints_json_lines_and_reads_gzip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    packed = tmp_path / "seed.txt.gz"
    packed.write_bytes(gzip.compress(SEED.read_bytes()))
    assert main(["parse", str(SEED), str(packed)]) == 0
    first, second = (json.loads(line) for line in capsys.readouterr().out.strip().splitlines())
    assert (first.pop("source"), second.pop("source")) == (str(SEED), str(packed))
    assert first == second and first["published_at"] == "2026-02-03T11:37:00Z"


def test_parse_exits_non_zero_on_a_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", "/no/such/file.txt"]) == 1
    (line,) = capsys.readouterr().out.splitlines()
    assert json.loads(line)["source"] == "/no/such/file.txt" and json.loads(line)["error"]


def test_ingest_stores_ndjson_articles_without_parsing_and_names_bad_lines(
    cli_env: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exported = {  # an article as GET /articles/{id} returns it: server-owned fields are ignored
        **article_json(3),
        "id": 41,
        "source": "news.example.com",
        "ingested_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
        "word_count": 12,
        "content_hash": "0" * 64,
        "original_url": "https://www.news.example.com/world/2026/01/03/story-3?utm_source=x",
    }
    lines = [
        json.dumps(article_json(1)),
        json.dumps(article_json(2)),
        "",
        json.dumps(exported),
        "{not json",
        json.dumps({**article_json(4), "colour": "red"}),
        json.dumps({**article_json(5), "title": ""}),
        json.dumps([article_json(6)]),
    ]
    path = tmp_path / "articles.ndjson"
    path.write_text("\n".join(lines) + "\n")
    code = main(["ingest", str(path), "--batch-size", "2", "--no-progress"])
    out, err = capsys.readouterr()
    assert code == 1
    assert json.loads(out.strip().splitlines()[-1]) == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "kept": 0,
        "failed": 4,
    }
    assert f"{path}:5: not a JSON line" in err
    assert f"{path}:6: colour: Extra inputs are not permitted" in err
    assert f"{path}:7: title:" in err and f"{path}:8: a line must be one JSON object" in err
    assert row_count(cli_env) == 3
    with cli_env.connect() as conn:
        stored = conn.execute(text("SELECT id, original_url FROM articles WHERE url LIKE '%story-3'")).one()
    assert stored.id != 41 and stored.original_url == exported["original_url"]

    packed = tmp_path / "again.jsonl.gz"
    packed.write_bytes(gzip.compress("\n".join(lines[:4]).encode()))
    assert main(["ingest", str(packed), "--no-progress"]) == 0
    assert json.loads(capsys.readouterr().out.strip()) == {
        "created": 0,
        "updated": 0,
        "unchanged": 3,
        "kept": 0,
        "failed": 0,
    }


def test_ingest_reads_ndjson_and_documents_in_one_run(
    cli_env: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.jsonl").write_text(json.dumps(article_json(1)) + "\n")
    (tmp_path / "b.txt").write_text(text_dump(1))
    assert main(["ingest", str(tmp_path), "--jobs", "1", "--no-progress"]) == 0
    assert json.loads(capsys.readouterr().out.strip()) == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "kept": 0,
        "failed": 0,
    }
    assert row_count(cli_env) == 2


def test_bulk_ingest_counts_worse_readings_as_kept(
    cli_env: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.factories import article_json

    url = "https://news.example.com/world/kept"
    body = "\n\n".join(f"Paragraph {i} of a long story about the harbour pilots and their pay." for i in range(10))
    (tmp_path / "good.ndjson").write_text(json.dumps(article_json(url=url, body=body)) + "\n")
    (tmp_path / "worse.ndjson").write_text(json.dumps(article_json(url=url, body=None, title="Teaser")) + "\n")
    assert main(["ingest", str(tmp_path / "good.ndjson"), "--no-progress"]) == 0
    capsys.readouterr()
    assert main(["ingest", str(tmp_path / "worse.ndjson"), "--no-progress"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary == {"created": 0, "updated": 0, "unchanged": 0, "kept": 1, "failed": 0}
