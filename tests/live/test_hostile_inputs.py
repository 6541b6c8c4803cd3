"""A catalogue of hostile inputs, each a row of data, sent to a live server on both engines.

Every answer is below 500; every 4xx is problem+json with type, title, status, detail and code. Cases that
store something check the stored (cleaned) value against a constant, so SQLite and PostgreSQL must agree.
Rules taken from issue 7 as main decided them (0c56c69): C0 control characters are removed from stored text
and refused (422) in query parameters; only http(s) URLs are stored, others are a 422 in JSON and dropped
from parsed pages; ids are 64-bit; instants outside years 1-9999 in UTC are a 422.
"""

import base64
import enum
import gzip
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.factories import article_json, text_dump

PROBLEM = "application/problem+json"
MAX_BODY = 5 * 1024 * 1024  # the server's default BROADSHEET_MAX_BODY_BYTES
# C0 controls other than tab, newline and carriage return, which prose may legitimately carry.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
SURROGATE = re.compile(r"[\ud800-\udfff]")


class Expect(enum.Enum):
    OK = "2xx"
    STORED = "2xx, and the stored article has the cleaned values"
    REFUSED = "any 4xx problem"
    OK_OR_REFUSED = "2xx or a 4xx problem (clamped or refused)"
    NOT_FOUND = "404"
    INVALID = "422"
    TOO_LARGE = "413"
    UNSUPPORTED = "415"
    NOT_ALLOWED = "405"
    NO_HOST_REFLECTION = "< 500 and no Location naming the Host header"


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str
    expect: Expect
    params: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    content: bytes | None = None
    # Fields of the stored article when the answer is a 2xx that carries one (`article` or `article_id`).
    stored: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.name


def _json(value: Any) -> bytes:
    # ensure_ascii escapes NUL as \u0000 and lone surrogates as \ud800, as a careless client would send them.
    return json.dumps(value).encode()


def _b64(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


JSON = (("content-type", "application/json"),)
TEXT = (("content-type", "text/plain; charset=utf-8"),)
HTML = (("content-type", "text/html; charset=utf-8"),)
FEED = (("content-type", "application/rss+xml"),)
DUMP = text_dump(7001).encode()
PARAGRAPHS = "".join(
    "<p>Harbour pilots at the port stopped work on Monday, leaving ships waiting at anchor outside the "
    "breakwater for hours.</p>"
    for _ in range(3)
)


def _html(url: str, title: str, extra_head: str = "", last: str = "The union said talks had failed.") -> bytes:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'<link rel="canonical" href="{url}">{extra_head}</head><body><article><h1>{title}</h1>'
        f"<p>By Ada Writer</p>{PARAGRAPHS}<p>{last}</p></article></body></html>"
    ).encode()


def _rss(items: str) -> bytes:
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed</title>{items}</channel></rss>'.encode()


def _post_article(name: str, expect: Expect, stored: dict[str, Any] | None = None, **fields: Any) -> Case:
    body = article_json(1, **{"url": f"https://hostile.example.org/{name}", **fields})
    return Case(name, "POST", "/articles", expect, headers=JSON, content=_json(body), stored=stored or {})


def _id_cases() -> Iterator[Case]:
    for name, value, expect in [
        ("zero", "0", Expect.INVALID),
        # Only digits route to an article (so /articles/lookup is its own route): anything else names nothing.
        ("negative", "-1", Expect.NOT_FOUND),
        ("2^31", str(2**31), Expect.NOT_FOUND),
        ("2^32", str(2**32), Expect.NOT_FOUND),
        ("2^63-1", str(2**63 - 1), Expect.NOT_FOUND),
        ("2^63", str(2**63), Expect.INVALID),
        ("huge", "9" * 400, Expect.INVALID),
        ("non-numeric", "abc", Expect.NOT_FOUND),
        ("float", "1.5", Expect.NOT_FOUND),
    ]:
        yield Case(f"get-id-{name}", "GET", f"/articles/{value}", expect)
        yield Case(f"delete-id-{name}", "DELETE", f"/articles/{value}", expect)
    yield Case("get-id-fullwidth-digits", "GET", "/articles/%EF%BC%91%EF%BC%92", Expect.REFUSED)
    yield Case("get-id-nul", "GET", "/articles/1%00", Expect.REFUSED)
    yield Case("get-id-traversal", "GET", "/articles/..%2F..%2Fetc%2Fpasswd", Expect.REFUSED)


