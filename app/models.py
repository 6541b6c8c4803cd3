"""Pydantic models of an article: as written by clients, as listed, and as returned in full.

These are the public schema: the OpenAPI document (and every SDK generated from it) is built from them,
so every field carries a description and the bounds that the service enforces.
"""

import enum
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
    create_model,
    model_validator,
)

from app.domain import as_utc

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


# The C0 controls of _UNSTORABLE as UTF-8 bytes (no multi-byte sequence contains a byte below 0x80).
_UNSTORABLE_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])


def storable_text(value: str) -> str:
    """The text without characters no engine can store the same way (see _UNSTORABLE)."""
    # Nearly all text has none: checking that in C (encode fails on a surrogate; translate drops controls)
    # is several times faster than the regex scan, which was a fifth of validating an NDJSON article.
    try:
        encoded = value.encode()
    except UnicodeEncodeError:
        return _UNSTORABLE.sub("", value)
    if len(encoded.translate(None, _UNSTORABLE_BYTES)) == len(encoded):
        return value
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
        return as_utc(value)
    except OverflowError as exc:
        raise ValueError("the instant falls outside years 1-9999 in UTC") from exc


_NUMBER = re.compile(r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")


def _not_a_number(value: object) -> object:
    """Only ISO 8601 text is a date here: pydantic would read 0 or 1.5 as seconds since 1970 (the schema says
    `format: date-time`, a string)."""
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.match(value)):
        raise ValueError("dates are ISO 8601 strings with an offset, e.g. 2026-02-03T11:37:00+00:00")
    return value


def _representable(value: datetime) -> datetime:
    """The value as given (its offset is kept for readers), once it is known to have a UTC form."""
    utc_instant(value)
    return value


def _as_utc(value: object) -> object:
    """Storage engines hand back naive UTC (SQLite) or aware values; both leave as aware UTC."""
    return as_utc(value) if isinstance(value, datetime) else value


def _language_code(value: str) -> str:
    """Accept BCP 47 / locale forms (en-US, pt_BR) and keep the ISO 639-1 primary subtag."""
    primary = value.strip().replace("_", "-").split("-", 1)[0].lower()
    if len(primary) != 2 or not primary.isascii() or not primary.isalpha():
        raise ValueError("language must be an ISO 639-1 code such as 'en' (a region suffix is dropped)")
    return primary


# The documented pattern is the enforced one (tests/api/test_openapi.py compares them): scheme and a host.
# A host (name of at most 253 characters as DNS allows, IPv4 or [IPv6]) with an optional port; no
# user:password@ part.
HTTP_URL_PATTERN = r"^\s*[Hh][Tt][Tt][Pp][Ss]?://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~%!$&'()*+,;=-]{1,253})(:[0-9]{0,5})?([/?#][^\s\x00-\x1f\x7f]*)?\s*$"
_URL_SCHEMA = {"type": "string", "format": "uri", "minLength": 1, "maxLength": MAX_URL, "pattern": HTTP_URL_PATTERN}


def utc_text(value: datetime) -> str:
    """An instant as served: ISO 8601 in UTC with `Z` (naive values are UTC, as SQLite hands them back)."""
    return as_utc(value).isoformat().replace("+00:00", "Z")


