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
            parsed = dateutil_parser.isoparse(_iso_spaces(value))
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


def _iso_spaces(value: str) -> str:
    """'2019-11-19 21:57:00 -0800' → '2019-11-19T21:57:00-0800': isoparse takes no spaces."""
    value = re.sub(r"\s+(?=[+-]\d{2}:?\d{2}$)", "", value.replace(" UTC", "Z").replace(" GMT", "Z"))
    return value.replace(" ", "T", 1)


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


# Dates as pages print them: "2019/11/19", "November 19, 2019, 07:47 PM EST", "01:38 PM IST Nov 20, 2019".
_SLASHED = re.compile(r"^((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})$")
_PRINTED = re.compile(
    r"^(?=.*\b(?:19|20)\d{2}\b)(?=.*\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b)"
    r"[\w ,.:/+-]{8,60}$",
    re.IGNORECASE,
)
_MONTH_OR_DAY = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)"
_PRINTED_WORDS = re.compile(
    rf"^(?:{_MONTH_OR_DAY}[a-z]*\.?|\d{{1,4}}(?:st|nd|rd|th)?|\d{{1,2}}:\d{{2}}(?::\d{{2}})?|[ap]\.?m\.?|(?-i:[A-Z]{{2,5}})|[+-]\d{{4}}|at|-)$",
    re.IGNORECASE,
)
_DAY_NUMBER = re.compile(r"(?<![\d:])\d{1,2}(?:st|nd|rd|th)?(?![\d:])")


def parse_printed_date(text: str) -> tuple[datetime, bool] | None:
    """A date line as printed for readers; (instant, True) when it names a zone we can place, else the day.

    Only lines that are nothing but a date qualify (each word a month, weekday, number, time or zone), so
    a sentence mentioning a date is not one.
    """
    value = text.strip()
    if not 8 <= len(value) <= 60:
        return None  # every dump line is tried: leave long lines at once
    if slashed := _SLASHED.match(value):
        try:
            year, month, day = map(int, slashed.groups())
            return datetime(year, month, day, tzinfo=UTC), False
        except ValueError:
            return None
    words = [w.strip(",") for w in value.split()]
    if not _PRINTED.match(value) or not all(_PRINTED_WORDS.match(w) for w in words if w):
        return None
    if not _DAY_NUMBER.search(value):
        return None  # "May 2019": no day to place it on
    instant = parse_dateline(value) if _HAS_TIME.search(value) else None
    if instant is not None:
        return instant, True
    found = parse_loose_date(value)  # a printed day without a zone: that calendar day, as date-only values are
    return (found.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=UTC), False) if found else None


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