def _control_in_query_cases() -> Iterator[Case]:
    """Refused, not searched for: PostgreSQL text cannot hold NUL, and no tag or URL contains a control."""
    targets = [
        ("tag", "GET", "/articles", "NA{c}TO", ()),
        ("any_tag", "GET", "/articles", "wor{c}ld", ()),
        ("exclude_tag", "GET", "/articles", "sp{c}ort", ()),
        ("source", "GET", "/articles", "example{c}.com", ()),
        ("language", "GET", "/articles", "e{c}", ()),
        ("q", "GET", "/articles", "harbour{c} pilots", ()),
        ("cursor", "GET", "/articles", "eyJrIjoidCJ9{c}", ()),
        ("prefix", "GET", "/tags", "wor{c}", ()),
        ("url", "GET", "/articles/lookup", "https://hostile.example.org/a{c}b", ()),
        ("url", "POST", "/ingest", "https://hostile.example.org/ingest{c}hint", TEXT),
        ("url", "POST", "/extract", "https://hostile.example.org/extract{c}hint", TEXT),
    ]
    for char, label in [("\x00", "nul"), ("\x01", "soh"), ("\x1b", "esc")]:
        for param, method, path, template, headers in targets:
            yield Case(
                f"{label}-in-{param}-{method.lower()}-{path.strip('/').replace('/', '-')}",
                method,
                path,
                Expect.INVALID,
                params=((param, template.format(c=char)),),
                headers=headers,
                content=DUMP if method == "POST" else None,
            )


def _control_in_json_cases() -> Iterator[Case]:
    """Stored without the control characters, identically on both engines."""
    table: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
        ("title", {"title": "Ti\x00tle with NUL"}, {"title": "Title with NUL"}),
        ("title-esc", {"title": "\x1b[31mRed\x1b title"}, {"title": "[31mRed title"}),
        ("summary", {"summary": "Sum\x00mary."}, {"summary": "Summary."}),
        ("body", {"body": "Para\x00graph one.\n\nPara\x01graph two."}, {"body": "Paragraph one.\n\nParagraph two."}),
        ("authors", {"authors": ["Ada\x00 Writer"]}, {"authors": ["Ada Writer"]}),
        ("tags", {"tags": ["Wor\x00ld", "Sp\x1fort"]}, {"tags": ["World", "Sport"]}),
        ("keywords", {"keywords": ["har\x00bour"]}, {"keywords": ["harbour"]}),
        ("section", {"section": "Wor\x00ld"}, {"section": "World"}),
        ("site-name", {"site_name": "Harbour\x00 Gazette"}, {"site_name": "Harbour Gazette"}),
        ("publisher", {"publisher": "Gazette\x00 Group"}, {"publisher": "Gazette Group"}),
    ]
    for name, fields, stored in table:
        yield _post_article(f"nul-json-{name}", Expect.STORED, stored, **fields)
    yield _post_article("nul-json-url", Expect.OK_OR_REFUSED, url="https://hostile.example.org/nul\x00-url")
    yield _post_article("nul-json-image-url", Expect.OK_OR_REFUSED, image_url="https://img.example.org/a\x00.jpg")
    yield _post_article("nul-json-language", Expect.STORED, {"language": "en"}, language="e\x00n")


