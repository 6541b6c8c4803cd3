"""Request and response shapes of the HTTP API that are not articles themselves."""

import html
from typing import Annotated, Any, Literal

from fastapi import Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from app.domain import Outcome
from app.ingestion.service import IngestResult
from app.models import EXAMPLE_READ, ArticleCreate, ArticleRead, HttpUrlText
from app.storage.search import MARK_CLOSE, MARK_OPEN

PROBLEM_JSON = "application/problem+json"


class FieldError(BaseModel):
    """One invalid part of a request, as pydantic reports it."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"loc": ["query", "limit"], "msg": "Input should be ...", "type": "int"}]}
    )

    loc: list[str | int] = Field(description="Where: `query`/`path`/`body` and then the field names.")
    msg: str = Field(description="What is wrong, for people.")
    type: str = Field(description="What is wrong, for programs (pydantic's error type).")


class Problem(BaseModel):
    """An RFC 9457 problem detail: the body of every error response, as application/problem+json."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "https://broadsheet.dev/problems/not-found",
                    "title": "Not found",
                    "status": 404,
                    "detail": "no article with id 7",
                    "code": "not-found",
                    "instance": "/articles/7",
                    "request_id": "3f2b9c0e6a7d4e1f",
                }
            ]
        }
    )

    type: str = Field(
        description="URI naming the problem type; stable, one per `code`.",
        examples=["https://broadsheet.dev/problems/invalid-cursor"],
    )
    title: str = Field(description="Short summary of the problem type.", examples=["Invalid cursor"])
    status: int = Field(description="The HTTP status code.", examples=[422])
    detail: str = Field(
        description="What went wrong with this request.",
        examples=["the cursor is not one this API issued; start again without it"],
    )
    code: str = Field(description='Machine-readable problem code; see README "Errors".', examples=["invalid-cursor"])
    instance: str = Field(description="The request path.", examples=["/articles"])
    errors: list[FieldError] | None = Field(default=None, description="Per-field errors (code validation-error).")
    request_id: str | None = Field(
        default=None, description="The X-Request-ID of the request, for finding it in the server's logs."
    )


class Health(BaseModel):
    """The process answers."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "ok"}]})

    status: Literal["ok"]


class Readiness(BaseModel):
    """Whether the database answers a query."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "ok", "database": "reachable"}]})

    status: Literal["ok", "unavailable"]
    database: Literal["reachable", "unreachable"]


class IngestResponse(BaseModel):
    """The stored article and what storing it did."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"outcome": "created", "article": EXAMPLE_READ, "warnings": []}]}
    )

    outcome: Outcome = Field(
        description="created (201), updated or unchanged (200); `kept` only in feed and bulk results."
    )
    article: ArticleRead
    warnings: list[str] = Field(default_factory=list, description="What the parser could not find.")


class ExtractResponse(BaseModel):
    """A parsed article that was not stored."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"article": {"url": "https://example.com/story", "title": "Headline"}}]}
    )

    article: ArticleCreate
    warnings: list[str] = Field(default_factory=list)


class FetchRequest(BaseModel):
    """A URL for the server to fetch through its guarded client."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"url": "https://example.com/news/story"}]}
    )

    url: HttpUrlText = Field(description="An absolute http(s) URL on a public host.")


class FeedItem(BaseModel):
    """What happened to one feed entry: stored (outcome and id) or failed (error)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"url": "https://example.com/story", "outcome": "created", "article_id": 1, "warnings": []}]
        }
    )

    url: str | None = Field(description="The entry's article URL (canonical when stored).")
    outcome: Outcome | None = Field(default=None, description="Absent when the entry failed.")
    article_id: int | None = None
    warnings: list[str] = Field(default_factory=list, description="What the parser could not find.")
    error: str | None = Field(default=None, description="Why the entry was not stored.")


class FeedIngestResponse(BaseModel):
    """Counts and per-entry results of a feed ingest, in the feed's order."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"created": 1, "updated": 0, "unchanged": 0, "kept": 0, "failed": 0, "items": []}]
        }
    )

    created: int = Field(description="Entries stored as new articles.")
    updated: int = Field(description="Entries that changed an article already stored.")
    unchanged: int = Field(description="Entries identical to what was stored.")
    kept: int = Field(description="Entries whose stored article was kept: the feed's reading of it was worse.")
    failed: int = Field(description="Entries not stored, including entries past the per-feed limit (500).")
    items: list[FeedItem]


Force = Annotated[
    bool,
    Query(
        description="Replace the stored article even when the new reading is worse (no body, or under a "
        "fifth of the stored words); without it such a write answers 409 and changes nothing."
    ),
]


def respond(result: IngestResult, response: Response) -> IngestResponse:
    """201 with Location for a new article, 200 otherwise; the body is the article as committed."""
    assert result.stored is not None
    if result.outcome is Outcome.CREATED:
        response.status_code = status.HTTP_201_CREATED
        response.headers["Location"] = f"/articles/{result.article_id}"
    else:
        response.status_code = status.HTTP_200_OK
    return IngestResponse(outcome=result.outcome, article=result.stored, warnings=list(result.warnings))


def stored_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries of a write that answers 201 when it creates and 200 when it leaves or updates."""
    return {
        200: {"model": IngestResponse, "description": "Unchanged or updated in place."},
        **problem_responses(*statuses),
    }


PROBLEM_DESCRIPTIONS = {
    400: "The body is not well-formed JSON (code `malformed-json`).",
    401: "Missing or invalid API key (code `unauthorized`).",
    403: "Server-side fetching is disabled (code `fetch-disabled`).",
    404: "No such article (code `not-found`).",
    409: "The stored article was kept: the new reading is worse (send force=true to replace it; code `worse-reading`).",
    413: "Body over the size limit (code `payload-too-large`).",
    415: "Unsupported document format or media type (code `unsupported-format`).",
    422: "Invalid parameters, body or document, or a URL the server must not fetch.",
    500: "The server failed; the body carries a `request_id` to find it in the logs (code `internal-error`).",
    502: "The remote server failed or sent something that is not a document (code `fetch-failed`).",
    503: "The database stayed busy through every retry; nothing was written. Retry after Retry-After (code `busy`).",
    504: "The remote server did not answer in time (code `fetch-timeout`).",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for problem responses: a Problem body, only ever as application/problem+json."""
    return {status: problem_response(status) for status in statuses}


def problem_response(status: int) -> dict[str, Any]:
    schema = {"$ref": "#/components/schemas/Problem"}
    return {"description": PROBLEM_DESCRIPTIONS[status], "content": {PROBLEM_JSON: {"schema": schema}}}


def highlight(passage: str | None) -> str | None:
    """A search snippet as HTML: the text escaped, then the index's match markers turned into <mark> tags."""
    if not passage:
        return None
    return html.escape(passage, quote=False).replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>")
