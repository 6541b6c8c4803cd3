"""`GET /articles/fields`: the listing with only the fields a client names."""

from fastapi.testclient import TestClient

from app.models import ArticleField, ArticleListItem
from tests.factories import article_json


def _post(client: TestClient, n: int, **fields: object) -> int:
    response = client.post("/articles", json=article_json(n, **fields))
    assert response.status_code == 201, response.text
    return int(response.json()["article"]["id"])


def test_items_carry_id_and_the_selected_fields_only(client: TestClient) -> None:
    ids = [_post(client, n, tags=["Harbours"]) for n in range(1, 4)]
    params = [("fields", "title"), ("fields", "published_at"), ("fields", "title"), ("tag", "harbours")]
    body = client.get("/articles/fields", params=[*params, ("limit", 2)]).json()
    assert [set(item) for item in body["items"]] == [{"id", "title", "published_at"}] * 2
    full = client.get("/articles", params={"tag": "harbours", "limit": 2}).json()
    assert body["items"] == [{k: item[k] for k in ("id", "title", "published_at")} for item in full["items"]]
    assert body["total"] == full["total"] == {"value": 3, "relation": "eq"}
    # The same cursors as /articles: the next page continues where this one ended.
    rest = client.get("/articles/fields", params=[*params, ("cursor", body["next_cursor"])]).json()
    assert [item["id"] for item in body["items"] + rest["items"]] == sorted(ids, reverse=True)
    assert rest["next_cursor"] is None


def test_a_selected_field_without_a_value_is_null_and_search_fields_work(client: TestClient) -> None:
    _post(client, 1, summary=None)
    item = client.get("/articles/fields", params=[("fields", "summary"), ("fields", "snippet")]).json()["items"][0]
    assert item == {"id": item["id"], "summary": None, "snippet": None}
    dates = client.get("/articles/fields", params=[("fields", "updated_at"), ("fields", "url")]).json()["items"][0]
    assert dates["updated_at"].endswith("Z") and dates["url"].startswith("https://")  # the listed field's own form
    searched = client.get("/articles/fields", params=[("fields", "snippet"), ("q", "harbour")]).json()["items"][0]
    assert "<mark>harbour</mark>" in searched["snippet"] and set(searched) == {"id", "snippet"}


def test_unknown_or_missing_fields_are_a_422_naming_the_choices(client: TestClient) -> None:
    missing = client.get("/articles/fields")
    assert missing.status_code == 422 and missing.headers["content-type"] == "application/problem+json"
    body = client.get("/articles/fields", params={"fields": "body"})
    assert body.status_code == 422 and "'title'" in body.json()["errors"][0]["msg"]
    assert client.get("/articles/fields", params={"fields": "title", "sort": "relevance"}).status_code == 422


def test_every_listed_field_can_be_selected_and_the_schema_says_only_id_is_sure(client: TestClient) -> None:
    assert {f.value for f in ArticleField} == set(ArticleListItem.model_fields) - {"id"}
    spec = client.get("/openapi.json").json()
    assert "components" in spec, str(spec)[:3000]
    schema = spec["components"]["schemas"]["SelectedArticle"]
    assert schema["required"] == ["id"]
    assert schema["properties"]["title"] == {"type": "string", "title": "Title"}  # absent or a string, never null
    assert all("default" not in p for p in schema["properties"].values())
