"""GET /articles/export.ndjson and /articles/feed.atom on real SQLite and PostgreSQL: an export that
`broadsheet ingest` restores field for field, the listing's filters, and a well-formed Atom feed that
Broadsheet's own feed reader reads back."""

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, text

from app.api.export import ndjson_lines
from app.cli import main
from app.storage.repository import ArticleFilters
from tests.conftest import SEED, row_count
from tests.factories import article_json

NS = {"a": "http://www.w3.org/2005/Atom"}
# Owned by the server: they describe this copy, not the article, and are not part of an export.
SERVER_OWNED = ("id", "ingested_at", "updated_at")


def _store(client: TestClient, article: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/articles", json=article)
    assert response.status_code == 201, response.text
    return response.json()["article"]  # type: ignore[no-any-return]


def _corpus(client: TestClient) -> None:
    """Articles covering every exported field: undated ones, equal dates (keyset ties), other languages and
    sources, an original URL that differs from the canonical one, text that needs escaping, a parsed page."""
    for n in range(1, 9):
        _store(client, article_json(n))
    same_instant = "2026-02-01T12:00:00Z"
    for n in range(9, 13):
        _store(client, article_json(n, published_at=same_instant, tags=["Tied", "World"]))
    _store(
        client,
        article_json(
            13,
            url="https://www.news.example.com/world/2026/01/13/story-13/?utm_source=feed#top",
            title='Économie: "l’été" & 3 < 4',
            summary=None,
            body=None,
            authors=[],
            tags=["Économie"],
            keywords=["budget", "été"],
            section="Business",
            language="fr",
            site_name="Les Nouvelles",
            publisher="Groupe Exemple",
            image_url="https://news.example.com/img/13.jpg",
            published_at="2026-01-13T09:30:00-05:00",
            modified_at="2026-01-14T10:00:00+01:00",
        ),
    )
    _store(client, article_json(14, url="https://other.example.org/undated", published_at=None, tags=[]))
    _store(client, article_json(15, url="https://other.example.org/undated-2", published_at=None, language=None))
    seeded = client.post("/ingest", content=SEED.read_bytes(), headers={"content-type": "text/plain"})
    assert seeded.status_code == 201, seeded.text


def _articles(client: TestClient) -> dict[str, dict[str, Any]]:
    """Every stored article in full, by URL, without the fields that belong to this copy."""
    out = {}
    cursor = None
    while True:
        page = client.get("/articles", params={"limit": 100, **({"cursor": cursor} if cursor else {})}).json()
        for item in page["items"]:
            full = client.get(f"/articles/{item['id']}").json()
            out[full["url"]] = {k: v for k, v in full.items() if k not in SERVER_OWNED}
        cursor = page["next_cursor"]
        if cursor is None:
            return out


def _empty(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in ("article_tags", "tags", "articles", "article_changes"):
            conn.execute(text(f"DELETE FROM {table}"))


def _urls(client: TestClient, path: str, params: dict[str, Any]) -> list[str]:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    if path.endswith(".ndjson"):
        return [json.loads(line)["url"] for line in response.text.splitlines()]
    urls, cursor = [], None
    while True:
        page = client.get(path, params={**params, "limit": 3, **({"cursor": cursor} if cursor else {})}).json()
        urls += [item["url"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return urls


def test_export_round_trips_through_broadsheet_ingest(
    client: TestClient, cli_env: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _corpus(client)
    before = _articles(client)
    response = client.get("/articles/export.ndjson")
    assert response.status_code == 200 and response.headers["content-type"] == "application/x-ndjson"
    lines = response.text.splitlines()
    assert len(lines) == len(before) == 16
    first = json.loads(lines[0])
    assert "body" in first and "original_url" in first and "id" not in first and "content_hash" not in first

    exported = tmp_path / "export.ndjson"
    exported.write_bytes(response.content)
    _empty(cli_env)
    assert main(["ingest", str(exported), "--no-progress"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary == {"created": 16, "updated": 0, "unchanged": 0, "kept": 0, "failed": 0}

    after = _articles(client)
    assert after == before  # every field: text, lists, dates, language, source, hash, word count, original URL
    submitted = "https://www.news.example.com/world/2026/01/13/story-13/?utm_source=feed#top"
    assert [a["original_url"] for a in after.values() if "story-13" in a["url"]] == [submitted]
    # The restored archive exports the same lines (undated articles may swap places: their sort key is when
    # they were stored).
    assert sorted(client.get("/articles/export.ndjson").text.splitlines()) == sorted(lines)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"tag": ["world", "tied"]},
        {"tag": "World", "exclude_tag": "series-1"},
        {"any_tag": ["series-0", "économie"]},
        {"source": "WWW.other.example.org"},
        {"language": "FR"},
        {"published_after": "2026-01-05T00:00:00Z", "published_before": "2026-02-01T12:00:00Z"},
        {"tag": "world", "published_after": "2026-01-05", "source": "news.example.com", "language": "en"},
        # Served by the search index: a search, an author, a section, a tag with a source.
        {"q": "harbour"},
        {"q": '"harbour pilots" -story'},
        {"author": "ada writer"},
        {"section": "business"},
        {"tag": "tied", "source": "news.example.com"},
    ],
)
def test_export_and_feed_take_the_listing_filters(client: TestClient, params: dict[str, Any]) -> None:
    _corpus(client)
    listed = _urls(client, "/articles", {**params, "sort": "newest"})  # an export is newest first, like pages
    assert listed or "q" in params, "the corpus should match every filter but a search for nothing"
    assert _urls(client, "/articles/export.ndjson", params) == listed
    feed = ET.fromstring(client.get("/articles/feed.atom", params=params).content)
    assert [e.findtext("a:id", namespaces=NS) for e in feed.findall("a:entry", NS)] == listed


def test_export_reads_in_keyset_batches(client: TestClient) -> None:
    _corpus(client)
    sessions = client.app.state.read_sessions  # type: ignore[attr-defined]
    index = client.app.state.index  # type: ignore[attr-defined]
    chunks = ndjson_lines(sessions, index, ArticleFilters(), batch_size=3)
    # The first chunk holds one batch: rows are read a batch at a time, never all at once.
    assert len(next(chunks).splitlines()) == 3
    walked = [json.loads(line)["url"] for line in b"".join(chunks).splitlines()]
    everything = [json.loads(line)["url"] for line in client.get("/articles/export.ndjson").text.splitlines()]
    assert walked == everything[3:]  # the four tied articles straddle batches: none repeated or skipped
    tied = list(ndjson_lines(sessions, index, ArticleFilters(tags=["tied"]), batch_size=1))
    assert len(tied) == 4 and len(set(tied)) == 4
    # The same walk over the search index (an author is served by it): ties straddle batches there too.
    searched, tied_only = ArticleFilters(tags=["tied"], authors=["Ada Writer"]), ArticleFilters(tags=["tied"])
    by_index = [json.loads(c)["url"] for c in ndjson_lines(sessions, index, searched, batch_size=1)]
    by_table = [json.loads(line)["url"] for line in b"".join(ndjson_lines(sessions, index, tied_only)).splitlines()]
    assert by_index == by_table and len(by_index) == 4


def test_export_media_types_problems_and_routes(client: TestClient) -> None:
    empty = client.get("/articles/export.ndjson")
    assert empty.status_code == 200 and empty.content == b""
    stored = _store(client, article_json(1))
    assert client.get(f"/articles/{stored['id']}").status_code == 200  # the literal routes shadow no id
    raw = client.get("/articles/export.ndjson", headers={"Accept": "application/octet-stream"})
    assert (
        raw.headers["content-type"] == "application/octet-stream"
        and raw.content == client.get("/articles/export.ndjson").content
    )
    assert client.get("/articles/export.ndjson").headers["cache-control"] == "no-cache"
    plain = client.get("/articles/export.ndjson", headers={"Accept-Encoding": "identity"})
    packed = client.get("/articles/export.ndjson", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers and packed.headers["content-encoding"] == "gzip"
    assert packed.content == plain.content and json.loads(plain.content)["url"] == stored["url"]  # decoded by httpx
    for path in ("/articles/export.ndjson", "/articles/feed.atom"):
        for params in ({"language": "english"}, {"published_after": "yesterday"}, {"sort": "oldest"}):
            problem = client.get(path, params=params)
            assert problem.status_code == 422, (path, params)
            assert problem.headers["content-type"] == "application/problem+json"
            assert problem.json()["code"] == "validation-error"
        refused = client.post(path)
        assert refused.status_code == 405 and refused.headers["allow"] == "GET, HEAD, OPTIONS"
    assert client.get("/articles/feed.atom", params={"limit": 201}).status_code == 422
    assert client.get("/articles/feed.atom", params={"limit": 0}).status_code == 422


HOSTILE = [
    "<script>alert('x')</script> & friends",
    "Quotes \" and ' and ]]> and &amp; literally",
    "Controls: del\x7f nel\x85 and non-characters \ufffe\uffff end",
    "Ünïcödé — 東京 🚢",
]


def test_atom_feed_is_well_formed_escaped_atom(client: TestClient) -> None:
    for n, title in enumerate(HOSTILE, start=1):
        authors = [] if n == 2 else ["Ann <ann@example.com>", "Bo & Co"]
        _store(client, article_json(n, title=title, authors=authors, tags=["<b>&</b>", "Plain"], summary=title))
    response = client.get("/articles/feed.atom")
    assert response.status_code == 200 and response.headers["content-type"] == "application/atom+xml"
    assert response.headers["etag"] and response.headers["cache-control"] == "no-cache"
    assert client.get("/articles/feed.atom", headers={"If-None-Match": response.headers["etag"]}).status_code == 304
    feed = ET.fromstring(response.content)  # well-formed, or this raises
    assert feed.tag == "{http://www.w3.org/2005/Atom}feed"
    assert feed.findtext("a:id", namespaces=NS) == "http://testserver/articles/feed.atom"
    assert feed.find("a:link[@rel='self']", NS) is not None and feed.findtext("a:updated", namespaces=NS)
    entries = feed.findall("a:entry", NS)
    listed = client.get("/articles").json()["items"]
    assert len(entries) == len(listed) == 4
    for entry, article in zip(entries, listed, strict=True):  # newest first, as listed
        visible = article["title"].replace("\ufffe", "").replace("\uffff", "")  # not XML characters at all
        assert entry.findtext("a:title", namespaces=NS) == visible
        assert entry.findtext("a:summary", namespaces=NS) == visible
        assert entry.findtext("a:id", namespaces=NS) == article["url"]
        assert entry.find("a:link[@rel='alternate']", NS).get("href") == article["url"]  # type: ignore[union-attr]
        assert entry.findtext("a:updated", namespaces=NS) == entry.findtext("a:published", namespaces=NS)
        assert entry.findtext("a:published", namespaces=NS) == article["published_at"]
        names = [a.findtext("a:name", namespaces=NS) for a in entry.findall("a:author", NS)]
        assert names == (article["authors"] or ["news.example.com"])
        assert [c.get("term") for c in entry.findall("a:category", NS)] == article["tags"]
        assert entry.find("a:content", NS) is None  # the body stays out of the feed
    assert b"Paragraph one" not in response.content


def test_atom_feed_limit_defaults_to_50(client: TestClient) -> None:
    for n in range(1, 56):
        _store(client, article_json(n, url=f"https://limits.example.com/{n}"))
    feed = ET.fromstring(client.get("/articles/feed.atom").content)
    assert len(feed.findall("a:entry", NS)) == 50
    feed = ET.fromstring(client.get("/articles/feed.atom", params={"limit": 200}).content)
    assert len(feed.findall("a:entry", NS)) == 55


def test_atom_feed_reads_back_through_the_feed_endpoint(client: TestClient, engine: Engine) -> None:
    _corpus(client)
    response = client.get("/articles/feed.atom")
    before = {item["url"]: item["title"] for item in client.get("/articles", params={"limit": 100}).json()["items"]}
    _empty(engine)
    read = client.post(
        "/ingest/feed",
        content=response.content,
        headers={"Content-Type": "application/atom+xml"},
        params={"fetch_links": "false"},
    )
    assert read.status_code == 200, read.text
    assert read.json()["created"] == len(before) == row_count(engine)
    after = {item["url"]: item["title"] for item in client.get("/articles", params={"limit": 100}).json()["items"]}
    assert after == before


def test_head_of_the_export_sends_its_headers_without_reading_the_articles(client: TestClient) -> None:
    _corpus(client)
    client.get("/articles", params={"q": "anything"})  # waits for the index: its follower reads no more rows
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", seen)  # every engine: the app has its own
    try:
        head = client.head("/articles/export.ndjson", headers={"Accept-Encoding": "gzip"})
        during_head = [s for s in statements if "FROM articles" in s]
        get = client.get("/articles/export.ndjson", headers={"Accept-Encoding": "gzip"})
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
    assert head.status_code == 200 and head.content == b""
    for name in ("content-type", "content-encoding", "vary"):
        assert head.headers.get(name) == get.headers.get(name)
    assert get.text.count("\n") >= 4
    assert during_head == []  # the GET read them: the listener sees the app's statements
    assert any("FROM articles" in s for s in statements)
