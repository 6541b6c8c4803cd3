"""The framework-free article draft that every parser produces."""

import enum
import re
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(slots=True)
class ArticleDraft:
    """What a parser could read from one document; normalisation makes it an ArticleCreate."""

    url: str | None = None
    title: str | None = None
    summary: str | None = None
    body: str | None = None
    authors: list[str] = field(default_factory=list)
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


class Outcome(enum.StrEnum):
    """What storing one article did."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    KEPT = "kept"  # the stored article was kept: the new reading of its URL was worse (see service.worse_reading)


_SPACES = re.compile(r"[ \t\u00a0]+")


def tag_key(tag: str) -> str:
    """The matching form of a tag: trimmed, inner spaces collapsed, case-folded."""
    return _SPACES.sub(" ", tag).strip().casefold()
