"""/ingest and /extract: raw documents in, parsed articles out (stored, or not)."""

from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool

from app.api.deps import FetcherDep, ParsersDep, WriteGuard, WriterDep
from app.api.schemas import (
    ExtractResponse,
    FeedIngestResponse,
    FeedItem,
    FetchRequest,
    Force,
    IngestResponse,
    problem_responses,
    respond,
    stored_responses,
)
from app.domain import Hints
from app.errors import UnsupportedFormat
from app.ingestion import service
from app.models import HttpUrlText
from app.reader import pipeline

router = APIRouter(tags=["ingestion"])

ACCEPTED_TYPES = (
    "text/html",
    "application/xhtml+xml",
    "text/plain",
    "application/json",
    "application/ld+json",
    "application/octet-stream",
)
# The documented body is raw bytes as application/octet-stream, whose format is recognised from the bytes:
# every SDK generator accepts it (openapi-python-client skips text/* bodies). The other ACCEPTED_TYPES work
# the same way and are named in the description; JSON articles have their own typed operation, POST /articles.
_RAW = {"type": "string", "format": "binary"}
_DOCUMENT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The raw document, up to the configured size limit (BROADSHEET_MAX_BODY_BYTES): an HTML "
        "page, a flattened text dump or a JSON article. Any bytes may be sent as application/octet-stream (the "
        "format is recognised from the bytes); text/html, application/xhtml+xml, text/plain and "
        "application/ld+json are accepted too. An empty document is a 422.",
        "content": {
            "application/octet-stream": {
                "schema": _RAW,
                "example": "https://example.com/story\nHeadline\nSite\nBody paragraph one.",
            },
        },
    }
}
FEED_TYPES = (
    "application/octet-stream",
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
    "application/feed+json",
    "application/json",
)
_FEED_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "An RSS, Atom or JSON Feed document, up to the configured size limit. Any feed may be sent "
        "as application/octet-stream (recognised from the bytes); application/rss+xml, application/atom+xml, "
        "application/rdf+xml, application/xml, text/xml, application/feed+json and application/json are accepted too.",
        "content": {
            "application/octet-stream": {
                "schema": _RAW,
                "example": '<rss version="2.0"><channel><title>News</title></channel></rss>',
            },
        },
    }
}
UrlHint = Annotated[
    HttpUrlText | None,
    Query(description="The document's absolute http(s) URL, when it does not carry one."),
]


async def _document(request: Request, url: str | None) -> tuple[bytes, Hints]:
    # Content-Type is read here rather than declared as a parameter: it is the body's media type, which the
    # document states per body, not an argument SDK users should pass by hand.
    content_type = request.headers.get("content-type")
    media = (content_type or "").split(";")[0].strip().lower()
    if media and media not in ACCEPTED_TYPES:
        if media in FEED_TYPES:
            raise UnsupportedFormat(f"{media} is a feed type; send feeds to POST /ingest/feed")
        raise UnsupportedFormat(f"content type {media!r} is not accepted; send one of {', '.join(ACCEPTED_TYPES)}")
    return await request.body(), Hints(content_type=content_type, url=url)


@router.post(
    "/ingest",
    operation_id="ingest_document",
    summary="Ingest a raw document",
    response_model=IngestResponse,
    status_code=status.HTTP_201_CREATED,
    dependencies=[WriteGuard],
    openapi_extra=_DOCUMENT_BODY,
    responses=stored_responses(401, 409, 413, 415, 422, 503),
)
async def ingest_document(
    request: Request,
    writer: WriterDep,
    response: Response,
    parsers: ParsersDep,
    url: UrlHint = None,
    force: Force = False,
) -> IngestResponse:
    """Parse a raw document (HTML page, flattened text dump, or JSON) and store it by canonical URL."""
    data, hints = await _document(request, url)
    # The flows are synchronous (parsing, fetching, the database): off the event loop, as FastAPI runs def handlers.
    result = await run_in_threadpool(service.ingest_document, writer, parsers, data, hints, force=force)
    return respond(result, response)


