"""A new SDK user's program: every operation through the client openapi-python-client generates, no raw HTTP.

tests/test_sdk.py generates `broadsheet_client` from the live server's /openapi.json, checks this file with
`mypy --strict` (following imports silently: the generated package is the generator's code, not ours) and
runs it: python usage.py BASE_URL API_KEY PAGES_URL (PAGES_URL serves /page.html and
/feed.xml for the fetching operations). Any assertion failing exits non-zero.
"""

import datetime
import io
import json
import sys
from typing import TypeVar

from broadsheet_client import AuthenticatedClient
from broadsheet_client.api.articles import (
    article_facets,
    article_histogram,
    create_article,
    delete_article,
    export_articles,
    get_article,
    get_atom_feed,
    list_articles,
    lookup_article,
)
from broadsheet_client.api.health import get_health, get_readiness
from broadsheet_client.api.ingestion import extract_document, ingest_document, ingest_feed, ingest_feed_url, ingest_url
from broadsheet_client.api.tags import list_tags
from broadsheet_client.models import (
    ArticleCreate,
    ArticlePage,
    ArticleRead,
    ExtractResponse,
    FacetCounts,
    FacetName,
    FeedIngestResponse,
    FetchRequest,
    Histogram,
    IngestResponse,
    Interval,
    Outcome,
    Problem,
    Readiness,
    TagList,
)
from broadsheet_client.types import File

T = TypeVar("T")

DUMP = b"""https://gazette.example.org/news/pilots-strike
Harbour pilots strike over pay
Harbour pilots strike over pay
Harbour Gazette
Pilots walked out on Monday over a pay dispute.
2026-03-02T08:15:00+01:00
2026-03-02T09:40:00+01:00
shipping
en_GB
Harbour pilots stopped work on Monday, leaving ships waiting at anchor outside the breakwater.
The union said talks with the port authority had failed after three weeks of negotiation over pay.
"""
PAGE = b"""<!doctype html><html lang="en"><head><title>Ferry timetable changes - Coast News</title>
<link rel="canonical" href="https://coast.example.net/local/ferry-timetable">
<meta property="article:published_time" content="2026-03-04T07:00:00Z">
<meta name="keywords" content="ferries, transport"></head><body><article><h1>Ferry timetable changes</h1>
<p>The island ferry will sail twice more each day from April, the operator said on Tuesday.</p>
<p>Residents had asked for later sailings for two years, and the council agreed to pay for the extra crew.</p>
</article></body></html>"""
FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Valley Times</title>
<link>https://valley.example.com/</link><description>News</description>
<item><title>Bridge reopens after repairs</title><link>https://valley.example.com/bridge-reopens</link>
<pubDate>Tue, 03 Mar 2026 10:00:00 GMT</pubDate><category>roads</category>
<description>The old stone bridge reopened on Monday after six months of repairs to its arches.</description></item>
<item><title>School wins robotics prize</title><link>https://valley.example.com/robotics</link>
<pubDate>Wed, 04 Mar 2026 10:00:00 GMT</pubDate><category>schools</category>
<description>Pupils from the valley school won the regional robotics prize with a sheep-counting robot.</description></item>
</channel></rss>"""


def ok(result: T | Problem | None, expected: type[T]) -> T:
    """The typed body of a success, or the Problem's code in the failure message."""
    if isinstance(result, Problem):
        raise AssertionError(f"{result.status} {result.code}: {result.detail}")
    assert isinstance(result, expected), result
    return result


def problem(result: object, status: int, code: str) -> None:
    assert isinstance(result, Problem), result
    assert (result.status, result.code) == (status, code), result
    assert result.request_id  # to find the request in the server's logs


