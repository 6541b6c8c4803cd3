"""Opaque cursors: base64url JSON that names its kind, so a list cursor is never read as a search one."""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from app.errors import InvalidCursor
from app.models import utc_instant


@dataclass(frozen=True, slots=True)
class KeysetCursor:
    """Position after (sort_at, id) in newest-first order, or oldest-first when `ascending`."""

    sort_at: datetime
    id: int
    ascending: bool = False


@dataclass(frozen=True, slots=True)
class OffsetCursor:
    """Position in a relevance-ranked result; ranks tie and change, so keyset does not apply."""

    offset: int


Cursor = KeysetCursor | OffsetCursor


def encode(cursor: Cursor) -> str:
    if isinstance(cursor, KeysetCursor):
        payload: dict[str, object] = {"k": "t", "s": cursor.sort_at.isoformat(), "i": cursor.id}
        if cursor.ascending:
            payload["a"] = 1
    else:
        payload = {"k": "r", "o": cursor.offset}
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")


def decode(token: str) -> Cursor:
    """Parse a cursor we issued; anything else is an InvalidCursor, never a server error."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload = json.loads(raw)
        if payload["k"] == "t":
            sort_at = datetime.fromisoformat(payload["s"])
            article_id = payload["i"]
            if sort_at.tzinfo is None or type(article_id) is not int or not 0 <= article_id < 2**63:  # bool is an int
                raise ValueError
            if payload.get("a", 0) not in (0, 1) or type(payload.get("a", 0)) is not int:
                raise ValueError
            return KeysetCursor(utc_instant(sort_at), article_id, ascending=payload.get("a") == 1)
        if payload["k"] == "r" and type(payload["o"]) is int and 0 <= payload["o"] <= 10_000:
            return OffsetCursor(payload["o"])
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError, RecursionError):
        pass
    raise InvalidCursor("the cursor is not one this API issued; start again without it")


@dataclass(frozen=True, slots=True)
class TagCountCursor:
    """Position after (count, key) in most-used-first order of tags (ties by key, ascending)."""

    count: int
    key: str


def encode_tags(cursor: TagCountCursor) -> str:
    payload = {"k": "g", "c": cursor.count, "t": cursor.key}
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_tags(token: str) -> TagCountCursor:
    """Parse a tag-list cursor we issued; an article cursor or anything else is an InvalidCursor."""
    try:
        payload = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        count, key = payload["c"], payload["t"]
        if payload["k"] == "g" and type(count) is int and 0 < count < 2**63 and isinstance(key, str) and key:
            return TagCountCursor(count, key)
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError, RecursionError):
        pass
    raise InvalidCursor("the cursor is not one this API issued for /tags; start again without it")