UTCDateTime = Annotated[
    datetime,
    BeforeValidator(_as_utc),
    PlainSerializer(utc_text, return_type=str, when_used="unless-none"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
# An absolute http(s) URL as clients send it: the documented pattern (checked as sent, so the schema's
# bounds are the enforced ones), then surrounding whitespace dropped, then the parser's view of it (_web_url).
HttpUrlText = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_URL, pattern=HTTP_URL_PATTERN),
    AfterValidator(str.strip),
    AfterValidator(_web_url),
    WithJsonSchema(_URL_SCHEMA),
]
Url = HttpUrlText
UrlOut = Annotated[str, WithJsonSchema({"type": "string", "format": "uri"})]
Instant = Annotated[AwareDatetime, BeforeValidator(_not_a_number), AfterValidator(_representable)]
QueryInstant = Annotated[datetime, BeforeValidator(_not_a_number), AfterValidator(utc_instant)]
Stripped = Annotated[str, AfterValidator(str.strip)]
# Required text must keep a character once control characters and surrounding whitespace are gone: the
# documented pattern says so (a character that is neither a C0 control nor what str.strip() removes).
MEANINGFUL = r"[^\x00-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
ShortText = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_NAME, pattern=MEANINGFUL), AfterValidator(str.strip)
]
# What _language_code accepts: two letters, then nothing or a region/script suffix after - or _.
LANGUAGE_PATTERN = r"^\s*[A-Za-z]{2}(\s*|[-_][\s\S]*)$"
Language = Annotated[str, StringConstraints(max_length=35, pattern=LANGUAGE_PATTERN), AfterValidator(_language_code)]


# One example article for the OpenAPI document, in each of the shapes below.
EXAMPLE_CREATE: dict[str, JsonValue] = {
    "url": "https://example.com/news/2026/02/03/story",
    "title": "Ministers meet in Paris",
    "summary": "The coalition of the willing met again.",
    "body": "First paragraph.\n\nSecond paragraph.",
    "authors": ["Jane Doe"],
    "tags": ["world", "NATO"],
    "language": "en",
    "published_at": "2026-02-03T11:37:00Z",
}
EXAMPLE_LISTED: dict[str, JsonValue] = {
    **{k: v for k, v in EXAMPLE_CREATE.items() if k != "body"},
    "id": 1,
    "canonical_url": "https://example.com/news/2026/02/03/story",
    "keywords": [],
    "section": "World",
    "site_name": "Example News",
    "publisher": None,
    "image_url": None,
    "source": "example.com",
    "modified_at": None,
    "ingested_at": "2026-02-03T12:00:00Z",
    "updated_at": "2026-02-03T12:00:00Z",
    "word_count": 4,
    "content_hash": "3f79bb7b435b05321651daefd374cdc681dc06faa65e374e38337b88ca046dea",
}
EXAMPLE_READ: dict[str, JsonValue] = {
    **EXAMPLE_LISTED,
    "original_url": "https://www.example.com/news/2026/02/03/story/",
    "body": "Text.",
}


class ArticleCreate(BaseModel):
    """An article as a client writes it. Ids, hashes and timestamps of our own are not accepted."""

    # Strings are checked as sent (so the documented bounds are the enforced ones), then stripped.
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE_CREATE]})

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
    canonical_url: Url | None = Field(
        default=None,
        description="The address the page declares for itself (<link rel=canonical>, og:url or JSON-LD url), "
        "as declared, even on another site; `url` is the address the article is stored under.",
    )
    title: Stripped = Field(
        min_length=1, max_length=MAX_TITLE, pattern=MEANINGFUL, description="Headline without site-name suffix."
    )
    summary: Stripped | None = Field(default=None, max_length=MAX_SUMMARY, description="Standfirst or description.")
    body: Stripped | None = Field(
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
    url: UrlOut = Field(description="Canonical URL.")
    canonical_url: UrlOut | None = Field(
        description="The address the page declares for itself (<link rel=canonical>, og:url or JSON-LD url), "
        "as declared, even on another site; null when it declares none."
    )
    title: str
    summary: str | None
    authors: list[str]
    tags: list[str] = Field(description="Display forms of the tags.")
    keywords: list[str]
    section: str | None
    language: str | None = Field(description="ISO 639-1 code.")
    site_name: str | None
    publisher: str | None
    image_url: UrlOut | None
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

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_LISTED]})

    snippet: str | None = Field(
        default=None,
        description="With `q`: a passage where matched words are wrapped in <mark>…</mark>; "
        "the rest is HTML-escaped text.",
        examples=["…the so-called <mark>coalition</mark> of the <mark>willing</mark> met in Paris…"],
    )
    title_highlight: str | None = Field(
        default=None,
        description="With `q`, when the title matches: the title HTML-escaped with matched words in <mark>…</mark>.",
        examples=["<mark>Coalition</mark> of the willing meets in Paris"],
    )


