"""Request and response shapes of the HTTP API that are not articles themselves."""

from typing import Any

from pydantic import BaseModel, Field

from app.models import ArticleCreate, ArticleRead
from app.storage.repository import Outcome

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

    outcome: Outcome = Field(description="created (201), updated or unchanged (200).")
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
    failed: int
    items: list[FeedItem]


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
        422: "Invalid parameters, body or document, or a URL the server must not fetch.",
        502: "The remote server failed or sent something that is not a document.",
        504: "The remote server did not answer in time.",
    }
    return {
        status: {"model": Problem, "description": descriptions[status], "content": {PROBLEM_JSON: {}}}
        for status in statuses
    }
