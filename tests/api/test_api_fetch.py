"""POST /ingest/url and /ingest/feed/url: fetched through the guard, canonicalised, stored once."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.config import Settings
from app.main import create_app
from tests.conftest import row_count
from tests.servers import LocalServer, page, serve

BODY = " ".join(["Rain fell on the city for the third day as rivers rose towards their banks."] * 8)


def story(canonical: str) -> str:
    return f"""<!doctype html><html lang="en"><head><title>Rivers rise - The Gazette</title>
<link rel="canonical" href="{canonical}"><meta property="og:title" content="Rivers rise">
<meta property="article:published_time" content="2026-11-20T08:00:00+01:00"></head>
<body><article><h1>Rivers rise</h1><p>{BODY}</p><p>{BODY}</p></article></body></html>"""


@pytest.fixture
def site() -> Iterator[LocalServer]:
    with serve(
        {
            "/news/rivers?utm_source=twitter": page(story("/news/rivers")),
            "/news/rivers": page(story("/news/rivers")),
            "/amp/news/rivers": page(story("/news/rivers")),
            "/syndicated": page(story("https://wire.example/original")),
            "/missing": page("gone", "text/plain", status=404),
        }
    ) as server:
        yield server


def client_for(database_url: str, site: LocalServer | None, **overrides: object) -> TestClient:
    settings = Settings(
        DATABASE_URL=database_url,
        fetch_allow_networks=["127.0.0.0/8"] if site else [],
        fetch_allowed_ports=[site.port] if site else [80, 443],
        **overrides,  # type: ignore[arg-type]
    )
    return TestClient(create_app(settings))


def test_private_destinations_are_refused_by_default(site: LocalServer, database_url: str, engine: Engine) -> None:
    settings = Settings(DATABASE_URL=database_url, fetch_allowed_ports=[site.port])
    with TestClient(create_app(settings)) as client:
        response = client.post("/ingest/url", json={"url": site.url("/news/rivers")})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "fetch-blocked" and "loopback" in response.json()["detail"]
    assert site.requests == [] and row_count(engine) == 0


def test_three_links_to_one_story_make_one_article(site: LocalServer, database_url: str, engine: Engine) -> None:
    with client_for(database_url, site) as client:
        first = client.post("/ingest/url", json={"url": site.url("/news/rivers?utm_source=twitter")})
        assert first.status_code == 201, first.text
        article = first.json()["article"]
        assert article["url"] == site.url("/news/rivers")
        assert article["original_url"] == site.url("/news/rivers?utm_source=twitter")
        assert article["title"] == "Rivers rise"
        assert article["published_at"] == "2026-11-20T07:00:00Z"
        for link in ("/amp/news/rivers", "/news/rivers"):
            again = client.post("/ingest/url", json={"url": site.url(link)})
            assert again.status_code == 200 and again.json()["outcome"] == "unchanged"
            assert again.json()["article"]["id"] == article["id"]
    assert row_count(engine) == 1


def test_a_canonical_on_another_site_is_not_followed(site: LocalServer, database_url: str, engine: Engine) -> None:
    with client_for(database_url, site) as client:
        response = client.post("/ingest/url", json={"url": site.url("/syndicated")})
    assert response.status_code == 201
    assert response.json()["article"]["url"] == site.url("/syndicated")


def test_upstream_errors_are_502_problems(site: LocalServer, database_url: str, engine: Engine) -> None:
    with client_for(database_url, site) as client:
        response = client.post("/ingest/url", json={"url": site.url("/missing")})
    assert response.status_code == 502
    assert response.json()["code"] == "fetch-failed" and "404" in response.json()["detail"]
    assert row_count(engine) == 0


def test_fetching_can_be_disabled(site: LocalServer, database_url: str, engine: Engine) -> None:
    with client_for(database_url, site, fetch_enabled=False) as client:
        response = client.post("/ingest/url", json={"url": site.url("/news/rivers")})
        feed = client.post("/ingest/feed/url", json={"url": site.url("/feed")})
    assert response.status_code == feed.status_code == 403
    assert site.requests == []


@pytest.mark.parametrize("body", [{}, {"url": ""}, {"url": "x" * 3000}, {"url": "https://e.example", "extra": 1}])
def test_invalid_requests_are_422(database_url: str, engine: Engine, body: dict[str, object]) -> None:
    with client_for(database_url, None) as client:
        response = client.post("/ingest/url", json=body)
    assert response.status_code == 422 and response.json()["code"] == "validation-error"


def test_feed_url_fetches_summary_only_entries(site: LocalServer, database_url: str, engine: Engine) -> None:
    rss = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>The Gazette</title>
    <item><title>Rivers rise</title><link>{site.url("/news/rivers")}</link><description>Short.</description></item>
    <item><title>Gone</title><link>{site.url("/missing")}</link><description>Teaser kept.</description></item>
    </channel></rss>"""
    site.routes["/feed"] = page(rss, "application/rss+xml")
    with client_for(database_url, site) as client:
        response = client.post("/ingest/feed/url", json={"url": site.url("/feed")})
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [item["outcome"] for item in items] == ["created", "created"]
    assert "body from the linked page" in items[0]["warnings"]
    assert any("could not be used" in w for w in items[1]["warnings"])
    assert row_count(engine) == 2
