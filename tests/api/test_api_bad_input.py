"""Bad input: a clear 4xx problem, never a 500, never a half-written row — on both engines."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.config import Settings
from app.main import create_app
from tests.conftest import row_count
from tests.factories import article_json

PROBLEM = "application/problem+json"


def assert_problem(response, status: int, code: str | None = None) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and body["detail"] and body["type"].startswith("https://")
    if code:
        assert body["code"] == code


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b"", "text/plain", 422),
        (b"   \n\n  ", "text/plain", 422),
        (bytes(range(256)) * 8, "application/octet-stream", 415),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, None, 415),
        (b'{"title": "no url here"}', "application/json", 422),
        (b'{"url": "https://x.example/a", "title": "t", "id": 5, "colour": "red"}', "application/json", 422),
        (b"{not json", "application/json", 422),
        (b"[1, 2, 3]", "application/json", 422),
        (b"just one line of text with no url", "text/plain", 422),
        (b"<rss><channel></channel></rss>", "application/xml", 415),
        (b"<html><body></body></html>", "text/html", 422),
        (b"data", "image/png", 415),
    ],
)
def test_bad_documents_are_rejected_and_nothing_is_stored(
    client: TestClient, engine: Engine, content: bytes, content_type: str | None, status: int
) -> None:
    headers = {"content-type": content_type} if content_type else {}
    assert_problem(client.post("/ingest", content=content, headers=headers), status)
    assert row_count(engine) == 0


def test_an_upload_over_the_limit_is_413_whether_declared_or_streamed(client: TestClient, engine: Engine) -> None:
    big = b"x" * (64 * 1024 + 1)
    assert_problem(
        client.post("/ingest", content=big, headers={"content-type": "text/plain"}), 413, "payload-too-large"
    )

    def chunks():  # type: ignore[no-untyped-def]  # no Content-Length: the limit applies while reading
        for _ in range(20):
            yield b"y" * 4096

    assert_problem(client.post("/ingest", content=chunks(), headers={"content-type": "text/plain"}), 413)
    assert_problem(client.post("/articles", content=chunks(), headers={"content-type": "application/json"}), 413)
    assert row_count(engine) == 0


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"limit": 1000}, "validation-error"),
        ({"limit": 0}, "validation-error"),
        ({"cursor": "not-a-cursor"}, "invalid-cursor"),
        ({"cursor": "eyJrIjoidCJ9"}, "invalid-cursor"),
        ({"published_after": "yesterday"}, "validation-error"),
        ({"published_before": "2026-13-45"}, "validation-error"),
        ({"language": "english"}, "validation-error"),
        ({"q": "x" * 300}, "invalid-query"),
    ],
)
def test_bad_list_parameters(client: TestClient, params: dict[str, object], code: str) -> None:
    assert_problem(client.get("/articles", params=params), 422, code)


# One syntax, one behaviour: each query gives the same status on SQLite and on PostgreSQL.
@pytest.mark.parametrize(
    ("q", "status"),
    [
        ('"', 422),
        ("*", 422),
        ("-onlyexcluded", 422),
        ('foo"bar', 200),
        ("NEAR(a b)", 200),
        ("title:x", 200),
        ("multi-agent", 200),
        ("20.04", 200),
        ("AND", 200),
        ("OR", 200),
        ("a OR", 200),
        ("'; DROP TABLE articles; --", 200),
        ("ünïcödé 日本語", 200),
        ("\\", 422),
    ],
)
def test_awkward_search_queries(client: TestClient, engine: Engine, q: str, status: int) -> None:
    client.post("/articles", json=article_json(1, body="A multi-agent system shipped in Ubuntu 20.04 and the rest."))
    response = client.get("/articles", params={"q": q})
    assert response.status_code == status, response.text
    if status == 422:
        assert_problem(response, 422, "invalid-query")
    assert row_count(engine) == 1


def test_hyphenated_and_dotted_words_match_on_both_engines(client: TestClient) -> None:
    client.post("/articles", json=article_json(1, body="A multi-agent system shipped in Ubuntu 20.04 today."))
    assert len(client.get("/articles", params={"q": "multi-agent"}).json()["items"]) == 1
    assert len(client.get("/articles", params={"q": "20.04"}).json()["items"]) == 1
    assert len(client.get("/articles", params={"q": "ubuntu -shipped"}).json()["items"]) == 0


@pytest.mark.parametrize(
    "change",
    [
        {"url": None},
        {"title": ""},
        {"published_at": "2026-01-01T10:00:00"},
        {"tags": ["x" * 201]},
        {"language": "klingon"},
        {"id": 3},
        {"ingested_at": "2026-01-01T00:00:00Z"},
        {"url": "ftp://x.example/a"},
        {"url": "https://user:pw@x.example/a"},
    ],
)
def test_invalid_article_json_is_422_and_writes_nothing(client: TestClient, engine: Engine, change: dict) -> None:  # type: ignore[type-arg]
    body = {k: v for k, v in {**article_json(1), **change}.items() if v is not None}
    assert_problem(client.post("/articles", json=body), 422)
    assert row_count(engine) == 0 and row_count(engine, "tags") == 0


def test_unknown_routes_and_methods_are_problems(client: TestClient) -> None:
    assert_problem(client.get("/nope"), 404)
    assert_problem(client.put("/articles"), 405)
    assert_problem(client.get("/articles/0"), 422)
    assert_problem(client.get("/articles/abc"), 404)  # ids are digits; anything else names no article


def test_write_endpoints_need_a_key_when_keys_are_configured(settings: Settings, engine: Engine) -> None:
    guarded = settings.model_copy(update={"api_keys": ["s3cret"]})
    with TestClient(create_app(guarded)) as client:
        assert_problem(client.post("/articles", json=article_json(1)), 401, "unauthorized")
        assert_problem(client.post("/articles", json=article_json(1), headers={"X-API-Key": "wrong"}), 401)
        assert row_count(engine) == 0
        created = client.post("/articles", json=article_json(1), headers={"X-API-Key": "s3cret"})
        assert created.status_code == 201
        article_id = created.json()["article"]["id"]
        assert client.get(f"/articles/{article_id}").status_code == 200
        assert_problem(client.delete(f"/articles/{article_id}"), 401)
        assert client.delete(f"/articles/{article_id}", headers={"X-API-Key": "s3cret"}).status_code == 204
        # What generated SDKs send by default (openapi-python-client's AuthenticatedClient).
        bearer = client.post("/articles", json=article_json(2), headers={"Authorization": "Bearer s3cret"})
        assert bearer.status_code == 201
        assert_problem(client.post("/articles", json=article_json(3), headers={"Authorization": "Bearer no"}), 401)


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json()["database"] == "reachable"


DEEP = 100_000


@pytest.mark.parametrize(
    ("name", "document"),
    [
        ("deep-html", "<html><head><title>Deep</title></head><body>" + "<div>" * DEEP + "<p>x</p>" + "</div>" * DEEP),
        ("deep-inline", "<html><body>" + "<b>" * DEEP + "text" + "</b>" * DEEP),
        ("deep-json", "[" * DEEP + "]" * DEEP),
        ("deep-jsonld", '<html><script type="application/ld+json">' + '{"a":' * DEEP + "1" + "}" * DEEP + "</script>"),
        ("deep-json-feed", '{"version": "https://jsonfeed.org/version/1.1", "items": ' + "[" * DEEP + "]" * DEEP + "}"),
        ("truncated", "<html><head><title>Cut</title></head><body><article><p>The story starts and is cut"),
        ("no-text", "<html><head><title>Empty page</title></head><body><script>var x = 1;</script></body></html>"),
        ("tags-only", "<" * 50_000),
    ],
)
def test_hostile_documents_end_in_an_article_or_a_clear_problem(
    engine: Engine, database_url: str, name: str, document: str
) -> None:
    settings = Settings(DATABASE_URL=database_url)  # the default 5 MiB limit: the whole document is parsed
    with TestClient(create_app(settings)) as client:
        response = client.post("/ingest", content=document.encode(), params={"url": f"https://e.example/{name}"})
    if response.status_code in (200, 201):
        body = response.json()
        assert body["article"]["title"]
        if not body["article"]["body"]:
            assert "no body text could be extracted" in body["warnings"]
        assert row_count(engine) == 1
    else:
        assert response.status_code in (415, 422)  # 415: a feed sent to /ingest
        assert_problem(response, response.status_code)
        assert row_count(engine) == 0


def test_a_title_only_page_is_stored_with_a_warning(client: TestClient, engine: Engine) -> None:
    page = b"<html><head><title>Empty page</title></head><body><script>var x = 1;</script></body></html>"
    response = client.post("/ingest", content=page, params={"url": "https://e.example/empty"})
    assert response.status_code == 201
    assert response.json()["article"]["body"] is None
    assert response.json()["warnings"] == ["no body text could be extracted"]


def test_a_body_over_the_stored_limit_is_cut_with_a_warning(engine: Engine, database_url: str) -> None:
    paragraph = "A line of prose that goes on for a while, as long reports do, and ends here."
    dump = "https://e.example/long\nA very long report\n" + "\n".join([paragraph] * 16_000)
    with TestClient(create_app(Settings(DATABASE_URL=database_url))) as client:
        response = client.post("/ingest", content=dump.encode(), headers={"Content-Type": "text/plain"})
    assert response.status_code == 201, response.text
    body = response.json()["article"]["body"]
    assert 990_000 < len(body) <= 1_000_000 and body.endswith(paragraph)
    assert any("the body was cut" in w for w in response.json()["warnings"])
    assert row_count(engine) == 1