class ArticleRead(ArticleBase):
    """The full article."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_READ]})

    original_url: UrlOut | None = Field(description="The URL as first submitted, before canonicalisation.")
    body: str | None


class Total(BaseModel):
    """How many articles match, Elasticsearch-style."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"value": 1289, "relation": "eq"}]})

    value: int = Field(ge=0)
    relation: Literal["eq", "approximate"] = Field(
        description="`eq`: exact. `approximate`: the search index had not caught up with every committed write "
        "within the server's wait (BROADSHEET_INDEX_WAIT); the count may be off by those writes."
    )


class ArticleExport(ArticleCreate):
    """One line of an NDJSON export: the article as a client writes it (the `POST /articles` body), plus the
    URL it was first submitted under, so that `broadsheet ingest` of the file stores the same articles."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{**EXAMPLE_CREATE, "original_url": EXAMPLE_READ["original_url"]}]},
    )

    original_url: Url | None = Field(default=None, description="The URL as first submitted, before canonicalisation.")


class ArticlePage(BaseModel):
    """One page of a listing; pass `next_cursor` back as `cursor` for the next page."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"items": [EXAMPLE_LISTED], "next_cursor": None, "total": {"value": 1, "relation": "eq"}}]
        }
    )

    items: list[ArticleListItem]
    next_cursor: str | None = Field(description="Opaque; null on the last page.")
    total: Total | None = Field(description="Articles matching the filters; null while the search index is built.")


class ArticleField(enum.StrEnum):
    """A field of a listed article that `fields` can select (`id` always comes)."""

    URL = "url"
    CANONICAL_URL = "canonical_url"
    TITLE = "title"
    SUMMARY = "summary"
    AUTHORS = "authors"
    TAGS = "tags"
    KEYWORDS = "keywords"
    SECTION = "section"
    LANGUAGE = "language"
    SITE_NAME = "site_name"
    PUBLISHER = "publisher"
    IMAGE_URL = "image_url"
    SOURCE = "source"
    PUBLISHED_AT = "published_at"
    MODIFIED_AT = "modified_at"
    INGESTED_AT = "ingested_at"
    UPDATED_AT = "updated_at"
    WORD_COUNT = "word_count"
    CONTENT_HASH = "content_hash"
    SNIPPET = "snippet"
    TITLE_HIGHLIGHT = "title_highlight"


def _absent_unless_selected(schema: dict[str, Any]) -> None:
    schema.pop("default", None)  # never sent as null in place of a value: the member is left out


# A listed article with only the selected fields: each keeps the listed article's type, and is absent (not
# null) unless selected, so a generated client sees "a string, or not sent" and never a null title.
SelectedArticle: type[BaseModel] = create_model(
    "SelectedArticle",
    __doc__="A listed article with `id` and the fields named in `fields`; no other member is sent.",
    __config__=ConfigDict(
        json_schema_extra={"examples": [{k: EXAMPLE_LISTED[k] for k in ("id", "title", "published_at")}]}
    ),
    id=(int, Field(description="Stable identifier assigned by Broadsheet.")),
    **{
        # The listed field's own type with its validators and serializers (dates in UTC with a Z).
        name: (
            Annotated[
                info.annotation,
                *info.metadata,
                Field(description=info.description, json_schema_extra=_absent_unless_selected),
            ],
            None,
        )
        for name, info in ArticleListItem.model_fields.items()
        if name != "id"
    },  # type: ignore[call-overload]
)


