"""/ingest and /extract: raw documents in, parsed articles out (stored, or not)."""

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from app.api.deps import WriteGuard, WriteSession
from app.api.routers.articles import respond
from app.api.schemas import ExtractResponse, IngestResponse, problem_responses, stored_responses
from app.domain import Hints
from app.errors import UnsupportedFormat
from app.ingestion import service

router = APIRouter(tags=["ingestion"])

ACCEPTED_TYPES = (
    "text/html",
    "application/xhtml+xml",
    "text/plain",
    "application/json",
    "application/ld+json",
    "application/octet-stream",
)
_DOCUMENT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The raw document, up to the configured size limit (BROADSHEET_MAX_BODY_BYTES).",
        "content": {
            "text/html": {"schema": {"type": "string"}},
            "text/plain": {
                "schema": {"type": "string"},
                "example": "https://example.com/story\nHeadline\nSite\nBody paragraph one.",
            },
            "application/json": {"schema": {"type": "object"}},
        },
    }
}
UrlHint = Annotated[str | None, Query(max_length=2048, description="The document's URL, when it does not carry one.")]


async def _document(request: Request, content_type: str | None) -> tuple[bytes, Hints]:
    media = (content_type or "").split(";")[0].strip().lower()
    if media and media not in ACCEPTED_TYPES:
        raise UnsupportedFormat(f"content type {media!r} is not accepted; send one of {', '.join(ACCEPTED_TYPES)}")
    return await request.body(), Hints(content_type=content_type, url=request.query_params.get("url"))


@router.post(
    "/ingest",
    operation_id="ingest_document",
    response_model=IngestResponse,
    status_code=status.HTTP_201_CREATED,
    dependencies=[WriteGuard],
    openapi_extra=_DOCUMENT_BODY,
    responses=stored_responses(401, 413, 415, 422),
)
async def ingest_document(
    request: Request,
    session: WriteSession,
    response: Response,
    url: UrlHint = None,
    content_type: Annotated[str | None, Header()] = None,
) -> IngestResponse:
    """Parse a raw document (HTML page, flattened text dump, or JSON) and store it by canonical URL."""
    data, hints = await _document(request, content_type)
    # Parsing and the database are synchronous: keep them off the event loop, as FastAPI does for def handlers.
    return await run_in_threadpool(_ingest, session, data, hints, response)


def _ingest(session: Session, data: bytes, hints: Hints, response: Response) -> IngestResponse:
    return respond(session, service.ingest(session, data, hints=hints), response)


@router.post(
    "/extract",
    operation_id="extract_document",
    response_model=ExtractResponse,
    openapi_extra=_DOCUMENT_BODY,
    responses=problem_responses(413, 415, 422),
)
async def extract_document(
    request: Request, url: UrlHint = None, content_type: Annotated[str | None, Header()] = None
) -> ExtractResponse:
    """Parse a raw document and return the article without storing it."""
    data, hints = await _document(request, content_type)
    article, warnings = await run_in_threadpool(service.extract, data, hints=hints)
    return ExtractResponse(article=article, warnings=list(warnings))
