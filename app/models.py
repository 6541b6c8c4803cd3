"""Pydantic models of an article: as written by clients, as listed, and as returned in full.

These are the public schema: the OpenAPI document (and every SDK generated from it) is built from them,
so every field carries a description and the bounds that the service enforces.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    model_validator,
)

MAX_URL = 2048
MAX_TITLE = 1000
MAX_SUMMARY = 5000
MAX_BODY = 1_000_000
MAX_LIST_ITEMS = 100
MAX_NAME = 200


# C0 controls but tab, newline and carriage return, and lone UTF-16 surrogates (JSON can carry "\ud800"):
# PostgreSQL text cannot hold NUL nor UTF-8 encode a surrogate, so both engines store text without them.
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def storable_text(value: str) -> str:
    """The text without characters no engine can store the same way (see _UNSTORABLE)."""
    return _UNSTORABLE.sub("", value)


def _storable(value: Any) -> Any:
    if isinstance(value, str):
        return storable_text(value)
    if isinstance(value, list):
        return [_storable(item) for item in value]
    return value


def is_web_url(value: str) -> bool:
    """An absolute http(s) URL with a host: the only kind served in URL fields (no javascript:, data:, file:)."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc) and parts.hostname is not None


def _web_url(value: str) -> str:
    if not is_web_url(value):
        raise ValueError("must be an absolute http(s) URL")
    return value


def utc_instant(value: datetime) -> datetime:
    """An instant in UTC (a value without offset is taken as UTC); refused when it falls outside years 1-9999."""
    try:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("the instant falls outside years 1-9999 in UTC") from exc


def _representable(value: datetime) -> datetime:
    """The value as given (its offset is kept for readers), once it is known to have a UTC form."""
    utc_instant(value)
    return value


def _as_utc(value: object) -> object:
    """Storage engines hand back naive UTC (SQLite) or aware values; both leave as aware UTC."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value


def _language_code(value: str) -> str:
    """Accept BCP 47 / locale forms (en-US, pt_BR) and keep the ISO 639-1 primary subtag."""
    primary = value.strip().replace("_", "-").split("-", 1)[0].lower()
    if len(primary) != 2 or not primary.isascii() or not primary.isalpha():
        raise ValueError("language must be an ISO 639-1 code such as 'en' (a region suffix is dropped)")
    return primary


UTCDateTime = Annotated[
    datetime,
    BeforeValidator(_as_utc),
    PlainSerializer(lambda v: v.astimezone(UTC).isoformat().replace("+00:00", "Z"), return_type=str),
]
Url = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_URL), AfterValidator(_web_url)
]
Instant = Annotated[AwareDatetime, AfterValidator(_representable)]
QueryInstant = Annotated[datetime, AfterValidator(utc_instant)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NAME)]
Language = Annotated[str, StringConstraints(max_length=35), AfterValidator(_language_code)]


class ArticleCreate(BaseModel):
    """An article as a client writes it. Ids, hashes and timestamps of our own are not accepted."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _without_unstorable_characters(cls, data: Any) -> Any:
        """Control characters and lone surrogates are removed from every text field, identically on both engines."""
        if isinstance(data, dict):
            return {key: _storable(value) for key, value in data.items()}
        return data

    url: Url = Field(
        description="Address of the article; stored in canonical form, unique.",
        examples=["https://example.com/news/2026/02/03/story"],
    )
    title: str = Field(min_length=1, max_length=MAX_TITLE, description="Headline without site-name suffix.")
    summary: str | None = Field(default=None, max_length=MAX_SUMMARY, description="Standfirst or description.")
    body: str | None = Field(
        default=None, max_length=MAX_BODY, description="Plain text; paragraphs split by blank lines."
    )
    authors: list[ShortText] = Field(
        default_factory=list, max_length=MAX_LIST_ITEMS, description="People who wrote it."
    )
    tags: list[ShortText] = Field(
        default_factory=list,
        max_length=MAX_LIST_ITEMS,
        description="Topic tags; matched case-insensitively, display form kept.",
        examples=[["world", "NATO"]],
    )
    keywords: list[ShortText] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)
    section: ShortText | None = Field(default=None, description="Desk or section, e.g. 'World'.")
    language: Language | None = Field(
        default=None, description="ISO 639-1 code; 'en-US' is accepted as 'en'.", examples=["en"]
    )
    site_name: ShortText | None = None
    publisher: ShortText | None = None
    image_url: Url | None = None
    published_at: Instant | None = Field(
        default=None, description="With a time-zone offset.", examples=["2026-02-03T11:37:00+00:00"]
    )
    modified_at: Instant | None = None


class ArticleBase(BaseModel):
    """Fields shared by the listed and the full article."""

    model_config = ConfigDict(from_attributes=True)

    id: int = Field(description="Stable identifier assigned by Broadsheet.")
    url: str = Field(description="Canonical URL.")
    title: str
    summary: str | None
    authors: list[str]
    tags: list[str] = Field(description="Display forms of the tags.")
    keywords: list[str]
    section: str | None
    language: str | None = Field(description="ISO 639-1 code.")
    site_name: str | None
    publisher: str | None
    image_url: str | None
    source: str = Field(
        description="Host name the article was published on, without 'www.'.", examples=["sputnikglobe.com"]
    )
    published_at: UTCDateTime | None = Field(description="In UTC.")
    modified_at: UTCDateTime | None = Field(description="In UTC.")
    ingested_at: UTCDateTime = Field(description="When Broadsheet first stored it, in UTC.")
    updated_at: UTCDateTime = Field(description="When Broadsheet last changed it, in UTC.")
    word_count: int
    content_hash: str = Field(description="SHA-256 of the normalised content; changes when the content does.")


class ArticleListItem(ArticleBase):
    """An article in a list: everything but the body, plus a search snippet."""

    snippet: str | None = Field(
        default=None,
        description="With `q`: a passage where matched words are wrapped in <mark>…</mark>; "
        "the rest is HTML-escaped text.",
        examples=["…the so-called <mark>coalition</mark> of the <mark>willing</mark> met in Paris…"],
    )


class ArticleRead(ArticleBase):
    """The full article."""

    original_url: str | None = Field(description="The URL as first submitted, before canonicalisation.")
    body: str | None


class ArticlePage(BaseModel):
    """One page of a listing; pass `next_cursor` back as `cursor` for the next page."""

    items: list[ArticleListItem]
    next_cursor: str | None = Field(description="Opaque; null on the last page.")


class TagCount(BaseModel):
    """A tag and how many articles carry it."""

    tag: str = Field(description="Display form.")
    count: int


class TagList(BaseModel):
    items: list[TagCount]


@dataclass(frozen=True, slots=True)
class PreparedArticle:
    """A validated article plus everything storage derives from it."""

    article: ArticleCreate
    original_url: str
    url_key: str
    source: str
    word_count: int
    content_hash: str
