"""Bulk sources: WARC archives, URLs, and the parser pool's time limit; stored on both engines."""

import gc
import io
import json
import time
import warnings
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from app.cli import main
from app.domain import Hints
from app.ingestion.pool import ParserPool
from app.reader.pipeline import Document, Failed, ParsedArticle
from tests.conftest import SEED, row_count
from tests.servers import page, serve
from tests.workers import hang_or_crash

FIXTURE = Path(__file__).parent / "fixtures" / "article.html"


def _response(writer: WARCWriter, url: str, body: bytes, content_type: str, status: str = "200 OK") -> None:
    headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    record = writer.create_warc_record(
        url,
        "response",
        payload=io.BytesIO(body),
        http_headers=headers,
        warc_headers_dict={"WARC-Date": "2026-11-20T10:00:00Z"},
    )
    writer.write_record(record)


def make_warc(path: Path) -> None:
    # warcio's writer spools payloads to temporary files it never closes; collect them here, quietly.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        _write_warc(path)
        gc.collect()


def _write_warc(path: Path) -> None:
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        writer.write_record(
            writer.create_warc_record("https://news.example/warcinfo", "warcinfo", payload=io.BytesIO(b"x"))
        )
        _response(writer, "https://news.example/2026/story", FIXTURE.read_bytes(), "text/html; charset=utf-8")
        _response(writer, "https://news.example/logo.png", b"\x89PNG", "image/png")
        _response(writer, "https://news.example/gone", b"<html>gone</html>", "text/html", "404 Not Found")
        second = FIXTURE.read_text().replace("<title>", "<title>Second: ")
        _response(writer, "https://news.example/2026/second", second.encode(), "text/html")
        request = writer.create_warc_record(
            "https://news.example/2026/story", "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n")
        )
        writer.write_record(request)


def test_warc_ingest_stores_every_html_response(
    cli_env: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = tmp_path / "crawl.warc.gz"
    make_warc(archive)
    assert main(["ingest", str(archive), "--no-progress", "--jobs", "1"]) == 0
    assert json.loads(capsys.readouterr().out.strip()) == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "kept": 0,
        "failed": 0,
    }
    with cli_env.connect() as conn:
        urls = sorted(conn.scalars(text("SELECT original_url FROM articles")))
    assert urls == ["https://news.example/2026/second", "https://news.example/2026/story"]


def test_a_truncated_warc_is_reported_not_fatal(
    cli_env: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = tmp_path / "crawl.warc.gz"
    make_warc(archive)
    (tmp_path / "cut.warc.gz").write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    code = main(["ingest", str(tmp_path / "cut.warc.gz"), str(SEED), "--no-progress", "--jobs", "1"])
    out, err = capsys.readouterr()
    summary = json.loads(out.strip())
    assert code == 1 and summary["failed"] == 1 and summary["created"] == 1  # the seed still lands
    assert "cut.warc.gz is truncated or corrupt" in err


def test_url_sources_are_fetched_through_the_guard(
    cli_env: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.config import get_settings

    with serve({"/story": page(FIXTURE.read_bytes())}) as site:
        monkeypatch.setenv("BROADSHEET_FETCH_ALLOWED_PORTS", f"[{site.port}]")
        get_settings.cache_clear()
        assert main(["ingest", site.url("/story"), "--no-progress", "--jobs", "1"]) == 1
        assert "loopback" in capsys.readouterr().err
        assert site.requests == []

        monkeypatch.setenv("BROADSHEET_FETCH_ALLOW_NETWORKS", '["127.0.0.0/8"]')
        get_settings.cache_clear()
        assert main(["ingest", site.url("/story"), "--no-progress", "--jobs", "1"]) == 0
    assert json.loads(capsys.readouterr().out.strip())["created"] == 1
    assert row_count(cli_env) == 1


def _doc(name: str) -> Document:
    return Document(name, SEED.read_bytes().replace(b"Delhi", name.encode()), Hints())


def test_a_hanging_document_costs_itself_only() -> None:
    # The hanging document never ends, so a generous limit costs nothing and keeps a busy machine's slow
    # (but finite) parses of the good documents inside it.
    pool = ParserPool(2, time_limit=8.0, parse=hang_or_crash)
    try:
        started = time.monotonic()
        results = pool.map(
            [_doc("one"), Document("hang", b"x", Hints()), _doc("two"), Document("crash", b"x", Hints())]
        )
        elapsed = time.monotonic() - started
        again = pool.map([_doc("three")])  # the pool has replaced its killed and dead workers
    finally:
        pool.close()
    assert elapsed < 30
    assert isinstance(results[0][0], ParsedArticle) and isinstance(results[2][0], ParsedArticle)
    assert isinstance(results[1][0], Failed) and "longer than 8 s" in results[1][0].reason
    assert isinstance(results[3][0], Failed) and "died" in results[3][0].reason
    assert isinstance(again[0][0], ParsedArticle)


def test_feed_entries_get_their_pages_fetched_by_the_parent_process(
    cli_env: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.config import get_settings

    with serve({"/story": page(FIXTURE.read_bytes())}) as site:
        rss = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Gazette</title>
        <item><title>Story</title><link>{site.url("/story")}</link><description>Teaser.</description></item>
        <item><title>Gone</title><link>{site.url("/gone")}</link><description>Kept teaser.</description></item>
        </channel></rss>"""
        (tmp_path / "feed.xml").write_text(rss)
        monkeypatch.setenv("BROADSHEET_FETCH_ALLOWED_PORTS", f"[{site.port}]")
        monkeypatch.setenv("BROADSHEET_FETCH_ALLOW_NETWORKS", '["127.0.0.0/8"]')
        get_settings.cache_clear()
        assert main(["ingest", str(tmp_path / "feed.xml"), "--no-progress", "--jobs", "1"]) == 0
    assert json.loads(capsys.readouterr().out.strip())["created"] == 2
    with cli_env.connect() as conn:
        rows = dict(conn.execute(text("SELECT original_url, body FROM articles")).all())
    assert len(rows[site.url("/story")]) > 200  # the page's body, not the teaser
    assert rows[site.url("/gone")] == "Kept teaser."