@router.post(
    "/extract",
    operation_id="extract_document",
    summary="Parse a raw document without storing it",
    response_model=ExtractResponse,
    dependencies=[WriteGuard],
    openapi_extra=_DOCUMENT_BODY,
    responses=problem_responses(401, 413, 415, 422),
)
async def extract_document(
    request: Request,
    parsers: ParsersDep,
    url: UrlHint = None,
) -> ExtractResponse:
    """Parse a raw document and return the article without storing it.

    Parsing costs up to the parse time limit of server CPU, so it takes the write key when keys are set.
    """
    data, hints = await _document(request, url)
    parsed = await run_in_threadpool(parsers.parse, data, hints)
    return ExtractResponse(article=parsed.article, warnings=list(parsed.warnings))


@router.post(
    "/ingest/url",
    operation_id="ingest_url",
    summary="Fetch and ingest a page by URL",
    response_model=IngestResponse,
    status_code=status.HTTP_201_CREATED,
    dependencies=[WriteGuard],
    responses=stored_responses(401, 403, 409, 413, 415, 422, 502, 503, 504),
)
async def ingest_url(
    body: FetchRequest,
    writer: WriterDep,
    response: Response,
    fetcher: FetcherDep,
    parsers: ParsersDep,
    force: Force = False,
) -> IngestResponse:
    """Fetch an article page through the guarded client (public hosts, ports 80/443, robots.txt) and store it.

    The address it was fetched from is kept as `original_url`; the page's canonical URL (same site) is its key.
    """
    result = await run_in_threadpool(service.ingest_url, writer, parsers, fetcher, body.url, force=force)
    return respond(result, response)


@router.post(
    "/ingest/feed",
    operation_id="ingest_feed",
    summary="Ingest every entry of a feed document",
    response_model=FeedIngestResponse,
    dependencies=[WriteGuard],
    openapi_extra=_FEED_BODY,
    responses=problem_responses(401, 413, 415, 422, 503),
)
async def ingest_feed(
    request: Request,
    writer: WriterDep,
    fetcher: FetcherDep,
    parsers: ParsersDep,
    fetch_links: Annotated[
        bool, Query(description="Fetch the linked page of entries that carry only a summary (at most 20).")
    ] = True,
) -> FeedIngestResponse:
    """Store every entry of an RSS 0.9x/1.0/2.0, Atom or JSON Feed document, each in its own savepoint."""
    content_type = request.headers.get("content-type")
    media = (content_type or "").split(";")[0].strip().lower()
    if media and media not in FEED_TYPES:
        raise UnsupportedFormat(f"content type {media!r} is not a feed type; send one of {', '.join(FEED_TYPES)}")
    data, hints = await request.body(), Hints(content_type=content_type)
    links = fetcher if fetch_links else None
    return _feed_response(await run_in_threadpool(service.ingest_feed, writer, parsers, data, hints, fetcher=links))


@router.post(
    "/ingest/feed/url",
    operation_id="ingest_feed_url",
    summary="Fetch and ingest a feed by URL",
    response_model=FeedIngestResponse,
    dependencies=[WriteGuard],
    responses=problem_responses(401, 403, 415, 422, 502, 503, 504),
)
async def ingest_feed_url(
    body: FetchRequest,
    writer: WriterDep,
    fetcher: FetcherDep,
    parsers: ParsersDep,
    fetch_links: Annotated[bool, Query(description="Fetch linked pages of summary-only entries (at most 20).")] = True,
) -> FeedIngestResponse:
    """Fetch a feed through the guarded client and store every entry."""
    flow = service.ingest_feed_url
    return _feed_response(await run_in_threadpool(flow, writer, parsers, fetcher, body.url, fetch_links=fetch_links))


def _feed_response(results: list[service.IngestResult | pipeline.Failed]) -> FeedIngestResponse:
    counts = Counter(r.outcome.value if isinstance(r, service.IngestResult) else "failed" for r in results)
    return FeedIngestResponse(
        created=counts["created"],
        updated=counts["updated"],
        unchanged=counts["unchanged"],
        kept=counts["kept"],
        failed=counts["failed"],
        items=[
            FeedItem(url=r.article.url, outcome=r.outcome, article_id=r.article_id, warnings=list(r.warnings))
            if isinstance(r, service.IngestResult)
            else FeedItem(url=r.name, error=r.reason)
            for r in results
        ],
    )
