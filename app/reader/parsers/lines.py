"""Classifying the lines of a flattened dump: what kind of value each one is."""

import re
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from app.reader.dates import parse_date, parse_printed_date
from app.reader.languages import locale_language

WORD = re.compile(r"[^\W_]+")
_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)
_IMAGE = re.compile(
    r"\.(?:jpe?g|png|gif|webp|avif|svg)(?:[?#].*)?$|/(?:images?|img|photos?|media)/|/social$", re.IGNORECASE
)
_EMAIL = re.compile(r"^(?:mailto:)?[\w.+-]+@[\w-]+(?:\.[\w-]+)+$")
_PHONE = re.compile(r"^\+?[\d\s().-]{7,20}$")
_YEAR = re.compile(r"^(?:©|\(c\)|copyright)?\s*(?:19|20)\d{2}(?:\s*[-–]\s*(?:19|20)\d{2})?$", re.IGNORECASE)
_HANDLE = re.compile(r"^@\w{2,}$")
_TECH = re.compile(r"^(?:true|false|null|none|\d+|[\[{].*[\]}])$", re.IGNORECASE)
_TOKEN = re.compile(r"^[\w.:/%+@-]+$")


def is_technical(text: str) -> bool:
    """Booleans, numbers, JSON, and ids ('i-09e2', '7974.TO', '@post-id:1913719'), but not 'covid-19' or 'g7'."""
    if _TECH.match(text):
        return True
    if not _TOKEN.match(text) or not any(ch.isdigit() for ch in text):
        return False
    return sum(ch.isdigit() for ch in text) >= 3 or any(ch in ":@/%" for ch in text)


_ZONE_SUFFIX = re.compile(r"(?:\d[zZ]|[+-]\d{2}:?\d{2}|\b[A-Z]{2,5})$")
_CONJUNCTION = re.compile(r"^(?:and|or|&|et|und|y)\s", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…:;][\"'”’»)]*$")
_BYLINE = re.compile(r"^by\s+(.+)$", re.IGNORECASE)


class Kind(Enum):
    URL = "url"
    IMAGE = "image"
    DATE = "date"
    EMAIL = "email"
    PHONE = "phone"
    LOCALE = "locale"
    YEAR = "year"
    HANDLE = "handle"
    TECH = "tech"
    LIST = "list"
    PROSE = "prose"
    BYLINE = "byline"
    SHORT = "short"


@dataclass(slots=True)
class Line:
    """One line of a dump with what we could tell about it."""

    index: int
    text: str
    kind: Kind
    words: int
    date: datetime | None = None
    has_time: bool = False
    # The value names its offset or zone; a bare wall-clock time is the site's local time, which we cannot place.
    zoned: bool = False
    language: str | None = None

    @property
    def key(self) -> str:
        """Case- and punctuation-insensitive form, for repeat detection."""
        return " ".join(WORD.findall(self.text.casefold()))


def is_sentence(text: str, words: int) -> bool:
    """Prose: a line that ends like a sentence, or a long one that is not title-cased like a headline."""
    if words >= 5 and _SENTENCE_END.search(text):
        return True
    alpha = [w for w in text.split() if w[:1].isalpha()]
    capitalised = sum(w[0].isupper() for w in alpha) / len(alpha) if alpha else 1.0
    return words >= 14 and capitalised < 0.6


def comma_items(text: str) -> list[str] | None:
    """The items of a keyword list such as 'us, ukraine, nato', or None if it reads as prose."""
    if text.count(",") < 2 or _SENTENCE_END.search(text):
        return None
    items = [item.strip() for item in text.split(",")]
    if any(not item or len(WORD.findall(item)) > 7 for item in items):
        return None
    if any(_CONJUNCTION.match(item) for item in items[1:]):
        return None  # "snap counts, stats, and notes": a serial comma in a sentence, not a keyword list
    return items


def classify(index: int, text: str) -> Line:
    """Tell what kind of value a dump line holds."""
    words = len(WORD.findall(text))
    line = Line(index=index, text=text, kind=Kind.SHORT, words=words)
    if _URL.match(text):
        line.kind = Kind.IMAGE if _IMAGE.search(text) else Kind.URL
    elif (parsed := parse_date(text) or parse_printed_date(text)) is not None:
        line.kind, line.date, line.has_time = Kind.DATE, parsed[0], parsed[1]
        line.zoned = parsed[1] and bool(_ZONE_SUFFIX.search(text))
    elif _EMAIL.match(text):
        line.kind = Kind.EMAIL
    elif _PHONE.match(text) and sum(ch.isdigit() for ch in text) >= 7:
        line.kind = Kind.PHONE
    elif (language := locale_language(text)) is not None:
        line.kind, line.language = Kind.LOCALE, language
    elif _YEAR.match(text):
        line.kind = Kind.YEAR
    elif _HANDLE.match(text):
        line.kind = Kind.HANDLE
    elif is_technical(text):
        line.kind = Kind.TECH
    elif comma_items(text) is not None and not is_sentence(text, words):
        line.kind = Kind.LIST
    elif (match := _BYLINE.match(text)) and len(WORD.findall(match.group(1))) <= 8 and not is_sentence(text, words):
        line.kind = Kind.BYLINE
    elif is_sentence(text, words):
        line.kind = Kind.PROSE
    return line


STRONG_META = frozenset(
    {
        Kind.URL,
        Kind.IMAGE,
        Kind.DATE,
        Kind.EMAIL,
        Kind.PHONE,
        Kind.LOCALE,
        Kind.YEAR,
        Kind.HANDLE,
        Kind.TECH,
        Kind.LIST,
        Kind.BYLINE,
    }
)
