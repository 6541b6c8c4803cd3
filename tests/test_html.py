"""HTML pages: metadata from JSON-LD and OpenGraph, body from the extractor, on a fixture and real pages."""

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

from app.domain import Hints
from app.reader.pipeline import parse
from tests.conftest import SHARED, require_shared

FIXTURE = Path(__file__).parent / "fixtures" / "article.html"
BENCH = SHARED / "corpus" / "html-benchmark"


def test_metadata_and_body_of_a_page() -> None:
    parsed = parse(FIXTURE.read_bytes(), hints=Hints(content_type="text/html"))
    article, warnings = parsed.article, parsed.warnings
    assert article.url == "https://courier.example.co.uk/news/2026/05/11/lighthouse-keepers-return?utm_source=rss"
    assert article.title == "Lighthouse keepers return to Skerry Rock"
    assert article.authors == ["Morag Innes"]  # from JSON-LD with a trailing comma
    assert article.published_at == datetime(2026, 5, 11, 6, 45, tzinfo=UTC)
    assert article.modified_at == datetime(2026, 5, 11, 8, 0, tzinfo=UTC)
    assert article.tags == ["Lighthouses", "Scotland"] and article.section == "News"
    assert article.language == "en" and article.site_name == "The Coastal Courier"
    assert article.publisher == "Coastal Courier Ltd"
    assert article.body.startswith("For the first time in forty years")
    assert "Privacy" not in article.body and "Sport" not in article.body
    assert len(article.body.split("\n\n")) == 4 and warnings == ()


def test_windows_1251_page_declared_in_meta_decodes() -> None:
    page = (
        '<html><head><meta charset="windows-1251"><title>Новости</title></head><body><article>'
        "<p>Сегодня в Москве прошёл сильный снегопад, движение на дорогах затруднено.</p>"
        "<p>Синоптики обещают, что снег будет идти до конца недели.</p></article></body></html>"
    )
    article = parse(page.encode("windows-1251"), hints=Hints(url="https://news.example.ru/a")).article
    assert "снегопад" in (article.body or "") + article.title
    assert article.language == "ru"


def test_real_pages_give_articles_with_body_text() -> None:
    require_shared(BENCH)
    truth = json.loads((BENCH / "ground-truth.json").read_text())
    names = sorted(truth)[:12]
    with_body = 0
    for name in names:
        data = gzip.decompress((BENCH / "html" / f"{name}.html.gz").read_bytes())
        article = parse(data, hints=Hints(content_type="text/html", url=truth[name]["url"])).article
        assert article.title and article.url.startswith("http")
        with_body += bool(article.body and len(article.body) > 200)
    assert with_body >= 11
