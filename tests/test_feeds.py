"""RSS 0.91/1.0/2.0, Atom and JSON Feed: each entry an article; hostile XML refused."""

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.domain import Hints
from app.errors import ParseError
from app.reader import pipeline
from tests.conftest import row_count

LONG = " ".join(["The council voted on the new budget after a long debate about schools and roads."] * 12)

RSS20 = f"""<?xml version="1.0" encoding="windows-1251"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/">
<channel><title>Daily Planet</title><link>https://planet.example/</link><language>en-gb</language>
<item>
  <title>Council passes budget</title>
  <link>https://planet.example/news/budget?utm_source=rss</link>
  <guid>https://planet.example/news/budget</guid>
  <dc:creator>Lois Lane</dc:creator>
  <category>Politics</category><category>Budget</category>
  <pubDate>Tue, 03 Nov 2026 09:30:00 +0100</pubDate>
  <description>The council passed the budget.</description>
  <content:encoded><![CDATA[<p>{LONG}</p><p>Second paragraph.</p>]]></content:encoded>
  <media:content url="https://planet.example/img/budget.jpg" medium="image"/>
</item>
<item>
  <title>Teaser only</title>
  <link>https://planet.example/news/teaser</link>
  <description>&lt;p&gt;Just a summary.&lt;/p&gt;</description>
  <pubDate>Mon, 02 Nov 2026 08:00:00 GMT</pubDate>
</item>
</channel></rss>"""

RSS091 = """<?xml version="1.0"?>
<rss version="0.91"><channel><title>Old Times</title><link>http://old.example/</link>
<description>d</description><language>en-us</language>
<item><title>Ninety-one</title><link>http://old.example/91</link><description>An old item.</description></item>
</channel></rss>"""

RSS10 = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="http://rdf.example/"><title>RDF News</title><link>http://rdf.example/</link></channel>
<item rdf:about="http://rdf.example/1"><title>RDF item</title><link>http://rdf.example/1</link>
<description>One point oh.</description><dc:date>2026-11-01T10:00:00+02:00</dc:date><dc:creator>Ann Author</dc:creator>
</item></rdf:RDF>"""

ATOM = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de"><title>Atom Zeitung</title>
<entry><title type="html">Der &lt;em&gt;Haushalt&lt;/em&gt;</title>
<link rel="alternate" href="https://atom.example/2026/haushalt"/>
<id>tag:atom.example,2026:1</id>
<published>2026-11-04T12:00:00+01:00</published><updated>2026-11-05T08:00:00+01:00</updated>
<author><name>Karl Kraus</name></author><author><name>Erika Mann</name></author>
<category term="Politik"/>
<content type="html">&lt;p&gt;{LONG}&lt;/p&gt;</content>
</entry></feed>"""

JSON_FEED = json.dumps(
    {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "JSON Journal",
        "language": "fr",
        "authors": [{"name": "Feed Author"}],
        "items": [
            {
                "id": "1",
                "url": "https://json.example/a",
                "title": "Premier",
                "content_html": f"<p>{LONG}</p>",
                "date_published": "2026-11-06T07:00:00-05:00",
                "tags": ["économie"],
                "image": "https://json.example/a.jpg",
            },
            {"id": "2", "url": "https://json.example/b", "title": "Second", "content_text": "Court."},
            {"id": "3", "title": "No URL at all", "content_text": "Orphan."},
        ],
    }
)


def articles(data: str | bytes) -> list[pipeline.ParsedArticle | pipeline.Failed]:
    raw = data.encode("windows-1251") if isinstance(data, str) and "windows-1251" in data[:60] else data
    return pipeline.parse_feed(raw if isinstance(raw, bytes) else raw.encode(), hints=Hints())


def test_rss20_with_full_content_and_teasers() -> None:
    full, teaser = articles(RSS20)
    assert isinstance(full, pipeline.ParsedArticle) and isinstance(teaser, pipeline.ParsedArticle)
    a = full.article
    assert a.title == "Council passes budget"
    assert a.authors == ["Lois Lane"] and a.tags == ["Politics", "Budget"]
    assert a.published_at is not None and a.published_at.isoformat() == "2026-11-03T09:30:00+01:00"
    assert a.body is not None and a.body.endswith("Second paragraph.") and "<p>" not in a.body
    assert a.language == "en" and a.site_name == "Daily Planet"
    assert a.image_url == "https://planet.example/img/budget.jpg"
    assert full.warnings == ()
    assert teaser.article.body == "Just a summary."
    assert any("summary" in w for w in teaser.warnings)


