"""Per-field metadata accuracy against the hand-made ground truth (tests/fixtures/metadata-truth.json).

The truth was decided by reading each page's markup (visible headline, byline, dateline and the page's own
metadata where they agree), not by running an extractor. Comparison rules:
- title: equal after Unicode, quote, dash, space and case normalisation;
- published: the same calendar date in the truth's own time zone (what a date-only extractor can reach);
- pub. time: the same instant within a minute, for pages whose truth has a time (date-only output misses);
- authors: the same set of people after case and space normalisation (no byline: both must be empty);
- language: the same primary language subtag.
A field whose truth is null (the page does not say) is left out of that field's count.
"""

import re
import unicodedata
from datetime import date, datetime, timedelta
from typing import Any

FIELDS = ("title", "published", "pub. time", "authors", "language")
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "..."})


def accuracy(outputs: dict[str, dict[str, Any]], truth: dict[str, dict[str, Any]]) -> dict[str, str]:
    """'hits/total (share)' per field for one extractor's outputs."""
    hits = dict.fromkeys(FIELDS, 0)
    totals = dict.fromkeys(FIELDS, 0)
    for key, expected in truth.items():
        found = outputs.get(key, {})
        for field, ok in _judge(expected, found).items():
            if ok is None:
                continue
            totals[field] += 1
            hits[field] += int(ok)
    return {f: f"{hits[f]}/{totals[f]} ({hits[f] / totals[f]:.0%})" if totals[f] else "n/a" for f in FIELDS}


def mismatches(outputs: dict[str, dict[str, Any]], truth: dict[str, dict[str, Any]], field: str) -> list[str]:
    """Human-readable misses of one field, for looking into the figures."""
    lines = []
    for key, expected in truth.items():
        found = outputs.get(key, {})
        if _judge(expected, found).get(field) is False:
            source = {"pub. time": "published"}.get(field, field)
            lines.append(f"{key[:10]} truth={expected[source]!r} found={found.get(source)!r}")
    return lines


def _judge(expected: dict[str, Any], found: dict[str, Any]) -> dict[str, bool | None]:
    published = expected["published"]
    has_time = published is not None and "T" in published
    return {
        "title": None if expected["title"] is None else _text(found.get("title")) == _text(expected["title"]),
        "published": None if published is None else _same_day(found.get("published"), published),
        "pub. time": _same_instant(found.get("published"), published) if has_time else None,
        "authors": None
        if expected["authors"] is None
        else _people(found.get("authors")) == _people(expected["authors"]),
        "language": None
        if expected["language"] is None
        else (found.get("language") or "").split("-")[0].lower() == expected["language"],
    }


def _text(value: str | None) -> str:
    text = unicodedata.normalize("NFKC", value or "").translate(_QUOTES)
    return " ".join(text.split()).casefold()


def _people(names: list[str] | None) -> set[str]:
    return {_text(re.sub(r"\s+", " ", name)) for name in names or []}


def _parse(value: str | None) -> datetime | date | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value) if "T" in value or " " in value.strip() else date.fromisoformat(value[:10])
    except ValueError:
        return None


def _same_day(found: str | None, expected: str) -> bool:
    got, want = _parse(found), _parse(expected)
    if got is None or want is None:
        return False
    want_day = want.date() if isinstance(want, datetime) else want
    if isinstance(got, datetime):
        if isinstance(want, datetime) and got.tzinfo and want.tzinfo:
            got = got.astimezone(want.tzinfo)
        return got.date() == want_day
    return got == want_day


def _same_instant(found: str | None, expected: str) -> bool:
    got, want = _parse(found), _parse(expected)
    if not isinstance(got, datetime) or not isinstance(want, datetime) or got.tzinfo is None:
        return False
    return abs(got - want) <= timedelta(minutes=1)
