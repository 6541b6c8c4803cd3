"""The OpenAPI document is a product: stable operation ids, typed schemas, documented problems."""

from fastapi.testclient import TestClient

from app.models import HTTP_URL_PATTERN

EXPECTED = {
    "list_articles",
    "list_article_fields",
    "article_facets",
    "article_histogram",
    "lookup_article",
    "get_article",
    "delete_article",
    "create_article",
    "ingest_document",
    "extract_document",
    "ingest_url",
    "ingest_feed",
    "ingest_feed_url",
    "list_tags",
    "list_changes",
    "export_articles",
    "get_atom_feed",
    "get_health",
    "get_readiness",
}


def test_operation_ids_are_stable_and_errors_documented(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    operations = [op for path in spec["paths"].values() for op in path.values()]
    assert {op["operationId"] for op in operations} == EXPECTED
    for op in operations:
        if op["operationId"] in ("get_health", "get_readiness"):
            continue
        assert "422" in op["responses"], op["operationId"]
        assert "application/problem+json" in op["responses"]["422"]["content"], op["operationId"]
    assert "application/problem+json" in spec["paths"]["/ingest"]["post"]["responses"]["413"]["content"]
    article = spec["components"]["schemas"]["ArticleCreate"]
    assert article["additionalProperties"] is False and "url" in article["required"]


def _spec(client: TestClient) -> dict:  # type: ignore[type-arg]
    return client.get("/openapi.json").json()  # type: ignore[no-any-return]


def test_every_error_is_a_typed_problem_and_only_problem_json(client: TestClient) -> None:
    spec = _spec(client)
    problem = spec["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "code", "instance"} <= set(problem["required"])
    assert {"errors", "request_id"} <= set(problem["properties"])
    for path, operations in spec["paths"].items():
        for op in operations.values():
            assert {"422", "500"} <= set(op["responses"]), path
            for status, response in op["responses"].items():
                assert "X-Request-ID" in response["headers"]
                if int(status) >= 400 and status != "503":
                    assert list(response["content"]) == ["application/problem+json"], (path, status)
                    assert response["content"]["application/problem+json"]["schema"] == {
                        "$ref": "#/components/schemas/Problem"
                    }
            for param in op.get("parameters", []):
                assert param["in"] != "header", (path, param["name"])  # no content-type argument in SDKs
    assert "400" in spec["paths"]["/articles"]["post"]["responses"]
    assert {"403", "502", "504"} <= set(spec["paths"]["/ingest/url"]["post"]["responses"])
    assert "HTTPValidationError" not in spec["components"]["schemas"]


def test_types_formats_headers_security_and_examples(client: TestClient) -> None:
    spec = _spec(client)
    schemas = spec["components"]["schemas"]
    read = schemas["ArticleRead"]["properties"]
    assert read["ingested_at"]["format"] == "date-time"
    assert read["url"]["format"] == "uri"
    assert schemas["ArticleCreate"]["properties"]["url"]["format"] == "uri"
    assert schemas["FetchRequest"]["properties"]["url"]["format"] == "uri"
    ready = spec["paths"]["/readyz"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ready == {"$ref": "#/components/schemas/Readiness"}
    created = spec["paths"]["/ingest"]["post"]["responses"]["201"]
    assert created["headers"]["Location"]["required"] is True
    assert created["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/IngestResponse"}
    assert "ETag" in spec["paths"]["/articles/{article_id}"]["get"]["responses"]["200"]["headers"]
    assert spec["paths"]["/articles"]["post"]["security"] == [{}, {"APIKeyHeader": []}, {"HTTPBearer": []}]
    assert "security" not in spec["paths"]["/articles"]["get"]
    assert spec["servers"]
    for name, schema in schemas.items():
        assert "examples" in schema or "enum" in schema, name
    for operations in spec["paths"].values():
        for op in operations.values():
            assert op["summary"] and op["summary"] != op["operationId"].replace("_", " ").title()
    # Raw documents are declared as bodies every generator accepts.
    for path in ("/ingest", "/extract", "/ingest/feed"):
        content = spec["paths"][path]["post"]["requestBody"]["content"]
        assert content["application/octet-stream"]["schema"] == {"type": "string", "format": "binary"}
        assert not [media for media in content if media.startswith("text/")]


def test_documented_limits_are_the_enforced_ones(client: TestClient) -> None:
    """Each documented bound is tried at the bound (accepted) and one past it (422)."""
    spec = _spec(client)
    params = {p["name"]: p["schema"] for p in spec["paths"]["/articles"]["get"]["parameters"]}
    q = params["q"]["anyOf"][0]
    assert q["maxLength"] == client.app.state.settings.max_query_chars  # type: ignore[attr-defined]
    assert client.get("/articles", params={"q": "a" * q["maxLength"]}).status_code == 200
    assert client.get("/articles", params={"q": "a" * (q["maxLength"] + 1)}).status_code == 422
    terms = client.app.state.settings.max_query_terms  # type: ignore[attr-defined]
    assert f"{terms} terms" in params["q"]["description"]
    assert client.get("/articles", params={"q": " ".join(["ab"] * terms)}).status_code == 200
    assert client.get("/articles", params={"q": " ".join(["ab"] * (terms + 1))}).status_code == 422
    limit = params["limit"]
    assert client.get("/articles", params={"limit": limit["maximum"]}).status_code == 200
    assert client.get("/articles", params={"limit": limit["maximum"] + 1}).status_code == 422
    assert client.get("/articles", params={"limit": limit["minimum"] - 1}).status_code == 422
    url = spec["components"]["schemas"]["FetchRequest"]["properties"]["url"]
    assert url["pattern"] == HTTP_URL_PATTERN  # the one models.HttpUrlText enforces
    for bad in ("ftp://example.com/x", "example.com/story", "/relative"):
        assert client.post("/ingest/url", json={"url": bad}).status_code == 422, bad
        assert client.post("/ingest", params={"url": bad}, content=b"x").status_code == 422, bad
    assert client.post("/ingest/url", json={"url": "h" * url["maxLength"]}).status_code == 422
    body = spec["paths"]["/ingest"]["post"]["requestBody"]
    assert "empty document is a 422" in body["description"]
    empty = client.post("/ingest", content=b"", headers={"Content-Type": "application/octet-stream"})
    assert empty.status_code == 422
