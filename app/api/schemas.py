"""Request and response shapes of the HTTP API that are not articles themselves."""

import html
from typing import Annotated, Any

from fastapi import Query, Response, status
from pydantic import BaseModel, Field

from app.domain import Outcome
from app.ingestion.service import IngestResult
from app.models import ArticleCreate, ArticleRead
from app.storage.search import MARK_CLOSE, MARK_OPEN

PROBLEM_JSON = "application/problem+json"


class Problem(BaseModel):
    """An RFC 9457 problem detail."""

    type: str = Field(
        description="URI naming the problem type; stable, one per `code`.",
        examples=["https://broadsheet.dev/problems/invalid-cursor"],
    )
    title: str = Field(examples=["Invalid cursor"])
    status: int = Field(examples=[422])
    detail: str = Field(examples=["the cursor is not one this API issued; start again without it"])
    code: str = Field(description="Machine-readable problem code.", examples=["invalid-cursor"])
    instance: str | None = Field(default=None, description="The request path.")
    errors: list[dict[str, Any]] | None = Field(default=None, description="Per-field validation errors.")


class IngestResponse(BaseModel):
    """The stored article and what storing it did."""

    outcome: Outcome = Field(
        description="created (201), updated or unchanged (200); `kept` only in feed and bulk results."
    )
    article: ArticleRead
    warnings: list[str] = Field(default_factory=list, description="What the parser could not find.")


class ExtractResponse(BaseModel):
    """A parsed article that was not stored."""

    article: ArticleCreate
    warnings: list[str] = Field(default_factory=list)


class FetchRequest(BaseModel):
    """A URL for the server to fetch through its guarded client."""

    model_config = {"extra": "forbid", "json_schema_extra": {"examples": [{"url": "https://example.com/news/story"}]}}

    url: str = Field(min_length=1, max_length=2048, description="An absolute http(s) URL on a public host.")


class FeedItem(BaseModel):
    """What happened to one feed entry: stored (outcome and id) or failed (error)."""

    url: str | None = Field(description="The entry's article URL (canonical when stored).")
    outcome: Outcome | None = Field(default=None, description="Absent when the entry failed.")
    article_id: int | None = None
    warnings: list[str] = Field(default_factory=list)
    error: str | None = Field(default=None, description="Why the entry was not stored.")


class FeedIngestResponse(BaseModel):
    """Counts and per-entry results of a feed ingest, in the feed's order."""

    created: int
    updated: int
    unchanged: int
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


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problem responses an operation can return."""
    descriptions = {
        401: "Missing or invalid API key.",
        404: "No such article.",
        413: "Body over the size limit.",
        415: "Unsupported document format.",
        403: "Server-side fetching is disabled.",
        409: "The stored article was kept: the new reading is worse (send force=true to replace it).",
        503: "The database stayed busy through every retry; nothing was written. Retry after Retry-After.",
        422: "Invalid parameters, body or document, or a URL the server must not fetch.",
        502: "The remote server failed or sent something that is not a document.",
        504: "The remote server did not answer in time.",
    }
    return {
        status: {"model": Problem, "description": descriptions[status], "content": {PROBLEM_JSON: {}}}
        for status in statuses
    }


def highlight(passage: str | None) -> str | None:
    """A search snippet as HTML: the text escaped, then the index's match markers turned into <mark> tags."""
    if not passage:
        return None
    return html.escape(passage, quote=False).replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>")
