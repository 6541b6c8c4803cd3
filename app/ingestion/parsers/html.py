"""HTML pages: metadata from JSON-LD, OpenGraph/article:*, standard meta; body text from trafilatura.

trafilatura is the best-scoring open-source extractor on the public article-extraction benchmark, so the
body is its output; metadata it cannot see well (JSON-LD authors, article:tag) is read here first.
"""

import re
from datetime import datetime
from typing import Any

import htmldate
import trafilatura
from lxml import html as lxml_html
from lxml.etree import ParserError

from app.domain import ArticleDraft, Hints
from app.errors import ParseError
from app.ingestion.dates import parse_loose_date
from app.ingestion.parsers import jsonld
from app.ingestion.parsers.boilerplate import strip_boilerplate
from app.ingestion.urls import preferred_url

# no_network: never fetch a DTD or entity; huge_tree off: libxml2's depth and size limits stay on.
_PARSER = lxml_html.HTMLParser(no_network=True, huge_tree=False, remove_comments=True)


def parse(text: str, hints: Hints) -> ArticleDraft:
    """Parse an HTML page into a draft."""
    try:
        tree = lxml_html.document_fromstring(text, parser=_PARSER)
    except (ParserError, ValueError) as exc:
        raise ParseError("the HTML could not be parsed") from exc
    meta = _meta(tree)
    ld = _jsonld_article(tree)
    published = (
        ld.published_at
        or parse_loose_date(_one(meta, "article:published_time"))
        or parse_loose_date(_one(meta, "datepublished") or _one(meta, "dc.date") or _one(meta, "date"))
        or _visible_date(tree, hints.url)
    )
    authors = ld.authors or meta.get("article:author", []) or meta.get("author", []) or _byline(tree)
    extracted = _trafilatura(tree, hints.url)
    first = _first_of
    tags = meta.get("article:tag", []) or ld.keywords
    draft = ArticleDraft(
        url=preferred_url(hints.url, _canonical(tree), _one(meta, "og:url"), ld.url),
        title=first(ld.title, _one(meta, "og:title"), _one(meta, "twitter:title"), _title_tag(tree)),
        summary=first(ld.summary, _one(meta, "og:description"), _one(meta, "description")),
        body=first(strip_boilerplate(extracted.get("text") or ""), ld.body),
        authors=[a for a in authors if not a.startswith(("http://", "https://"))],
        tags=tags,
        keywords=ld.keywords or _split(_one(meta, "news_keywords") or _one(meta, "keywords")),
        section=first(ld.section, _one(meta, "article:section")),
        language=first(ld.language, tree.get("lang"), _one(meta, "og:locale")),
        site_name=first(_one(meta, "og:site_name"), _one(meta, "application-name"), ld.publisher),
        publisher=first(ld.publisher, _one(meta, "og:site_name")),
        image_url=first(ld.image_url, _one(meta, "og:image"), _one(meta, "twitter:image")),
        published_at=published,
        modified_at=ld.modified_at or parse_loose_date(_one(meta, "article:modified_time")),
    )
    return draft


def _first_of(*values: str | None) -> str | None:
    return next((v.strip() for v in values if v and v.strip()), None)


def _one(meta: dict[str, list[str]], name: str) -> str | None:
    values = meta.get(name)
    return values[0] if values else None


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").replace(";", ",").split(",") if v.strip()]


def _meta(tree: Any) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for node in tree.iter("meta"):
        name = (node.get("property") or node.get("name") or node.get("itemprop") or "").strip().lower()
        content = (node.get("content") or "").strip()
        if name and content:
            found.setdefault(name, []).append(content)
    return found


def _title_tag(tree: Any) -> str | None:
    """The <title>, else the first <h1>: what a page without metadata still says about itself."""
    for path in ("//title", "//h1"):
        nodes = tree.xpath(path)
        if nodes:
            text = " ".join(nodes[0].text_content().split())
            if text:
                return text
    return None


def _canonical(tree: Any) -> str | None:
    for node in tree.iter("link"):
        if "canonical" in (node.get("rel") or "").lower().split():
            return str(node.get("href")) if node.get("href") else None
    return None


def _jsonld_article(tree: Any) -> ArticleDraft:
    for node in tree.iter("script"):
        if (node.get("type") or "").strip().lower() != "application/ld+json" or not node.text:
            continue
        article = jsonld.find_article(jsonld.loads_lenient(node.text))
        if article is not None:
            return jsonld.to_draft(article)
    return ArticleDraft()


def _visible_date(tree: Any, url: str | None) -> datetime | None:
    """The date htmldate finds in <time> elements, bylines and the URL, when the metadata has none."""
    try:
        found = htmldate.find_date(
            tree, extensive_search=False, original_date=True, outputformat="%Y-%m-%dT%H:%M:%S", url=url
        )
    except (ValueError, TypeError):
        return None
    return parse_loose_date(found)


def _byline(tree: Any) -> list[str]:
    """Names in rel=author links or author-classed elements, the markup conventions for bylines."""
    nodes = tree.xpath(
        '//a[@rel="author"] | //*[@itemprop="author"]//*[@itemprop="name"] | //*[@itemprop="author"][not(*)]'
        ' | //*[contains(concat(" ", normalize-space(@class), " "), " author-name ")]'
        ' | //*[contains(concat(" ", normalize-space(@class), " "), " byline__name ")]'
    )
    names = [" ".join(n.text_content().split()) for n in nodes[:6]]
    return [re.sub(r"^(?:by|von|par|por)\s+", "", n, flags=re.IGNORECASE) for n in names if 2 < len(n) < 80]


def _trafilatura(tree: Any, url: str | None) -> dict[str, Any]:
    # Metadata is read above, from the markup; trafilatura's own metadata pass would double the time.
    document = trafilatura.bare_extraction(
        tree, url=url, with_metadata=False, include_comments=False, include_tables=True, favor_precision=True
    )
    if document is None:
        return {}
    data: dict[str, Any] = document.as_dict() if hasattr(document, "as_dict") else dict(document)
    return data
