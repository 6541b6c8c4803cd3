"""Writes that tell the truth, on both engines: what was acknowledged is stored, worse readings never replace
better ones, ids are 64-bit and never re-used, text is stored identically whatever control characters came in.

The in-process client is enough for these rules; tests/live/ checks them over a real socket as well.
"""

import json

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.api.test_api_bad_input import assert_problem
from tests.conftest import SEED, row_count
from tests.factories import article_json

LONG_BODY = "\n\n".join(f"Paragraph {i} tells how the harbour pilots and the port authority argued." for i in range(12))


def test_a_junk_reading_of_a_stored_url_is_refused_and_changes_nothing(client: TestClient) -> None:
    url = "https://news.example.com/world/good-story"
    created = client.post("/articles", json=article_json(url=url, body=LONG_BODY))
    assert created.status_code == 201
    stored = created.json()["article"]

    junk = client.post("/ingest", params={"url": url}, content=b"197814898388", headers={"content-type": "text/html"})

    assert_problem(junk, 409, "worse-reading")
    assert "force=true" in junk.json()["detail"]
    again = client.get(created.headers["location"]).json()
    assert (again["title"], again["body"], again["content_hash"]) == (
        stored["title"],
        stored["body"],
        stored["content_hash"],
    )


def test_force_replaces_a_stored_article_with_a_shorter_reading(client: TestClient) -> None:
    url = "https://news.example.com/world/retracted"
    client.post("/articles", json=article_json(url=url, body=LONG_BODY))
    short = article_json(url=url, title="Story retracted", body="This story was retracted.")
    assert_problem(client.post("/articles", json=short), 409, "worse-reading")

    forced = client.post("/articles", json=short, params={"force": "true"})

    assert forced.status_code == 200 and forced.json()["outcome"] == "updated"
    assert client.get("/articles/lookup", params={"url": url}).json()["body"] == "This story was retracted."


def test_a_feed_reports_worse_readings_as_kept(client: TestClient) -> None:
    url = "https://news.example.com/world/fed"
    client.post("/articles", json=article_json(url=url, body=LONG_BODY))
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>https://news.example.com/</link>'
        f"<item><title>Fed</title><link>{url}</link><description>A teaser.</description></item>"
        "</channel></rss>"
    )
    result = client.post(
        "/ingest/feed", params={"fetch_links": "false"}, content=feed, headers={"content-type": "application/rss+xml"}
    ).json()
    assert (result["kept"], result["updated"], result["items"][0]["outcome"]) == (1, 0, "kept")
    assert client.get("/articles/lookup", params={"url": url}).json()["body"] == LONG_BODY


def test_feed_entries_past_the_limit_are_reported_not_dropped(client: TestClient, engine: Engine) -> None:
    items = "".join(
        f"<item><title>E{i}</title><link>https://f.example/{i}</link><description>Said {i}.</description></item>"
        for i in range(503)
    )
    feed = f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>'
    result = client.post(
        "/ingest/feed", params={"fetch_links": "false"}, content=feed, headers={"content-type": "application/rss+xml"}
    ).json()
    assert result["created"] == 500 and result["failed"] == 1
    assert result["items"][-1]["url"] == "entries 501-503" and "at most 500" in result["items"][-1]["error"]
    assert row_count(engine) == 500


def test_a_deleted_id_is_never_given_to_another_article(client: TestClient) -> None:
    first = client.post("/articles", json=article_json(1)).json()["article"]["id"]
    second = client.post("/articles", json=article_json(2)).json()["article"]["id"]
    assert client.delete(f"/articles/{second}").status_code == 204
    third = client.post("/articles", json=article_json(3)).json()["article"]["id"]
    assert third > second > first


def test_ids_past_32_bits_are_a_404_not_a_500(client: TestClient) -> None:
    for article_id in (2**31, 2**32 + 7, 2**63 - 1):
        assert_problem(client.get(f"/articles/{article_id}"), 404, "not-found")
        assert_problem(client.delete(f"/articles/{article_id}"), 404, "not-found")
    assert_problem(client.get(f"/articles/{2**63}"), 422, "validation-error")