def main(base_url: str, key: str, pages_url: str) -> None:
    # The generated AuthenticatedClient sends `Authorization: Bearer <key>`, which the server accepts.
    client = AuthenticatedClient(base_url=base_url, token=key, raise_on_unexpected_status=True)
    assert get_health.sync(client=client) is not None
    assert ok(get_readiness.sync(client=client), Readiness).database == "reachable"

    dump = ok(ingest_document.sync(client=client, body=File(payload=io.BytesIO(DUMP))), IngestResponse)
    assert dump.outcome == Outcome.CREATED and dump.article.source == "gazette.example.org"
    html = File(payload=io.BytesIO(PAGE))
    page = ok(ingest_document.sync(client=client, body=html, url_query="https://coast.example.net/x"), IngestResponse)
    assert page.article.url == "https://coast.example.net/local/ferry-timetable"
    feed = ok(
        ingest_feed.sync(client=client, body=File(payload=io.BytesIO(FEED)), fetch_links=False), FeedIngestResponse
    )
    assert feed.created == 2 and feed.failed == 0
    parsed = ok(extract_document.sync(client=client, body=File(payload=io.BytesIO(PAGE))), ExtractResponse)
    assert parsed.article.title == "Ferry timetable changes"
    mine = ArticleCreate(
        url="https://sdk.example.org/first",
        title="Written from the SDK",
        body="One paragraph.",
        tags=["sdk"],
        language="en",
        published_at=datetime.datetime(2026, 3, 5, 9, 0, tzinfo=datetime.UTC),
    )
    created = ok(create_article.sync(client=client, body=mine), IngestResponse)
    fetched = ok(ingest_url.sync(client=client, body=FetchRequest(url=f"{pages_url}/page.html")), IngestResponse)
    assert fetched.article.original_url == f"{pages_url}/page.html"
    fed = ok(ingest_feed_url.sync(client=client, body=FetchRequest(url=f"{pages_url}/feed.xml")), FeedIngestResponse)
    assert fed.failed == 0 and fed.created == 1

    every = ok(list_articles.sync(client=client, limit=100), ArticlePage)
    assert len(every.items) == 7, [item.url for item in every.items]
    filters: list[ArticlePage] = [
        ok(list_articles.sync(client=client, tag=["sdk"]), ArticlePage),
        ok(list_articles.sync(client=client, any_tag=["sdk", "nothing"]), ArticlePage),
        ok(
            list_articles.sync(client=client, exclude_tag=["roads", "schools", "shipping"], source="sdk.example.org"),
            ArticlePage,
        ),
        ok(list_articles.sync(client=client, language="en", q="SDK"), ArticlePage),
        ok(
            list_articles.sync(
                client=client,
                tag=["sdk"],
                published_after=datetime.datetime(2026, 3, 5, tzinfo=datetime.UTC),
                published_before=datetime.datetime(2026, 3, 6, tzinfo=datetime.UTC),
            ),
            ArticlePage,
        ),
    ]
    for result in filters:
        assert [item.id for item in result.items] == [created.article.id], result
    found = ok(list_articles.sync(client=client, q='"stone bridge" OR robotics'), ArticlePage)
    assert len(found.items) == 2 and all(item.snippet for item in found.items)
    assert found.total is not None and found.total.value == 2
    facets = ok(
        article_facets.sync(client=client, facet=[FacetName.TAG, FacetName.LANGUAGE], q="SDK", size=5), FacetCounts
    )
    assert [(v.value, v.count) for v in facets.facets["tag"]] == [("sdk", 1)], facets
    timeline = ok(
        article_histogram.sync(client=client, interval=Interval.MONTH, tz="Europe/Paris", tag=["sdk"]), Histogram
    )
    assert [(b.start.isoformat()[:7], b.count) for b in timeline.buckets] == [("2026-02", 1)], timeline

    seen: list[int] = []
    cursor: str | None = None
    while True:
        listing = ok(list_articles.sync(client=client, limit=2, cursor=cursor), ArticlePage)
        seen += [item.id for item in listing.items]
        if not isinstance(listing.next_cursor, str):
            break
        cursor = listing.next_cursor
    assert sorted(seen) == sorted(item.id for item in every.items)

    article = ok(get_article.sync(client=client, article_id=created.article.id), ArticleRead)
    assert article.body == "One paragraph."
    same = ok(lookup_article.sync(client=client, url_query="http://www.sdk.example.org/first/"), ArticleRead)
    assert same.id == article.id
    tags = ok(list_tags.sync(client=client, prefix="s"), TagList)
    assert {t.tag for t in tags.items} >= {"sdk", "schools"}, tags.items
    walked: list[str] = []
    tag_cursor: str | None = None
    while True:
        tag_page = ok(list_tags.sync(client=client, limit=1, cursor=tag_cursor, language="en"), TagList)
        walked += [t.tag for t in tag_page.items]
        if not isinstance(tag_page.next_cursor, str):
            break
        tag_cursor = tag_page.next_cursor
    assert "sdk" in walked and len(walked) == len(set(walked)), walked

    # The export and the feed are files: octet-stream is the media type the generated client reads them as.
    exported = ok(export_articles.sync(client=client, tag=["sdk"]), File)
    lines = exported.payload.read().decode().splitlines()
    assert [json.loads(line)["body"] for line in lines] == ["One paragraph."], lines
    feed_file = ok(get_atom_feed.sync(client=client, source="sdk.example.org", limit=5), File)
    assert f"<id>{article.url}</id>".encode() in feed_file.payload.read()

    assert delete_article.sync_detailed(client=client, article_id=article.id).status_code == 204
    problem(get_article.sync(client=client, article_id=article.id), 404, "not-found")
    problem(list_articles.sync(client=client, limit=0), 422, "validation-error")
    problem(list_articles.sync(client=client, cursor="not-ours"), 422, "invalid-cursor")
    print("python sdk usage: ok")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
