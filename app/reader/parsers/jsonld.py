"""schema.org Article/NewsArticle objects (JSON-LD) to drafts: @graph, arrays, nested authors."""

import html
import json
import re
from collections.abc import Iterator
from typing import Any

from app.domain import ArticleDraft
from app.reader.dates import parse_loose_date

ARTICLE_TYPES = frozenset(
    [
        "Article",
        "NewsArticle",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
        "ReviewNewsArticle",
        "AskPublicNewsArticle",
        "BlogPosting",
        "SocialMediaPosting",
        "TechArticle",
        "ScholarlyArticle",
        "Report",
        "LiveBlogPosting",
    ]
)


def loads_lenient(text: str) -> Any:
    """json.loads that forgives the trailing commas and raw newlines pages often put in JSON-LD."""
    try:
        return json.loads(text)
    except RecursionError:
        return None
    except json.JSONDecodeError:
        cleaned = re.sub(r",\s*([}\]])", r"\1", text.replace("\n", " ").replace("\r", " "))
        try:
            return json.loads(cleaned)
        except (json.JSONDecodeError, RecursionError):
            return None


def iter_objects(data: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object in a JSON-LD value, descending into lists and @graph."""
    if isinstance(data, list):
        for item in data:
            yield from iter_objects(item)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from iter_objects(data["@graph"])


def is_article(obj: dict[str, Any]) -> bool:
    """True for an object whose @type names one of the Article types."""
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(isinstance(k, str) and k.split("/")[-1] in ARTICLE_TYPES for k in kinds)


def find_article(data: Any, *, allow_webpage: bool = True) -> dict[str, Any] | None:
    """The first Article-typed object in a JSON-LD value; else a WebPage that carries an author or a date.

    SEO plugins (Yoast and its kin) describe many article pages only as a WebPage with datePublished and an
    author reference, so that is the page's article metadata when nothing more specific is there.
    """
    objects = list(iter_objects(data))
    article = next((obj for obj in objects if is_article(obj)), None)
    if article is not None or not allow_webpage:
        return article
    return next(
        (obj for obj in objects if _is_type(obj, "WebPage") and ("author" in obj or "datePublished" in obj)), None
    )


def _is_type(obj: dict[str, Any], name: str) -> bool:
    kind = obj.get("@type")
    return name in (kind if isinstance(kind, list) else [kind])


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        # Publishers often HTML-escape JSON-LD strings ("&#8216;", "&amp;"); JSON itself never needs it.
        return html.unescape(value).strip() or None
    if isinstance(value, dict):
        return _text(value.get("name") or value.get("@value") or value.get("url") or value.get("@id"))
    if isinstance(value, list) and value:
        return _text(value[0])
    return None


def _names(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        name = _text(item.get("name")) if isinstance(item, dict) else _text(item)
        if name:
            names.append(name)
    return names


def _keywords(value: Any) -> list[str]:
    if isinstance(value, str):
        return [k.strip() for k in value.split(",") if k.strip()]
    if isinstance(value, list):
        return [k for item in value for k in _keywords(item)]
    return []


def index_ids(data: Any) -> dict[str, dict[str, Any]]:
    """Every object of a JSON-LD value by its @id, to resolve references like {"@id": "#author"}."""
    return {obj["@id"]: obj for obj in iter_objects(data) if isinstance(obj.get("@id"), str) and len(obj) > 1}


def _resolve(value: Any, ids: dict[str, dict[str, Any]]) -> Any:
    if isinstance(value, list):
        return [_resolve(item, ids) for item in value]
    if isinstance(value, dict) and set(value) == {"@id"}:
        return ids.get(value["@id"], value)
    return value


def to_draft(obj: dict[str, Any], ids: dict[str, dict[str, Any]] | None = None) -> ArticleDraft:
    """Map one schema.org Article object onto a draft; `ids` resolves @id references (Yoast-style @graph)."""
    ids = ids or {}
    author = _resolve(obj.get("author") or obj.get("creator"), ids)
    authors = (
        [
            name
            for item in (author if isinstance(author, list) else [author])
            if not (isinstance(item, dict) and str(item.get("@type", "")).endswith("Organization"))
            for name in _names(item)
        ]
        if author
        else []
    )
    image = obj.get("image") or obj.get("thumbnailUrl")
    return ArticleDraft(
        url=_text(obj.get("url")) or _text(obj.get("mainEntityOfPage")),
        canonical_url=_text(obj.get("url")),
        title=_text(obj.get("headline")) or _text(obj.get("name")),
        summary=_text(obj.get("description")),
        body=_text(obj.get("articleBody")),
        authors=authors,
        keywords=_keywords(obj.get("keywords")),
        section=_text(obj.get("articleSection")),
        language=_text(obj.get("inLanguage")),
        publisher=_text(_resolve(obj.get("publisher"), ids)),
        image_url=_text(image),
        published_at=parse_loose_date(_text(obj.get("datePublished")) or _text(obj.get("dateCreated"))),
        modified_at=parse_loose_date(_text(obj.get("dateModified"))),
    )
