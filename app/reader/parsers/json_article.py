"""JSON documents: an article in Broadsheet's own schema, or a schema.org Article (JSON-LD)."""

import json
from typing import Any, get_origin

from app.domain import ArticleDraft, Hints
from app.errors import ParseError
from app.models import CLIENT_FIELDS, SERVER_FIELDS, ArticleCreate, Instant
from app.reader.dates import parse_loose_date
from app.reader.parsers import jsonld

# By their type in ArticleCreate: the rest of its fields are strings.
_LISTS = frozenset(n for n, f in ArticleCreate.model_fields.items() if get_origin(f.annotation) is list)
_DATES = frozenset(n for n, f in ArticleCreate.model_fields.items() if f.annotation == Instant | None)


def parse(text: str, hints: Hints) -> ArticleDraft:
    """Parse a JSON document into a draft."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from exc
    except RecursionError as exc:
        raise ParseError("the JSON is nested too deeply") from exc
    article = jsonld.find_article(data)
    if article is not None:
        draft = jsonld.to_draft(article)
    elif isinstance(data, dict):
        draft = _own_schema(data)
    else:
        raise ParseError("JSON must be an article object (Broadsheet's schema or a schema.org Article)")
    draft.url = draft.url or hints.url
    return draft


def _own_schema(data: dict[str, Any]) -> ArticleDraft:
    unknown = sorted(set(data) - CLIENT_FIELDS - SERVER_FIELDS)
    if unknown:
        raise ParseError(f"unknown field(s) in article JSON: {', '.join(unknown)}")
    fields: dict[str, Any] = {k: _string_list(data.get(k), k) for k in _LISTS}
    for name in ArticleCreate.model_fields.keys() - _LISTS - _DATES:
        fields[name] = _string(data.get(name), name)
    for name in _DATES:
        fields[name] = _date(data.get(name), name)
    return ArticleDraft(**fields)


def _string(value: Any, name: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise ParseError(f"field '{name}' must be a string")


def _string_list(value: Any, name: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise ParseError(f"field '{name}' must be a list of strings")


def _date(value: Any, name: str) -> Any:
    if value is None:
        return None
    parsed = parse_loose_date(value) if isinstance(value, str) else None
    if parsed is None:
        raise ParseError(f"field '{name}' must be an ISO 8601 date-time")
    return parsed
