"""The HTTP API on real SQLite and real PostgreSQL: the seed's acceptance checks, filters, pagination."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.conftest import SEED, row_count
from tests.factories import article_json, text_dump


def ingest_seed(client: TestClient) -> dict[str, Any]:
    response = client.post("/ingest", content=SEED.read_bytes(), headers={"content-type": "text/plain"})
    assert response.status_code == 201, response.text
    return response.json()["article"]


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_seed_is_found_by_tags_search_and_phrase(client: TestClient) -> None:
    seed = ingest_seed(client)
    assert ids(client.get("/articles", params={"tag": "NATO"})) == [seed["id"]]
    assert ids(client.get("/articles", params={"tag": "mark rutte"})) == [seed["id"]]
    found = client.get("/articles", params={"q": "coalition willing"}).json()["items"]
    assert [a["id"] for a in found] == [seed["id"]]
    assert "<mark>coalition</mark>" in found[0]["snippet"] and "<mark>willing</mark>" in found[0]["snippet"]
    assert ids(client.get("/articles", params={"q": '"peace agreement"'})) == [seed["id"]]
    assert ids(client.get("/articles", params={"q": '"agreement peace"'})) == []
    tags = {t["tag"]: t["count"] for t in client.get("/tags").json()["items"]}
    assert tags["nato"] == 1 and tags["mark rutte"] == 1


def test_full_article_is_returned_in_utc_with_derived_fields(client: TestClient) -> None:
    seed = ingest_seed(client)
    full = client.get(f"/articles/{seed['id']}").json()
    assert full["published_at"] == "2026-02-03T11:37:00Z"
    assert full["source"] == "sputnikglobe.com"
    assert full["body"].startswith("MOSCOW (Sputnik)") and full["word_count"] > 100
    assert len(full["content_hash"]) == 64


def test_ingesting_the_same_document_twice_keeps_one_row(client: TestClient, engine: Engine) -> None:
    first = ingest_seed(client)
    again = client.post("/ingest", content=SEED.read_bytes(), headers={"content-type": "text/plain"})
    assert again.status_code == 200 and again.json()["outcome"] == "unchanged"
    assert again.json()["article"]["id"] == first["id"]
    assert row_count(engine) == 1


def test_newer_content_updates_in_place(client: TestClient) -> None:
    created = client.post("/articles", json=article_json(1))
    assert created.status_code == 201 and created.headers["location"] == f"/articles/{created.json()['article']['id']}"
    changed = article_json(1, title="Story one, corrected", tags=["Corrections"])
    updated = client.post("/articles", json=changed)
    assert updated.status_code == 200 and updated.json()["outcome"] == "updated"
    assert updated.json()["article"]["id"] == created.json()["article"]["id"]
    assert ids(client.get("/articles", params={"tag": "corrections"})) == [created.json()["article"]["id"]]
    assert ids(client.get("/articles", params={"tag": "world"})) == []
    assert ids(client.get("/articles", params={"q": "corrected"})) == [created.json()["article"]["id"]]


def test_keyset_pagination_walks_every_article_once_newest_first(client: TestClient) -> None:
    for n in range(1, 26):
        assert client.post("/articles", json=article_json(n)).status_code == 201
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 10, **({"cursor": cursor} if cursor else {})}
        page = client.get("/articles", params=params).json()
        seen.extend(page["items"])
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3 and len({a["id"] for a in seen}) == 25
    stamps = [(a["published_at"], a["id"]) for a in seen]
    assert stamps == sorted(stamps, reverse=True)


def test_tag_filtered_pages_and_search_pages(client: TestClient) -> None:
    for n in range(1, 13):
        client.post("/articles", json=article_json(n))
    walked, cursor = [], None
    while True:
        page = client.get("/articles", params={"tag": "WORLD", "limit": 5, **({"cursor": cursor} if cursor else {})})
        walked += ids(page)
        cursor = page.json()["next_cursor"]
        if not cursor:
            break
    assert len(set(walked)) == 12
    first = client.get("/articles", params={"q": "harbour", "limit": 5}).json()
    second = client.get("/articles", params={"q": "harbour", "limit": 5, "cursor": first["next_cursor"]}).json()
    assert len(first["items"]) == 5 and not {a["id"] for a in first["items"]} & {a["id"] for a in second["items"]}
    mixed = client.get("/articles", params={"cursor": first["next_cursor"]})
    assert mixed.status_code == 422 and mixed.json()["code"] == "invalid-cursor"


def test_filters_combine(client: TestClient) -> None:
    client.post(
        "/articles",
        json=article_json(
            1,
            tags=["Politics", "Europe"],
            language="fr",
            url="https://www.lemonde.example/a",
            published_at="2026-01-05T10:00:00Z",
        ),
    )
    client.post(
        "/articles",
        json=article_json(2, tags=["Politics"], url="https://other.example/b", published_at="2026-02-05T10:00:00Z"),
    )
    client.post(
        "/articles",
        json=article_json(3, tags=["Sport"], url="https://other.example/c", published_at="2026-03-05T10:00:00Z"),
    )
    by_url = {a["url"]: a["id"] for a in client.get("/articles").json()["items"]}
    a, b, c = (
        by_url["https://www.lemonde.example/a"],
        by_url["https://other.example/b"],
        by_url["https://other.example/c"],
    )
    assert set(ids(client.get("/articles", params={"tag": ["politics", "europe"]}))) == {a}
    assert set(ids(client.get("/articles", params={"any_tag": ["europe", "sport"]}))) == {a, c}
    assert set(ids(client.get("/articles", params={"exclude_tag": "politics"}))) == {c}
    assert set(ids(client.get("/articles", params={"source": "lemonde.example"}))) == {a}
    assert set(ids(client.get("/articles", params={"language": "FR"}))) == {a}
    assert set(ids(client.get("/articles", params={"published_after": "2026-02-01T00:00:00+01:00"}))) == {b, c}
    assert set(ids(client.get("/articles", params={"published_before": "2026-02-05T10:00:00Z"}))) == {a}
    assert ids(client.get("/articles", params={"tag": "no-such-tag"})) == []
    assert set(ids(client.get("/articles", params={"q": "harbour -politics", "any_tag": "sport"}))) == {c}


def test_lookup_by_any_variant_of_the_url(client: TestClient) -> None:
    seed = ingest_seed(client)
    variant = seed["url"].replace("https://", "http://www.") + "?utm_source=x&fbclid=y#top"
    assert client.get("/articles/lookup", params={"url": variant}).json()["id"] == seed["id"]
    missing = client.get("/articles/lookup", params={"url": "https://nowhere.example/x"})
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"


def test_delete_removes_the_article_and_its_search_entry(client: TestClient, engine: Engine) -> None:
    seed = ingest_seed(client)
    assert client.delete(f"/articles/{seed['id']}").status_code == 204
    assert client.get(f"/articles/{seed['id']}").status_code == 404
    assert client.delete(f"/articles/{seed['id']}").status_code == 404
    assert ids(client.get("/articles", params={"q": "coalition"})) == []
    assert client.get("/tags").json()["items"] == []
    assert row_count(engine, "article_tags") == 0


def test_tags_prefix_and_order(client: TestClient) -> None:
    for n in range(1, 7):
        client.post("/articles", json=article_json(n))
    listed = client.get("/tags").json()["items"]
    assert listed[0] == {"tag": "World", "count": 6}
    assert [t["tag"] for t in client.get("/tags", params={"prefix": "SER"}).json()["items"]] == [
        "series-0",
        "series-1",
        "series-2",
    ]
    assert client.get("/tags", params={"prefix": "%"}).json()["items"] == []


def test_extract_parses_without_storing(client: TestClient, engine: Engine) -> None:
    response = client.post("/extract", content=text_dump(1).encode(), headers={"content-type": "text/plain"})
    assert response.status_code == 200
    assert response.json()["article"]["title"] == "Harbour Pilots Strike Over Pay in Port 1"
    assert row_count(engine) == 0


@pytest.mark.parametrize("content_type", ["application/json", "application/ld+json"])
def test_ingest_schema_org_json_ld(client: TestClient, content_type: str) -> None:
    doc = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebPage"},
            {
                "@type": "NewsArticle",
                "headline": "Ferry service resumes",
                "url": "https://ferries.example/resume",
                "datePublished": "2026-04-01T06:00:00-04:00",
                "author": [{"@type": "Person", "name": "Ana Lopez"}],
                "keywords": "ferries, transport",
                "articleBody": "The ferry between the islands runs again.",
                "inLanguage": "en-US",
                "publisher": {"@type": "Organization", "name": "Island Times"},
            },
        ],
    }
    response = client.post("/ingest", json=doc, headers={"content-type": content_type})
    assert response.status_code == 201, response.text
    article = response.json()["article"]
    assert article["published_at"] == "2026-04-01T10:00:00Z" and article["authors"] == ["Ana Lopez"]
    assert article["publisher"] == "Island Times" and article["language"] == "en"


def test_an_older_version_does_not_overwrite_a_newer_one(client: TestClient) -> None:
    newer = article_json(1, title="Final version", modified_at="2026-01-02T12:00:00Z")
    created = client.post("/articles", json=newer).json()["article"]
    older = article_json(1, title="First draft", modified_at="2026-01-02T09:00:00Z")
    response = client.post("/articles", json=older)
    assert response.status_code == 200 and response.json()["outcome"] == "unchanged"
    assert client.get(f"/articles/{created['id']}").json()["title"] == "Final version"


def test_date_ranges_on_tag_pages_match_a_filter_of_every_article(client: TestClient) -> None:
    stored = []
    for n in range(1, 31):
        published = None if n % 7 == 0 else f"2026-01-{n:02d}T{n % 24:02d}:30:00+03:00"
        tags = ["harbour"] if n % 2 else ["harbour", "pilots"]
        stored.append(
            client.post("/articles", json=article_json(n, published_at=published, tags=tags)).json()["article"]
        )
    after, before = "2026-01-05T00:00:00Z", "2026-01-21T12:00:00+02:00"
    for params in ({"tag": "harbour"}, {"tag": "pilots"}, {}):
        walked: list[int] = []
        cursor = None
        while True:
            query = {**params, "published_after": after, "published_before": before, "limit": 4}
            page = client.get("/articles", params={**query, **({"cursor": cursor} if cursor else {})}).json()
            walked += [a["id"] for a in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        expected = [
            a["id"]
            for a in sorted(stored, key=lambda a: (a["published_at"] or "", a["id"]), reverse=True)
            if a["published_at"]
            and "2026-01-05T00:00:00Z" <= a["published_at"] < "2026-01-21T10:00:00Z"
            and (not params or params["tag"] in a["tags"])
        ]
        assert walked == expected and expected, params
