"""The API's production path: documents parsed in worker processes, each within the time limit."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.config import Settings
from app.domain import Hints
from app.main import create_app
from tests.conftest import SEED, row_count

# A page whose body extraction takes many seconds: 140,000 short paragraphs (4.5 MB, under the body limit).
SLOW_PAGE = ("<html><title>Slow</title><body>" + "<p>word word word word word</p>" * 140_000).encode()


@pytest.fixture(scope="module")
def pooled_client(database_url: str) -> Iterator[TestClient]:
    # 3 s: far beyond a normal page (tens of ms), far below the slow page, even on a busy shared machine.
    settings = Settings(DATABASE_URL=database_url, parse_workers=1, parse_time_limit=3.0)
    with TestClient(create_app(settings)) as client:
        yield client


def test_documents_are_parsed_in_worker_processes(pooled_client: TestClient, engine: Engine) -> None:
    assert pooled_client.app.state.parsers is not None  # type: ignore[attr-defined]
    response = pooled_client.post("/ingest", content=SEED.read_bytes(), headers={"Content-Type": "text/plain"})
    assert response.status_code == 201, response.text
    assert row_count(engine) == 1


def test_a_document_over_the_time_limit_is_a_422_and_the_server_goes_on(
    pooled_client: TestClient, engine: Engine
) -> None:
    response = pooled_client.post("/ingest", content=SLOW_PAGE, params={"url": "https://e.example/slow"})
    assert response.status_code == 422
    assert response.json()["code"] == "unparseable-document"
    assert "longer than 3 s" in response.json()["detail"]
    assert row_count(engine) == 0
    again = pooled_client.post("/extract", content=SEED.read_bytes(), headers={"Content-Type": "text/plain"})
    assert again.status_code == 200  # the killed worker was replaced


def test_parse_errors_cross_the_process_boundary_with_their_status(pooled_client: TestClient) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
    assert pooled_client.post("/extract", content=png, headers={"Content-Type": "text/html"}).status_code == 415
    assert pooled_client.post("/extract", content=b"[" * 100_000 + b"]" * 100_000).status_code == 422


def test_feeds_are_parsed_in_the_workers_too(pooled_client: TestClient, engine: Engine) -> None:
    feed = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        b"<item><title>Pilots strike</title><link>https://f.example/a</link><description>Pilots stopped work."
        b"</description></item></channel></rss>"
    )
    parsers = pooled_client.app.state.parsers  # type: ignore[attr-defined]
    assert parsers.parse_feed(feed, Hints())[0].article.title == "Pilots strike"  # in a worker process
    response = pooled_client.post(
        "/ingest/feed", content=feed, params={"fetch_links": "false"}, headers={"Content-Type": "application/rss+xml"}
    )
    assert response.status_code == 200 and response.json()["created"] == 1
    assert row_count(engine) == 1
