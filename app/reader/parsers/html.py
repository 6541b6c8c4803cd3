"""HTML pages: metadata from the markup (html_meta), body text from trafilatura.

trafilatura is the best-scoring open-source extractor on the public article-extraction benchmark, so the
body is its output (with favor_precision, then a call-to-action filter); its own metadata pass is skipped
because html_meta reads the same sources more accurately, in a third of the time.
"""

from typing import Any

import trafilatura
from lxml import html as lxml_html
from lxml.etree import ParserError

from app.domain import ArticleDraft, Hints
from app.errors import ParseError
from app.reader.dates import parse_loose_date
from app.reader.parsers import html_meta as m
from app.reader.parsers.boilerplate import strip_boilerplate
from app.reader.urls import preferred_url

# Choices that `python -m bench extraction --cv K` checks by site cross-validation (README, Benchmarks):
# trafilatura's favor_precision for the body pass, and the call-to-action filter over its output.
FAVOR_PRECISION = True
FILTER_BOILERPLATE = True
# no_network: never fetch a DTD or entity; huge_tree off: libxml2's depth and size limits stay on.
_PARSER = lxml_html.HTMLParser(no_network=True, huge_tree=False, remove_comments=True)


def parse(text: str, hints: Hints) -> ArticleDraft:
    """Parse an HTML page into a draft."""
    try:
        tree = lxml_html.document_fromstring(text, parser=_PARSER)
    except (ParserError, ValueError) as exc:
        raise ParseError("the HTML could not be parsed") from exc
    meta = m.meta_tags(tree)
    ld = m.jsonld_article(tree)
    sites = m.site_names(meta, ld, hints.url)
    title_candidates = [ld.title, m.one(meta, "og:title"), m.one(meta, "twitter:title"), m.title_tag(tree)]
    # Read before trafilatura runs: it prunes the tree in place.
    published = m.published(tree, meta, ld, hints.url)
    authors = m.author_credits(tree, meta, ld, sites)
    title = m.headline(tree, title_candidates, sites)
    extracted = _trafilatura(tree, hints.url)
    first = _first_of
    declared = (m.canonical(tree), m.one(meta, "og:url"), ld.url)
    return ArticleDraft(
        url=preferred_url(hints.url, *declared),
        canonical_url=first(*declared),
        title=title,
        summary=first(ld.summary, m.one(meta, "og:description"), m.one(meta, "description")),
        body=first(_filtered(extracted.get("text")), ld.body),
        authors=authors,
        tags=meta.get("article:tag", []) or ld.keywords,
        keywords=ld.keywords or _split(m.one(meta, "news_keywords") or m.one(meta, "keywords")),
        section=first(ld.section, m.one(meta, "article:section")),
        language=m.declared_language(tree, meta, ld),
        site_name=first(m.one(meta, "og:site_name"), m.one(meta, "application-name"), ld.publisher),
        publisher=first(ld.publisher, m.one(meta, "og:site_name")),
        image_url=first(ld.image_url, m.one(meta, "og:image"), m.one(meta, "twitter:image")),
        published_at=published,
        modified_at=ld.modified_at or parse_loose_date(m.one(meta, "article:modified_time", "datemodified")),
    )


def _first_of(*values: str | None) -> str | None:
    return next((v.strip() for v in values if v and v.strip()), None)


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").replace(";", ",").split(",") if v.strip()]


def _filtered(text: str | None) -> str:
    return strip_boilerplate(text or "") if FILTER_BOILERPLATE else text or ""


def _trafilatura(tree: Any, url: str | None) -> dict[str, Any]:
    # Metadata is read above, from the markup; trafilatura's own metadata pass would double the time.
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=False,
        include_comments=False,
        include_tables=True,
        favor_precision=FAVOR_PRECISION,
    )
    if document is None:
        return {}
    data: dict[str, Any] = document.as_dict() if hasattr(document, "as_dict") else dict(document)
    return data
