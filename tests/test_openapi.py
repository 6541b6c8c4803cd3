"""The OpenAPI document is a product: stable operation ids, typed schemas, documented problems."""

from fastapi.testclient import TestClient

EXPECTED = {
    "list_articles",
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
