"""GET /tags on real SQLite and PostgreSQL: counts over the listing's filters, most used first, with a cursor."""

from collections import Counter
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.storage import pagination
from tests.factories import article_json

# (url, tags, source host, language, published_at): enough overlap for ties, co-occurrence and every filter.
ROWS = [
    (n, tags, host, language, published)
    for n, (tags, host, language, published) in enumerate(
        [
            (["NATO", "Ukraine", "Defence"], "a.example.com", "en", "2026-01-01T10:00:00Z"),
            (["nato", "Budget"], "a.example.com", "en", "2026-01-02T10:00:00Z"),
            (["Ukraine", "Energy", "Budget"], "b.example.org", "en", "2026-01-03T10:00:00Z"),
            (["Énergie", "Budget"], "b.example.org", "fr", "2026-01-04T10:00:00Z"),
            (["NATO", "Energy"], "c.example.net", "de", "2026-01-05T10:00:00Z"),
            (["Alpha", "Beta", "Gamma"], "c.example.net", "en", None),
            (["Beta", "Gamma", "Delta"], "a.example.com", "en", "2026-01-07T10:00:00Z"),
            (["Gamma", "Delta", "Epsilon"], "b.example.org", None, "2026-01-08T10:00:00Z"),
            ([], "a.example.com", "en", "2026-01-09T10:00:00Z"),
        ],
        start=1,
    )
]


@pytest.fixture
def tagged(client: TestClient) -> list[dict[str, Any]]:
    stored = []
    for n, tags, host, language, published in ROWS:
        article = article_json(n, url=f"https://{host}/story-{n}", tags=tags, language=language, published_at=published)
        response = client.post("/articles", json=article)
        assert response.status_code == 201, response.text
        stored.append(response.json()["article"])
    return stored


def _expected(articles: list[dict[str, Any]]) -> list[tuple[str, int]]:
    """Counts by case-folded key, most used first and ties by key: what the API should answer. A tag is shown
    in the form it was first stored in (ROWS order)."""
    display: dict[str, str] = {}
    for _n, tags, *_ in ROWS:
        for tag in tags:
            display.setdefault(tag.casefold(), tag)
    counts = Counter(key for article in articles for key in {t.casefold() for t in article["tags"]})
    return [(display[key], n) for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def _walk(client: TestClient, params: dict[str, Any], limit: int) -> list[tuple[str, int]]:
    seen, cursor = [], None
    while True:
        response = client.get("/tags", params={**params, "limit": limit, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= limit
        seen += [(item["tag"], item["count"]) for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return seen


def test_pages_walk_every_tag_once_most_used_first(client: TestClient, tagged: list[dict[str, Any]]) -> None:
    everything = client.get("/tags").json()
    assert everything["next_cursor"] is None
    assert [(i["tag"], i["count"]) for i in everything["items"]] == _expected(tagged)
    for limit in (1, 2, 3, 5):
        assert _walk(client, {}, limit) == _expected(tagged), limit
    first = client.get("/tags", params={"limit": 2}).json()
    assert [i["tag"] for i in first["items"]] == ["Budget", "Gamma"]  # 3 each: ties by key
    assert first["next_cursor"]


@pytest.mark.parametrize(
    ("params", "keep"),
    [
        ({"tag": "nato"}, lambda a: "nato" in {t.casefold() for t in a["tags"]}),
        ({"tag": ["NATO", "ukraine"]}, lambda a: {"nato", "ukraine"} <= {t.casefold() for t in a["tags"]}),
        ({"any_tag": ["delta", "energy"]}, lambda a: {"delta", "energy"} & {t.casefold() for t in a["tags"]}),
        ({"exclude_tag": "gamma"}, lambda a: "gamma" not in {t.casefold() for t in a["tags"]}),
        ({"source": "www.B.example.org"}, lambda a: a["source"] == "b.example.org"),
        ({"language": "EN"}, lambda a: a["language"] == "en"),
        (
            {"published_after": "2026-01-02T10:00:00Z", "published_before": "2026-01-07T10:00:00Z"},
            lambda a: a["published_at"] and "2026-01-02T10:00:00Z" <= a["published_at"] < "2026-01-07T10:00:00Z",
        ),
        (
            {"tag": "budget", "language": "en", "source": "a.example.com"},
            lambda a: "budget" in {t.casefold() for t in a["tags"]} and a["source"] == "a.example.com",
        ),
    ],
)
def test_counts_cover_only_the_filtered_articles(
    client: TestClient, tagged: list[dict[str, Any]], params: dict[str, Any], keep: Any
) -> None:
    expected = _expected([a for a in tagged if keep(a)])
    assert expected  # every case narrows to something
    assert _walk(client, params, 2) == expected
    body = client.get("/tags", params=params).json()
    assert [(i["tag"], i["count"]) for i in body["items"]] == expected


def test_a_filter_nothing_matches_counts_nothing(client: TestClient, tagged: list[dict[str, Any]]) -> None:
    for params in ({"tag": "no such tag"}, {"tag": ["nato", "gamma"]}, {"source": "nowhere.example"}):
        assert client.get("/tags", params=params).json() == {"items": [], "next_cursor": None}, params


def test_prefix_narrows_and_pages(client: TestClient, tagged: list[dict[str, Any]]) -> None:
    expected = [(t, n) for t, n in _expected(tagged) if t.casefold().startswith("e")]
    assert [t for t, _ in expected] == ["Energy", "Epsilon"]  # "Énergie" starts with É, not e
    assert _walk(client, {"prefix": "E"}, 1) == expected


def test_bad_cursors_and_limits_are_problems(client: TestClient, tagged: list[dict[str, Any]]) -> None:
    article_cursor = pagination.encode(pagination.KeysetCursor(datetime.fromisoformat("2026-01-01T00:00:00+00:00"), 1))
    for cursor in ("nonsense", article_cursor, "e30"):
        problem = client.get("/tags", params={"cursor": cursor})
        assert problem.status_code == 422 and problem.json()["code"] == "invalid-cursor", cursor
        assert problem.headers["content-type"] == "application/problem+json"
    for params in ({"limit": 0}, {"limit": 1001}, {"language": "english"}, {"published_after": "soon"}):
        problem = client.get("/tags", params=params)
        assert problem.status_code == 422 and problem.json()["code"] == "validation-error", params
    assert len(client.get("/tags", params={"limit": 1000}).json()["items"]) == len(_expected(tagged))


def test_a_cursor_survives_new_articles_without_repeating_tags(
    client: TestClient, tagged: list[dict[str, Any]]
) -> None:
    first = client.get("/tags", params={"limit": 3}).json()
    seen = [i["tag"] for i in first["items"]]
    extra = article_json(99, url="https://d.example.com/late", tags=["Zulu"])
    assert client.post("/articles", json=extra).status_code == 201
    rest = _walk_from(client, first["next_cursor"])
    assert not set(seen) & set(rest)
    assert "Zulu" in rest  # count 1, key after every other count-1 tag's key: still ahead of the cursor


def _walk_from(client: TestClient, cursor: str) -> list[str]:
    tags: list[str] = []
    while cursor:
        page = client.get("/tags", params={"limit": 3, "cursor": cursor}).json()
        tags += [i["tag"] for i in page["items"]]
        cursor = page["next_cursor"]
    return tags