class SelectedArticlePage(BaseModel):
    """One page of selected fields; pass `next_cursor` back as `cursor` for the next page."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [{k: EXAMPLE_LISTED[k] for k in ("id", "title", "published_at")}],
                    "next_cursor": None,
                    "total": {"value": 1, "relation": "eq"},
                }
            ]
        }
    )

    items: list[SelectedArticle]
    next_cursor: str | None = Field(description="Opaque; null on the last page.")
    total: Total | None = Field(description="Articles matching the filters; null while the search index is built.")


class FacetName(enum.StrEnum):
    """What facet counts and histogram series can be split by."""

    TAG = "tag"
    SOURCE = "source"
    LANGUAGE = "language"
    AUTHOR = "author"
    SECTION = "section"


class Interval(enum.StrEnum):
    """A histogram's calendar period; weeks start on Monday."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


class FacetValue(BaseModel):
    """One value of a facet and how many matching articles carry it."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"value": "NATO", "count": 7}]})

    value: str
    count: int = Field(ge=0)


class FacetCounts(BaseModel):
    """The most frequent values of each requested facet among the matching articles, most frequent first."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "total": {"value": 12, "relation": "eq"},
                    "facets": {"tag": [{"value": "NATO", "count": 7}], "language": [{"value": "en", "count": 12}]},
                }
            ]
        }
    )

    total: Total
    facets: dict[str, list[FacetValue]] = Field(
        description="Keyed by facet name: tag, source, language, author, section."
    )


class HistogramBucket(BaseModel):
    """One calendar period of a histogram."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"start": "2025-02-28T23:00:00Z", "end": "2025-03-31T22:00:00Z", "count": 3, "series": {"NATO": 2}}
            ]
        }
    )

    start: UTCDateTime = Field(description="Start of the calendar period in the requested time zone, as UTC.")
    end: UTCDateTime = Field(description="End (exclusive).")
    count: int = Field(ge=0)
    series: dict[str, int] = Field(
        default_factory=dict, description="With `split`: the count of each of the top values in this period."
    )


class Histogram(BaseModel):
    """Matching articles per calendar period of publication (a timeline)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "interval": "month",
                    "tz": "Europe/Paris",
                    "total": {"value": 3, "relation": "eq"},
                    "undated": 0,
                    "buckets": [
                        {
                            "start": "2025-02-28T23:00:00Z",
                            "end": "2025-03-31T22:00:00Z",
                            "count": 3,
                            "series": {"NATO": 2},
                        }
                    ],
                }
            ]
        }
    )

    interval: Interval
    tz: str
    total: Total
    undated: int = Field(ge=0, description="Matching articles with no publication date (in no bucket).")
    buckets: list[HistogramBucket]


class TagCount(BaseModel):
    """A tag and how many articles carry it."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"tag": "NATO", "count": 12}]})

    tag: str = Field(description="Display form.")
    count: int


class TagList(BaseModel):
    """Tags in use, most used first; pass `next_cursor` back as `cursor` for the next page."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [{"tag": "NATO", "count": 12}], "next_cursor": None}]}
    )

    items: list[TagCount]
    next_cursor: str | None = Field(description="Opaque; null on the last page.")


# Derived from the models, so a new article field is declared once, on its model. Server fields are what
# Broadsheet returns and owns: accepted in exported articles fed back in (JSON, NDJSON), then ignored.
CLIENT_FIELDS = frozenset(ArticleCreate.model_fields)
SERVER_FIELDS = frozenset(set(ArticleRead.model_fields) | set(ArticleListItem.model_fields)) - CLIENT_FIELDS


@dataclass(frozen=True, slots=True)
class PreparedArticle:
    """A validated article plus everything storage derives from it."""

    article: ArticleCreate
    original_url: str
    url_key: str
    source: str
    word_count: int
    content_hash: str
    # The tags' matching keys (domain.tag_key), in the tags' order: computed once, where the CPU is spare
    # (bulk ingest prepares in worker processes), not in the writer's transaction.
    tag_keys: tuple[str, ...]