@pytest.mark.parametrize(
    ("feed", "title", "author", "date"),
    [
        (RSS091, "Ninety-one", None, None),
        (RSS10, "RDF item", "Ann Author", "2026-11-01T10:00:00+02:00"),
    ],
)
def test_rss_091_and_10(feed: str, title: str, author: str | None, date: str | None) -> None:
    (entry,) = articles(feed)
    assert isinstance(entry, pipeline.ParsedArticle)
    assert entry.article.title == title
    assert entry.article.authors == ([author] if author else [])
    assert (entry.article.published_at.isoformat() if entry.article.published_at else None) == date


def test_atom() -> None:
    (entry,) = articles(ATOM)
    assert isinstance(entry, pipeline.ParsedArticle)
    a = entry.article
    assert a.title == "Der Haushalt" and a.authors == ["Karl Kraus", "Erika Mann"]
    assert str(a.url) == "https://atom.example/2026/haushalt"
    assert a.modified_at is not None and a.modified_at.isoformat() == "2026-11-05T08:00:00+01:00"
    assert a.language == "de" and a.tags == ["Politik"]


def test_json_feed() -> None:
    first, second, orphan = articles(JSON_FEED)
    assert isinstance(first, pipeline.ParsedArticle) and isinstance(second, pipeline.ParsedArticle)
    assert first.article.authors == ["Feed Author"] and first.article.tags == ["économie"]
    assert first.article.language == "fr" and first.article.image_url == "https://json.example/a.jpg"
    assert second.article.body == "Court."
    assert isinstance(orphan, pipeline.Failed) and "URL" in orphan.reason


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<rss version="2.0"><channel><title>&d;</title><item><title>x</title><link>https://e.example/x</link></item>
</channel></rss>"""

XXE = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>t</title><item><title>&secret;</title><link>https://e.example/x</link>
</item></channel></rss>"""

MALFORMED_WITH_ENTITY = """<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x "y">]>
<rss version="2.0"><channel><item><title>&x;</title><link>https://e.example/x</link></item></channel>"""


@pytest.mark.parametrize("feed", [BILLION_LAUGHS, XXE, MALFORMED_WITH_ENTITY])
def test_hostile_xml_is_refused(feed: str) -> None:
    with pytest.raises(ParseError, match="refused"):
        articles(feed)


def test_deeply_nested_json_feed_is_refused() -> None:
    feed = '{"version": "https://jsonfeed.org/version/1.1", "items": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(ParseError, match="JSON"):
        articles(feed)


def test_deeply_nested_xml_does_not_crash() -> None:
    feed = '<?xml version="1.0"?><rss version="2.0"><channel>' + "<x>" * 100_000 + "</x>" * 100_000
    feed += "<item><title>Deep</title><link>https://e.example/deep</link></item></channel></rss>"
    try:
        results = articles(feed)
    except ParseError:
        return  # a clear refusal is as good as a parse
    assert all(isinstance(r, (pipeline.ParsedArticle, pipeline.Failed)) for r in results)


def test_a_feed_sent_to_ingest_is_redirected_to_the_feed_endpoint(client: TestClient) -> None:
    response = client.post("/ingest", content=RSS091, headers={"Content-Type": "application/rss+xml"})
    assert response.status_code == 415
    assert "/ingest/feed" in response.json()["detail"]


def test_ingest_feed_stores_every_entry(client: TestClient, engine: Engine) -> None:
    response = client.post("/ingest/feed", content=JSON_FEED, headers={"Content-Type": "application/feed+json"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"], body["failed"]) == (2, 0, 0, 1)
    assert [item["outcome"] for item in body["items"]] == ["created", "created", None]
    assert body["items"][2]["error"]
    assert row_count(engine) == 2
    again = client.post("/ingest/feed", content=JSON_FEED, headers={"Content-Type": "application/feed+json"}).json()
    assert (again["created"], again["unchanged"]) == (0, 2)
    listed = client.get("/articles", params={"tag": "économie"}).json()
    assert [item["title"] for item in listed["items"]] == ["Premier"]


def test_ingest_feed_rss_keeps_canonical_and_original_urls(client: TestClient) -> None:
    response = client.post(
        "/ingest/feed",
        content=RSS20.encode("windows-1251"),
        headers={"Content-Type": "application/rss+xml"},
        params={"fetch_links": "false"},
    )
    assert response.status_code == 200, response.text
    first = response.json()["items"][0]
    assert first["url"] == "https://planet.example/news/budget"
    stored = client.get(f"/articles/{first['article_id']}").json()
    assert stored["original_url"] == "https://planet.example/news/budget?utm_source=rss"


def test_hostile_feed_is_a_problem_and_stores_nothing(client: TestClient, engine: Engine) -> None:
    response = client.post("/ingest/feed", content=BILLION_LAUGHS, headers={"Content-Type": "application/xml"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert row_count(engine) == 0


def test_ingest_feed_refuses_non_feed_types(client: TestClient) -> None:
    response = client.post("/ingest/feed", content="<html></html>", headers={"Content-Type": "text/html"})
    assert response.status_code == 415
