"""canonical_url: the address a page declares for itself, read as declared, stored and served on both engines."""

import json
from hashlib import sha256

from fastapi.testclient import TestClient

from app.domain import Hints
from app.reader.normalize import content_hash
from app.reader.pipeline import parse

BODY = "<p>Dockers in the port stopped work on Monday over pay, the union said in a statement on Sunday.</p>"


def page(head: str) -> bytes:
    return (
        f"<html><head><title>Dockers strike</title>{head}</head><body><article>{BODY}</article></body></html>".encode()
    )


def read(
    head: str, url: str = "https://copy.example/news/strike?utm_source=x"
) -> tuple[str, str | None, tuple[str, ...]]:
    parsed = parse(page(head), hints=Hints(content_type="text/html", url=url))
    return parsed.article.url, parsed.article.canonical_url, parsed.warnings


def test_a_relative_link_rel_canonical_is_resolved_against_the_page() -> None:
    url, canonical, _ = read(
        '<link rel="canonical" href="/news/strike"><meta property="og:url" content="https://x.example/">'
    )
    assert canonical == "https://copy.example/news/strike"  # the link wins over og:url, as for `url`
    assert url == "https://copy.example/news/strike"


def test_a_syndicated_copy_keeps_its_own_url_and_tells_the_original() -> None:
    url, canonical, _ = read('<link rel="canonical" href="https://origin.example/2026/strike">')
    assert url == "https://copy.example/news/strike?utm_source=x"  # not merged into the original's row
    assert canonical == "https://origin.example/2026/strike"  # as declared, on another site


def test_og_url_then_json_ld_url_when_there_is_no_link() -> None:
    _, from_og, _ = read('<meta property="og:url" content="https://copy.example/og">')
    ld = '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Dockers strike", "url": "https://copy.example/ld"}</script>'
    _, from_ld, _ = read(ld)
    assert (from_og, from_ld) == ("https://copy.example/og", "https://copy.example/ld")


def test_a_json_ld_document_declares_it_by_its_url() -> None:
    document = {"@type": "NewsArticle", "headline": "Dockers strike", "articleBody": "Dockers stopped work."}
    declared = json.dumps({**document, "url": "https://origin.example/ld"}).encode()
    article = parse(declared, hints=Hints(content_type="application/ld+json")).article
    assert (article.url, article.canonical_url) == ("https://origin.example/ld", "https://origin.example/ld")
    hinted = parse(json.dumps(document).encode(), hints=Hints(url="https://copy.example/ld")).article
    assert (hinted.url, hinted.canonical_url) == ("https://copy.example/ld", None)


def test_none_when_nothing_is_declared_and_a_non_web_url_is_dropped_with_a_warning() -> None:
    assert read("")[1] is None
    _, canonical, warnings = read('<link rel="canonical" href="javascript:alert(1)">')
    assert canonical is None
    assert "the canonical URL 'javascript:alert(1)' is not an http(s) URL; dropped" in warnings


def test_stored_and_served_in_the_article_and_the_listing(client: TestClient) -> None:
    head = '<link rel="canonical" href="https://origin.example/2026/strike">'
    created = client.post(
        "/ingest",
        params={"url": "https://copy.example/strike"},
        content=page(head),
        headers={"Content-Type": "text/html"},
    )
    assert created.status_code == 201, created.text
    article = client.get(created.headers["Location"]).json()
    assert article["canonical_url"] == "https://origin.example/2026/strike"
    assert article["url"] == "https://copy.example/strike"
    assert client.get("/articles").json()["items"][0]["canonical_url"] == "https://origin.example/2026/strike"


def test_a_client_may_send_it_and_only_http_urls_are_accepted(client: TestClient) -> None:
    base = {"url": "https://copy.example/a", "title": "Dockers strike", "body": "Dockers stopped work."}
    refused = client.post("/articles", json={**base, "canonical_url": "ftp://origin.example/a"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["loc"][-1] == "canonical_url"
    created = client.post("/articles", json={**base, "canonical_url": "https://origin.example/a"})
    assert created.status_code == 201 and created.json()["article"]["canonical_url"] == "https://origin.example/a"
    without = client.post("/articles", json={**base, "url": "https://copy.example/b"}).json()["article"]
    assert without["canonical_url"] is None


def test_articles_that_declare_none_keep_the_content_hash_they_were_stored_with() -> None:
    # The hash as computed before the field existed: a re-ingest of a stored article then stays UNCHANGED.
    article = parse(page(""), hints=Hints(content_type="text/html", url="https://copy.example/plain")).article
    before = article.model_dump(mode="json", exclude={"url", "canonical_url"})
    assert content_hash(article) == sha256(json.dumps(before, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    declared = article.model_copy(update={"canonical_url": "https://origin.example/plain"})
    assert content_hash(declared) != content_hash(article)  # a page that now declares one is updated
