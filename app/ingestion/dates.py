"""Recognising and parsing the date forms that news pages use (ISO 8601 and RFC 2822)."""

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from dateutil import parser as dateutil_parser

_ISO = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?|UTC|GMT)?$"
)
_RFC2822 = re.compile(
    r"^(?:[A-Z][a-z]{2},\s*)?\d{1,2}\s+[A-Z][a-z]{2}\s+\d{4}\s+\d{1,2}:\d{2}(?::\d{2})?\s*(?:[+-]\d{4}|[A-Z]{1,5})?$"
)
_HAS_TIME = re.compile(r"\d{1,2}:\d{2}")
# Pages carry placeholder dates (0001-01-01) and founding years (1851); no news article predates the web.
MIN_YEAR = 1990


def parse_date(text: str) -> tuple[datetime, bool] | None:
    """Parse an ISO or RFC 2822 date; returns (aware datetime, whether a time was given) or None.

    A value without an offset is taken as UTC: that is how the pages we see publish machine dates.
    """
    value = text.strip()
    if len(value) > 40:
        return None
    try:
        if _ISO.match(value):
            parsed = dateutil_parser.isoparse(value.replace(" UTC", "Z").replace(" GMT", "Z").replace(" ", "T", 1))
        elif _RFC2822.match(value):
            parsed = parsedate_to_datetime(value)
        else:
            return None
    except (ValueError, TypeError, OverflowError):
        return None
    if parsed.year < MIN_YEAR or parsed.year > 2200:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed, bool(_HAS_TIME.search(value))


def parse_loose_date(text: str | None) -> datetime | None:
    """Parse any date string a page might hold (JSON-LD, meta tags); None when it is not a date."""
    if not text:
        return None
    strict = parse_date(text)
    if strict:
        return strict[0]
    try:
        parsed: datetime = dateutil_parser.parse(text.strip()[:64])
    except (ValueError, TypeError, OverflowError):
        return None
    if parsed.year < MIN_YEAR:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
