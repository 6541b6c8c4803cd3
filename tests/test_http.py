"""HTTP conventions: HEAD, OPTIONS/Allow, 405s, unknown parameters, ETag/304, Cache-Control, gzip, CORS,
request ids, one log line per 500, offline docs."""

import gzip
import logging

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.factories import article_json


def _stored(client: TestClient, n: int = 1) -> int:
    response = client.post("/articles", json=article_json(n))
    assert response.status_code == 201, response.text
    return int(response.json()["article"]["id"])


def test_head_answers_every_get_with_headers_and_no_body(client: TestClient) -> None:
    article_id = _stored(client)
    for path in ("/articles", f"/articles/{article_id}", "/tags", "/healthz", "/readyz", "/openapi.json"):
        got, head = client.get(path), client.head(path)
        assert head.status_code == 200, path
        assert head.content == b""
        assert head.headers["content-length"] == got.headers["content-length"]
        assert head.headers.get("etag") == got.headers.get("etag")


def test_allow_lists_every_method_of_the_path(client: TestClient) -> None:
    options = client.options("/articles")
    assert options.status_code == 204
    assert options.headers["allow"] == "GET, HEAD, OPTIONS, POST"
    put = client.put("/articles")
    assert put.status_code == 405 and put.headers["allow"] == "GET, HEAD, OPTIONS, POST"
    assert client.options("/articles/7").headers["allow"] == "DELETE, GET, HEAD, OPTIONS"
    lookup = client.delete("/articles/lookup", params={"url": "https://example.com/a"})
    assert lookup.status_code == 405 and lookup.headers["allow"] == "GET, HEAD, OPTIONS"
    assert client.options("/nowhere").status_code == 404


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/articles?order=oldest", "order"),
        ("/articles?fields=id", "fields"),
        ("/articles?updated_since=2026-01-01", "updated_since"),
        ("/tags?order=x", "order"),
        ("/healthz?verbose=1", "verbose"),
    ],
)
def test_unknown_query_parameters_are_422_naming_them(client: TestClient, path: str, name: str) -> None:
    response = client.get(path)
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "validation-error"
    assert problem["errors"][0]["loc"] == ["query", name]
    assert name in problem["detail"]


def test_strong_etags_and_304(client: TestClient) -> None:
    article_id = _stored(client)
    for path in (f"/articles/{article_id}", "/articles", "/tags", "/articles/lookup?url=https://example.com/a"):
        first = client.get(path)
        if first.status_code != 200:
            continue
        tag = first.headers["etag"]
        assert tag.startswith('"') and not tag.startswith("W/")
        again = client.get(path, headers={"If-None-Match": tag})
        assert again.status_code == 304, path
        assert again.content == b"" and again.headers["etag"] == tag
        assert again.headers["cache-control"] == first.headers["cache-control"]
        assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200
    before = client.get("/articles").headers["etag"]
    _stored(client, 2)
    assert client.get("/articles", headers={"If-None-Match": before}).status_code == 200


def test_cache_control_per_route(client: TestClient) -> None:
    article_id = _stored(client)
    assert client.get(f"/articles/{article_id}").headers["cache-control"] == "no-cache"
    assert client.get("/articles").headers["cache-control"] == "no-cache"
    assert client.get("/healthz").headers["cache-control"] == "no-store"
    assert "cache-control" not in client.get("/articles/999999").headers  # errors are not cacheable content


def test_large_responses_are_gzipped_with_their_own_etag(client: TestClient) -> None:
    for n in range(1, 6):
        _stored(client, n)
    plain = client.get("/articles", headers={"Accept-Encoding": "identity"})
    packed = client.get("/articles", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in packed.headers["vary"].lower()
    assert packed.headers["etag"] == plain.headers["etag"][:-1] + '-gzip"'
    assert client.get("/articles", headers={"If-None-Match": packed.headers["etag"]}).status_code == 304
    raw = client.get("/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert raw.headers["content-encoding"] == "gzip" and raw.json()["openapi"].startswith("3.")
    assert len(gzip.compress(plain.content)) < len(plain.content)


def test_cors_is_off_by_default_and_configurable(client: TestClient, settings: Settings) -> None:
    origin = {"Origin": "https://dash.example"}
    assert "access-control-allow-origin" not in client.get("/articles", headers=origin).headers
    with TestClient(create_app(settings.model_copy(update={"cors_origins": ["https://dash.example"]}))) as cors:
        assert cors.get("/articles", headers=origin).headers["access-control-allow-origin"] == "https://dash.example"
        preflight = cors.options(
            "/articles",
            headers={**origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x-api-key"},
        )
        assert preflight.status_code == 200
        assert "POST" in preflight.headers["access-control-allow-methods"]
        other = cors.get("/articles", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


def test_request_ids_are_echoed_and_in_problems(client: TestClient) -> None:
    mine = client.get("/articles/999999", headers={"X-Request-ID": "abc-123"})
    assert mine.headers["x-request-id"] == "abc-123"
    assert mine.json()["request_id"] == "abc-123"
    made = client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
    assert made.headers["x-request-id"] != "bad id\twith spaces" and len(made.headers["x-request-id"]) == 32


def test_malformed_json_is_400_with_its_code(client: TestClient) -> None:
    response = client.post("/articles", content=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "malformed-json"


def test_a_500_is_one_problem_and_one_log_line(settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    app: FastAPI = create_app(settings)

    @app.get("/boom", include_in_schema=False)
    def boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as client, caplog.at_level(logging.ERROR):
        response = client.get("/boom", headers={"X-Request-ID": "r-500"})
    assert response.status_code == 500
    body = response.json()
    assert body["code"] == "internal-error" and body["request_id"] == "r-500"
    assert "secret" not in response.text
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and errors[0].request_id == "r-500"  # type: ignore[attr-defined]


def test_docs_are_served_without_a_cdn(client: TestClient) -> None:
    for path in ("/docs", "/redoc"):
        html = client.get(path).text
        assert "cdn." not in html and "unpkg" not in html and "fonts.googleapis" not in html
    assert client.get("/docs/assets/swagger-ui-bundle.js").status_code == 200
    assert client.get("/docs/assets/redoc.standalone.js").status_code == 200


def test_a_single_valued_parameter_given_twice_is_422(client: TestClient) -> None:
    response = client.get("/articles?source=a.example&source=b.example")
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["query", "source"]
    assert client.get("/articles?tag=a&tag=b").status_code == 200  # lists repeat by design