def test_control_characters_are_stored_nowhere_and_refused_in_queries(client: TestClient) -> None:
    dirty = article_json(
        title="Pilots\x00 strike",
        body="One\x00 paragraph\x07.\n\nTwo\ud800.",
        tags=["ship\x00ping"],
        authors=["Ada\x1b Writer"],
    )
    # json.dumps escapes the lone surrogate as \ud800, as a client in another language would send it.
    raw = json.dumps(dirty).encode()
    article = client.post("/articles", content=raw, headers={"content-type": "application/json"}).json()["article"]
    assert (article["title"], article["body"], article["tags"], article["authors"]) == (
        "Pilots strike",
        "One paragraph.\n\nTwo.",
        ["shipping"],
        ["Ada Writer"],
    )
    dump = SEED.read_bytes().replace(b"\n", b"\x00\n", 3)
    assert client.post("/ingest", content=dump, headers={"content-type": "text/plain"}).status_code == 201
    for params in ({"tag": "a\x00b"}, {"q": "harbour\x00"}, {"source": "\x01x.com"}, {"cursor": "\x00"}):
        assert_problem(client.get("/articles", params=params), 422, "invalid-input")
    assert_problem(client.get("/articles/lookup", params={"url": "https://a.example/\x00"}), 422, "invalid-input")
    assert_problem(client.get("/tags", params={"prefix": "\x00"}), 422, "invalid-input")


def test_dates_outside_the_representable_range_are_a_422(client: TestClient) -> None:
    for params in (
        {"published_before": "9999-12-31T23:59:59-23:00"},
        {"published_after": "0001-01-01T00:00:00+14:00"},
    ):
        assert_problem(client.get("/articles", params=params), 422, "validation-error")
    late = article_json(published_at="9999-12-31T23:00:00-05:00")
    assert_problem(client.post("/articles", json=late), 422, "validation-error")


def test_only_http_urls_are_stored_in_url_fields(client: TestClient) -> None:
    for field, value in (
        ("image_url", "javascript:alert(4)"),
        ("image_url", "data:image/png;base64,AAAA"),
        ("url", "file:///etc/passwd"),
    ):
        assert_problem(client.post("/articles", json=article_json(**{field: value})), 422, "validation-error")
    page = (
        b"<html><head><title>Pilots strike</title><meta property='og:image' content='javascript:alert(4)'></head>"
        b"<body><article><h1>Pilots strike</h1><p>" + LONG_BODY.encode() + b"</p></article></body></html>"
    )
    stored = client.post(
        "/ingest", params={"url": "https://news.example.com/p"}, content=page, headers={"content-type": "text/html"}
    ).json()
    assert stored["article"]["image_url"] is None
    assert any("image URL" in w for w in stored["warnings"])


def test_the_change_log_lists_every_committed_change_in_order(client: TestClient) -> None:
    start = client.get("/changes").json()["next_after"]
    created = client.post("/articles", json=article_json(1)).json()["article"]["id"]
    client.post("/articles", json=article_json(1))  # unchanged: not a change
    client.post("/articles", json=article_json(1, title="A new headline"))
    client.post("/articles", json=article_json(1, body=""))  # kept (409): not a change
    other = client.post("/articles", json=article_json(2)).json()["article"]["id"]
    client.delete(f"/articles/{created}")

    page = client.get("/changes", params={"after": start, "limit": 3}).json()
    rest = client.get("/changes", params={"after": page["next_after"]}).json()

    log = [(c["article_id"], c["kind"]) for c in page["items"] + rest["items"]]
    assert log == [(created, "upsert"), (created, "upsert"), (other, "upsert"), (created, "delete")]
    seqs = [c["seq"] for c in page["items"] + rest["items"]]
    assert seqs == sorted(seqs) and len(set(seqs)) == 4
    assert client.get("/changes", params={"after": rest["next_after"]}).json() == {
        "items": [],
        "next_after": rest["next_after"],
    }


def test_a_url_that_grows_past_the_limit_when_canonicalised_is_a_422(client: TestClient) -> None:
    url = "https://news.example.com/s?q=" + "é" * 1000  # 1,029 characters as sent, 6,029 percent-encoded
    assert_problem(client.post("/articles", json=article_json(url=url)), 422, "invalid-input")