def _control_in_document_cases() -> Iterator[Case]:
    clean_dump = text_dump(7101)
    title = "Harbour Pilots Strike Over Pay in Port 7101"
    yield Case(
        "nul-dump-text-plain",
        "POST",
        "/ingest",
        Expect.STORED,
        headers=TEXT,
        content=clean_dump.replace(title, title.replace("Pilots", "Pi\x00lots"))
        .replace("Monday", "Mon\x00day")
        .encode(),
        stored={"title": title},
    )
    url = "https://hostile.example.org/html-nul"
    yield Case(
        "nul-html",
        "POST",
        "/ingest",
        Expect.STORED,
        headers=HTML,
        params=(("url", url),),
        content=_html(url, "Harbour pilots\x00 strike over pay", last="The union\x00 said talks had failed.\x1b"),
        stored={"title": "Harbour pilots strike over pay"},
    )
    ours = article_json(1, url="https://hostile.example.org/nul-ingest-json", title="JSON\x00 title", body="B\x00ody.")
    yield Case(
        "nul-ingest-json",
        "POST",
        "/ingest",
        Expect.STORED,
        headers=JSON,
        content=_json(ours),
        stored={"title": "JSON title", "body": "Body."},
    )
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "url": "https://hostile.example.org/nul-jsonld",
        "headline": "Linked\x00 data headline",
        "articleBody": "Linked data body with a NUL\x00 inside it and enough words to be a body.",
    }
    yield Case(
        "nul-ingest-jsonld",
        "POST",
        "/ingest",
        Expect.STORED,
        headers=(("content-type", "application/ld+json"),),
        content=_json(ld),
        stored={"title": "Linked data headline"},
    )
    item = (
        "<item><title>Feed\x01 entry with control</title><link>https://hostile.example.org/nul-feed</link>"
        "<description>Entry text long enough to be stored as a summary of the story.</description></item>"
    )
    yield Case("control-in-feed", "POST", "/ingest/feed", Expect.OK_OR_REFUSED, headers=FEED, content=_rss(item))
    yield Case(
        "nul-in-feed-xml",
        "POST",
        "/ingest/feed",
        Expect.OK_OR_REFUSED,
        headers=FEED,
        content=_rss(item.replace("\x01", "\x00")),
    )


def _date_cases() -> Iterator[Case]:
    late, early = "9999-12-31T23:59:59-23:00", "0001-01-01T00:00:00+14:00"
    for name, params, expect in [
        # Instants outside years 1-9999 once in UTC are refused (main 0c56c69), not clamped.
        ("before-max-minus-23h", (("published_before", late),), Expect.INVALID),
        ("after-min-plus-14h", (("published_after", early),), Expect.INVALID),
        ("after-max-minus-23h", (("published_after", late),), Expect.INVALID),
        ("before-min-plus-14h", (("published_before", early),), Expect.INVALID),
        ("both-extremes", (("published_after", early), ("published_before", late)), Expect.INVALID),
        ("utc-extremes", (("published_after", "0001-01-01T00:00:00Z"),), Expect.OK),
        ("year-five-digits", (("published_before", "99999-01-01T00:00:00Z"),), Expect.INVALID),
        ("offset-25h", (("published_after", "2026-01-01T00:00:00+25:00"),), Expect.INVALID),
        ("negative-year", (("published_after", "-0001-01-01"),), Expect.INVALID),
        ("epoch-number", (("published_after", "99999999999999999999"),), Expect.OK_OR_REFUSED),
    ]:
        yield Case(f"date-{name}", "GET", "/articles", expect, params=params)
    yield _post_article("date-json-late", Expect.INVALID, published_at=late)
    yield _post_article("date-json-early", Expect.INVALID, published_at=early)
    yield _post_article("date-json-modified-late", Expect.INVALID, modified_at=late)
    dump = text_dump(7201).replace("2026-03-02T08:15:00+01:00", late).encode()
    yield Case("date-dump-late", "POST", "/ingest", Expect.OK_OR_REFUSED, headers=TEXT, content=dump)


def _malformed_json_cases() -> Iterator[Case]:
    deep_list = b"[" * 100_000 + b"]" * 100_000
    deep_object = b'{"a":' * 50_000 + b"1" + b"}" * 50_000
    for name, content in [
        ("truncated", b'{"url": "https://hostile.example.org/x", "title": '),
        ("empty", b""),
        ("null", b"null"),
        ("array", b"[]"),
        ("string", b'"an article"'),
        ("trailing-garbage", _json(article_json(1)) + b" trailing"),
        ("nan-title", b'{"url": "https://hostile.example.org/nan", "title": NaN}'),
        ("invalid-utf8", b'{"url": "https://hostile.example.org/\xff\xfe", "title": "t"}'),
        ("5000-digit-int", b'{"url": "https://hostile.example.org/int", "title": ' + b"1" * 5000 + b"}"),
        ("deep-list", deep_list),
        ("deep-object", deep_object),
        ("duplicate-keys", b'{"url": "https://hostile.example.org/dup", "title": "a", "title": ""}'),
    ]:
        yield Case(f"json-{name}", "POST", "/articles", Expect.REFUSED, headers=JSON, content=content)
    yield Case("ingest-json-deep-list", "POST", "/ingest", Expect.REFUSED, headers=JSON, content=deep_list)
    yield Case("ingest-json-deep-object", "POST", "/ingest", Expect.REFUSED, headers=JSON, content=deep_object)
    yield Case(
        "feed-json-deep",
        "POST",
        "/ingest/feed",
        Expect.REFUSED,
        headers=(("content-type", "application/feed+json"),),
        content=deep_list,
    )
    yield Case("ingest-url-deep", "POST", "/ingest/url", Expect.REFUSED, headers=JSON, content=deep_list)


