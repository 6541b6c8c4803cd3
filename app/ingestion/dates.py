"""Recognising and parsing the date forms that news pages use (ISO 8601 and RFC 2822)."""

import re
import warnings
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from dateutil import parser as dateutil_parser

_ISO = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?|UTC|GMT)?$"
)
_RFC2822 = re.compile(
    r"^(?:[A-Z][a-z]{2},\s*)?\d{1,2}\s+[A-Z][a-z]{2}\s+\d{4}\s+\d{1,2}:\d{2}(?::\d{2})?\s*(?:[+-]\d{4}|[A-Z]{1,5})?$"
)
# Unambiguous zone abbreviations news pages print beside times, as UTC offsets in seconds.
_ZONES = {
    name: hours * 3600
    for name, hours in {
        "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
        "AKST": -9, "AKDT": -8, "HST": -10, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3, "WET": 0, "WEST": 1,
        "BST": 1, "JST": 9, "KST": 9, "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13, "MSK": 3,
    }.items()
}  # fmt: skip
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
        with warnings.catch_warnings():
            # An abbreviation we do not map (IST is India, Israel or Ireland) leaves the value naive: UTC below.
            warnings.simplefilter("ignore", dateutil_parser.UnknownTimezoneWarning)
            parsed: datetime = dateutil_parser.parse(text.strip()[:64], tzinfos=_ZONES)
    except (ValueError, TypeError, OverflowError):
        return None
    if parsed.year < MIN_YEAR:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


_DATELINE_NOISE = re.compile(r"\b(?:published|updated|posted|last modified|on|at|am|um)\b[:]?", re.IGNORECASE)


def parse_dateline(text: str) -> datetime | None:
    """An instant from a printed dateline like "Published 11:11 PM EST Nov 19, 2019"; None unless it names
    a zone we can place (a wall-clock time without one is not an instant)."""
    cleaned = _DATELINE_NOISE.sub(" ", text)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", dateutil_parser.UnknownTimezoneWarning)
            parsed: datetime = dateutil_parser.parse(cleaned, fuzzy=True, tzinfos=_ZONES)
    except (ValueError, TypeError, OverflowError):
        return None
    if parsed.tzinfo is None or parsed.year < MIN_YEAR:
        return None
    return parsed
