"""The framework-free article draft that every parser produces."""

import enum
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime


@dataclass(slots=True)
class ArticleDraft:
    """What a parser could read from one document; normalisation makes it an ArticleCreate."""

    url: str | None = None
    # As the document declares it (link rel=canonical, og:url, JSON-LD url), wherever it points.
    canonical_url: str | None = None
    title: str | None = None
    summary: str | None = None
    body: str | None = None
    authors: list[str] = field(default_factory=list)
    # Each author came from an author element of its own (feeds): handles and e-mail addresses are kept.
    authors_credited: bool = False
    tags: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    section: str | None = None
    language: str | None = None
    site_name: str | None = None
    publisher: str | None = None
    image_url: str | None = None
    published_at: datetime | None = None
    modified_at: datetime | None = None
    warnings: list[str] = field(default_factory=list)
    # The document declares `language` where identification should not second-guess it (an explicit JSON
    # field, or <html lang> agreeing with og:locale): normalisation then skips identifying the text.
    language_reliable: bool = False


@dataclass(frozen=True, slots=True)
class Hints:
    """What the caller knows about a document besides its bytes."""

    content_type: str | None = None
    url: str | None = None
    fetched_at: datetime | None = None  # when a crawler fetched it (WARC-Date, our own fetch)
    # The caller only reads (`broadsheet parse`): a document naming no URL is parsed, not refused.
    url_optional: bool = False


class Outcome(enum.StrEnum):
    """What storing one article did."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    KEPT = "kept"  # the stored article was kept: the new reading of its URL was worse (see service.worse_reading)


def assume_utc(value: datetime) -> datetime:
    """A value without an offset is taken as UTC (SQLite hands stored instants back naive); others unchanged."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def as_utc(value: datetime) -> datetime:
    """The instant in UTC (naive taken as UTC). Raises OverflowError when it falls outside years 1-9999."""
    return assume_utc(value).astimezone(UTC)


_SPACES = re.compile(r"[ \t\u00a0]+")


def tag_key(tag: str) -> str:
    """The matching form of a tag: trimmed, inner spaces collapsed, case-folded."""
    return _SPACES.sub(" ", tag).strip().casefold()