def _content_type_cases() -> Iterator[Case]:
    article = _json(article_json(1, url="https://hostile.example.org/ctype"))
    for name, path, ctype, content, expect in [
        ("articles-text-plain", "/articles", "text/plain", article, Expect.REFUSED),
        ("articles-form", "/articles", "application/x-www-form-urlencoded", b"url=x&title=y", Expect.REFUSED),
        ("articles-multipart", "/articles", "multipart/form-data; boundary=x", b"--x--", Expect.REFUSED),
        ("ingest-png", "/ingest", "image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, Expect.UNSUPPORTED),
        ("ingest-rss", "/ingest", "application/rss+xml", _rss(""), Expect.UNSUPPORTED),
        ("ingest-garbage-type", "/ingest", "};;;=", DUMP, Expect.UNSUPPORTED),
        ("ingest-bogus-charset", "/ingest", "text/plain; charset=x-no-such-charset", DUMP, Expect.OK_OR_REFUSED),
        ("feed-html", "/ingest/feed", "text/html", b"<html></html>", Expect.UNSUPPORTED),
        ("extract-png", "/extract", "image/png", b"\x89PNG", Expect.UNSUPPORTED),
        ("ingest-url-text", "/ingest/url", "text/plain", b'{"url": "https://example.org/"}', Expect.REFUSED),
    ]:
        yield Case(f"ctype-{name}", "POST", path, expect, headers=(("content-type", ctype),), content=content)
    gz = gzip.compress(b"<html>" + b"a" * 10_000_000 + b"</html>")
    yield Case(
        "ingest-gzip-encoded-bomb",
        "POST",
        "/ingest",
        Expect.OK_OR_REFUSED,
        headers=(*HTML, ("content-encoding", "gzip")),
        content=gz,
    )


def _oversize_cases() -> Iterator[Case]:
    big = b"x" * (MAX_BODY + 1)
    for path, headers in [("/ingest", TEXT), ("/articles", JSON), ("/ingest/feed", FEED), ("/extract", TEXT)]:
        yield Case(f"oversize{path.replace('/', '-')}", "POST", path, Expect.TOO_LARGE, headers=headers, content=big)
    huge_title = _json(article_json(1, url="https://hostile.example.org/huge-title", title="t" * 1001))
    yield Case("oversize-title-field", "POST", "/articles", Expect.INVALID, headers=JSON, content=huge_title)


def _limit_cases() -> Iterator[Case]:
    for value in ["1000000", str(2**63), "9" * 100, "-1", "1e3", "0x10", ""]:
        yield Case(f"limit-{value[:12] or 'empty'}", "GET", "/articles", Expect.INVALID, params=(("limit", value),))
    yield Case("limit-tags-huge", "GET", "/tags", Expect.INVALID, params=(("limit", str(10**20)),))
    yield Case("limit-100", "GET", "/articles", Expect.OK, params=(("limit", "100"),))


def _cursor_cases() -> Iterator[Case]:
    now = "2026-01-01T00:00:00+00:00"
    for name, cursor, expect in [
        ("empty", "", Expect.OK_OR_REFUSED),
        ("padding", "====", Expect.REFUSED),
        ("not-base64", "!!!***", Expect.REFUSED),
        ("json-null", _b64(None), Expect.REFUSED),
        ("id-2^64", _b64({"k": "t", "s": now, "i": 2**64}), Expect.OK_OR_REFUSED),
        ("id-negative", _b64({"k": "t", "s": now, "i": -(2**63) - 1}), Expect.OK_OR_REFUSED),
        ("id-bool", _b64({"k": "t", "s": now, "i": True}), Expect.OK_OR_REFUSED),
        ("date-max-minus-23h", _b64({"k": "t", "s": "9999-12-31T23:59:59-23:00", "i": 1}), Expect.OK_OR_REFUSED),
        ("date-min-plus-14h", _b64({"k": "t", "s": "0001-01-01T00:00:00+14:00", "i": 1}), Expect.OK_OR_REFUSED),
        ("offset-on-list", _b64({"k": "r", "o": 5}), Expect.REFUSED),
        ("offset-negative", _b64({"k": "r", "o": -1}), Expect.REFUSED),
        ("too-long", "A" * 600, Expect.INVALID),
    ]:
        yield Case(f"cursor-{name}", "GET", "/articles", expect, params=(("cursor", cursor),))
    yield Case(
        "cursor-keyset-on-search",
        "GET",
        "/articles",
        Expect.REFUSED,
        params=(("q", "harbour"), ("cursor", _b64({"k": "t", "s": now, "i": 1}))),
    )


def _url_cases() -> Iterator[Case]:
    for scheme, value in [
        ("javascript", "javascript:alert(1)"),
        ("javascript-upper", "JAVASCRIPT:alert(1)"),
        ("javascript-spaced", " javascript:alert(1)"),
        ("data", "data:text/html,<script>alert(1)</script>"),
        ("file", "file:///etc/passwd"),
    ]:
        yield _post_article(f"url-{scheme}", Expect.INVALID, url=value)
        yield _post_article(f"image-url-{scheme}", Expect.INVALID, image_url=value)
        yield Case(
            f"ingest-url-{scheme}",
            "POST",
            "/ingest/url",
            Expect.REFUSED,
            headers=JSON,
            content=_json({"url": value}),
        )
    yield Case(
        "ingest-hint-javascript",
        "POST",
        "/ingest",
        Expect.REFUSED,
        headers=HTML,
        params=(("url", "javascript:alert(1)"),),
        content=b"<html><body><h1>No address</h1><p>" + b"Words of a story. " * 40 + b"</p></body></html>",
    )
    url = "https://hostile.example.org/og-image-javascript"
    yield Case(
        "html-og-image-javascript",
        "POST",
        "/ingest",
        Expect.STORED,
        headers=HTML,
        params=(("url", url),),
        content=_html(url, "Pilots strike again", '<meta property="og:image" content="javascript:alert(1)">'),
        stored={"image_url": None},
    )
    item = (
        "<item><title>Entry with a script link</title><link>javascript:alert(1)</link>"
        "<description>Entry text long enough to be stored as a summary of the story.</description></item>"
    )
    yield Case("feed-link-javascript", "POST", "/ingest/feed", Expect.OK_OR_REFUSED, headers=FEED, content=_rss(item))
    yield Case("lookup-javascript", "GET", "/articles/lookup", Expect.REFUSED, params=(("url", "javascript:alert(1)"),))
    yield Case("lookup-broken-ipv6", "GET", "/articles/lookup", Expect.REFUSED, params=(("url", "http://[::1"),))
    yield Case("lookup-empty", "GET", "/articles/lookup", Expect.INVALID, params=(("url", ""),))


def _junk_cases() -> Iterator[Case]:
    for name, ctype, content in [
        ("digits-as-text", "text/plain", b"197814898388"),
        ("binary-as-html", "text/html", bytes(range(256)) * 16),
        ("pdf-as-html", "text/html", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"),
        ("utf16-bom-only", "text/plain", b"\xff\xfe"),
        ("only-markup", "text/html", b"<html><head></head><body><div><div></div></div></body></html>"),
        ("deep-html", "text/html", b"<div>" * 100_000 + b"text" + b"</div>" * 100_000),
        ("json-object-empty", "application/json", b"{}"),
    ]:
        params = (("url", f"https://hostile.example.org/junk-{name}"),)
        headers = (("content-type", ctype),)
        yield Case(f"junk-{name}", "POST", "/ingest", Expect.REFUSED, params=params, headers=headers, content=content)
    # With a new URL, a best-effort article with warnings is allowed (README); tests/live/test_races.py covers the
    # same junk sent with an existing article's URL, where it must not replace the good reading.
    yield Case(
        "junk-digits-as-html",
        "POST",
        "/ingest",
        Expect.OK_OR_REFUSED,
        params=(("url", "https://hostile.example.org/junk-digits-as-html"),),
        headers=HTML,
        content=b"197814898388",
    )
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><rss version="2.0"><channel><title>&lol3;</title>'
        b"</channel></rss>"
    )
    yield Case("junk-feed-entity-bomb", "POST", "/ingest/feed", Expect.REFUSED, headers=FEED, content=bomb)
    truncated = b"<rss><chan"
    yield Case("junk-feed-truncated", "POST", "/ingest/feed", Expect.OK_OR_REFUSED, headers=FEED, content=truncated)


def _unicode_cases() -> Iterator[Case]:
    yield _post_article("surrogate-title", Expect.OK_OR_REFUSED, title="Lone \ud800 surrogate")
    yield _post_article("surrogate-body", Expect.OK_OR_REFUSED, body="Body with a lone \udfff low surrogate.")
    yield _post_article("surrogate-tag", Expect.OK_OR_REFUSED, tags=["\ud83d"])
    yield _post_article("rtl-override", Expect.OK, title="\u202eevil\u202c headline")
    yield _post_article("zero-width", Expect.OK, title="Zero\u200bwidth\u200d joiner\ufeff title")
    for name, raw in [("q-surrogate-bytes", "q=%ED%A0%80"), ("tag-invalid-utf8", "tag=%FF%FE")]:
        yield Case(name, "GET", f"/articles?{raw}", Expect.OK_OR_REFUSED)
    yield Case("q-zero-width", "GET", "/articles", Expect.OK_OR_REFUSED, params=(("q", "\u200b"),))
    yield Case("tag-rtl", "GET", "/articles", Expect.OK, params=(("tag", "\u202eNATO"),))
    yield Case("prefix-emoji", "GET", "/tags", Expect.OK, params=(("prefix", "🏴‍☠️"),))


def _duplicate_and_long_cases() -> Iterator[Case]:
    yield Case("dup-limit", "GET", "/articles", Expect.OK_OR_REFUSED, params=(("limit", "1"), ("limit", "500")))
    yield Case("dup-cursor", "GET", "/articles", Expect.REFUSED, params=(("cursor", "x"), ("cursor", "y")))
    # A parameter that takes one value, given twice, is ambiguous: refused rather than guessed.
    yield Case("dup-q", "GET", "/articles", Expect.INVALID, params=(("q", "harbour"), ("q", "pilots")))
    yield Case("dup-language", "GET", "/articles", Expect.INVALID, params=(("language", "en"), ("language", "fr")))
    yield Case("tag-21-times", "GET", "/articles", Expect.INVALID, params=tuple(("tag", f"t{i}") for i in range(21)))
    yield Case("long-id-path", "GET", "/articles/" + "9" * 5000, Expect.INVALID)
    yield Case("long-unknown-path", "GET", "/" + "a" * 8000, Expect.NOT_FOUND)
    yield Case("long-q", "GET", "/articles", Expect.REFUSED, params=(("q", "x" * 1001),))
    # No stored tag is longer than 200 characters, so an empty page is as right as a 422.
    yield Case("long-tag", "GET", "/articles", Expect.OK_OR_REFUSED, params=(("tag", "t" * 5000),))
    yield Case(
        "long-lookup-url", "GET", "/articles/lookup", Expect.INVALID, params=(("url", "https://a.b/" + "c" * 3000),)
    )


def _method_cases() -> Iterator[Case]:
    for method, path in [
        ("PUT", "/articles"),
        ("PATCH", "/articles/1"),
        ("PUT", "/articles/1"),
        ("POST", "/articles/1"),
        ("DELETE", "/articles"),
        ("GET", "/ingest"),
        ("BREW", "/articles"),
    ]:
        yield Case(f"method-{method}-{path.strip('/').replace('/', '-')}", method, path, Expect.NOT_ALLOWED)
    yield Case("method-OPTIONS-articles", "OPTIONS", "/articles", Expect.OK)  # answered with Allow
    yield Case("unknown-route", "GET", "/wp-admin/setup.php", Expect.NOT_FOUND)


def _host_cases() -> Iterator[Case]:
    for path in ["/articles/", "/tags/", "/articles/?tag=x"]:
        name = "host-" + path.strip("/").replace("/?", "-").replace("=", "-")
        yield Case(name, "GET", path, Expect.NO_HOST_REFLECTION, headers=(("host", "evil.example"),))
    yield Case(
        "forwarded-host",
        "GET",
        "/articles/",
        Expect.NO_HOST_REFLECTION,
        headers=(("x-forwarded-host", "evil.example"), ("x-forwarded-proto", "javascript")),
    )


CASES: list[Case] = [
    *_id_cases(),
    *_control_in_query_cases(),
    *_control_in_json_cases(),
    *_control_in_document_cases(),
    *_date_cases(),
    *_malformed_json_cases(),
    *_content_type_cases(),
    *_oversize_cases(),
    *_limit_cases(),
    *_cursor_cases(),
    *_url_cases(),
    *_junk_cases(),
    *_unicode_cases(),
    *_duplicate_and_long_cases(),
    *_method_cases(),
    *_host_cases(),
]
EXACT = {
    Expect.NOT_FOUND: 404,
    Expect.INVALID: 422,
    Expect.TOO_LARGE: 413,
    Expect.UNSUPPORTED: 415,
    Expect.NOT_ALLOWED: 405,
}


def test_the_catalogue_is_big_and_names_are_unique() -> None:
    assert len(CASES) >= 100
    assert len({case.name for case in CASES}) == len(CASES)


def problems_with(response: httpx.Response) -> list[str]:
    """What is wrong with an answer whatever the case: a 5xx, or a 4xx that is not a full problem document."""
    if response.status_code >= 500:
        return [f"{response.status_code}: {response.text[:300]}"]
    if response.status_code < 400:
        return []
    if response.headers.get("content-type") != PROBLEM:
        return [f"{response.status_code} as {response.headers.get('content-type')!r}, not {PROBLEM}"]
    body = response.json()
    missing = [key for key in ("type", "title", "status", "detail", "code") if not body.get(key)]
    wrong = [] if body.get("status") == response.status_code else [f"status {body.get('status')} in the body"]
    return [f"problem without {missing}"] if missing else wrong


def _check_outcome(case: Case, response: httpx.Response) -> list[str]:
    status = response.status_code
    if case.expect in EXACT:
        return [] if status == EXACT[case.expect] else [f"expected {EXACT[case.expect]}, got {status}"]
    ok, refused = 200 <= status < 300, 400 <= status < 500
    if case.expect in (Expect.OK, Expect.STORED) and not ok:
        return [f"expected 2xx, got {status}: {response.text[:200]}"]
    if case.expect is Expect.REFUSED and not refused:
        return [f"expected a 4xx, got {status}"]
    if case.expect is Expect.OK_OR_REFUSED and not (ok or refused):
        return [f"expected 2xx or 4xx, got {status}"]
    if case.expect is Expect.NO_HOST_REFLECTION and "evil.example" in response.headers.get("location", ""):
        return [f"Location reflects the Host header: {response.headers['location']}"]
    return []


def _check_stored(case: Case, response: httpx.Response, http: httpx.Client) -> list[str]:
    if not case.stored or not 200 <= response.status_code < 300:
        return []
    article_id = response.json()["article"]["id"]
    stored = http.get(f"/articles/{article_id}")
    if stored.status_code != 200:
        return [f"GET /articles/{article_id} after a {response.status_code}: {stored.status_code}"]
    return [
        f"stored {key} = {stored.json()[key]!r}, expected {value!r}"
        for key, value in case.stored.items()
        if stored.json()[key] != value
    ]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_hostile_input(case: Case, http: httpx.Client) -> None:
    response = http.request(
        case.method, case.path, params=list(case.params), headers=dict(case.headers), content=case.content
    )
    failures = problems_with(response) + _check_outcome(case, response)
    failures += _check_stored(case, response, http)
    assert not failures, f"{case.method} {case.path} ({case.expect.value}): {failures}"


def _all_articles(http: httpx.Client) -> Iterator[dict[str, Any]]:
    cursor: str | None = None
    while True:
        page = http.get("/articles", params={"limit": 100, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200, page.text
        yield from page.json()["items"]
        cursor = page.json()["next_cursor"]
        if not cursor:
            return


def test_nothing_stored_by_the_catalogue_is_unsafe(http: httpx.Client) -> None:
    """Runs after the catalogue on the same server: no control characters, surrogates or non-http URLs kept."""
    bad: list[str] = []
    for item in _all_articles(http):
        article = http.get(f"/articles/{item['id']}").json()
        for key, value in article.items():
            texts = value if isinstance(value, list) else [value]
            for text in texts:
                if isinstance(text, str) and (CONTROL.search(text) or SURROGATE.search(text)):
                    bad.append(f"{article['url']}: {key} = {text[:80]!r}")
        for key in ("url", "original_url", "image_url"):
            if article[key] is not None and not article[key].lower().startswith(("http://", "https://")):
                bad.append(f"{article['url']}: {key} = {article[key]!r}")
    assert not bad, bad
