"""/articles/export.ndjson and /articles/feed.atom: every article matching a filter, as a file or a feed.

Both paths are literal, and `/articles/{id}` routes digits only, so neither can be taken for an article id.
Each is served in its own media type, or as application/octet-stream to a client that asks only for that:
SDK generators read bytes for that type and refuse the others (openapi-python-client warns on them).
"""

from typing import Annotated, Any
from urllib.parse import unquote_plus

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from app.api import atom, export
from app.api.deps import IndexDep, ReadSession
from app.api.filters import SearchFiltersDep
from app.api.http import is_head
from app.api.schemas import problem_responses
from app.storage import listing
from app.storage.filters import Sort

router = APIRouter(prefix="/articles", tags=["articles"])
OCTET_STREAM = "application/octet-stream"
_BYTES = {"schema": {"type": "string", "format": "binary"}}


def _ok(description: str, media_type: str, schema: dict[str, Any]) -> dict[int | str, dict[str, Any]]:
    # The routes' response classes are the plain ones, without a media type: given one, FastAPI merges its own
    # `type: string` into the schema declared here, and the export's line schema would read as a string.
    content = {media_type: {"schema": schema}, OCTET_STREAM: _BYTES}
    return {200: {"description": description, "content": content}, **problem_responses(422)}


def _negotiated(request: Request, media_type: str) -> str:
    """`media_type`, unless the client accepts octet-stream and not it (what generated clients may send)."""
    accept = request.headers.get("accept", "")
    return OCTET_STREAM if OCTET_STREAM in accept and media_type not in accept else media_type


@router.get(
    "/export.ndjson",
    operation_id="export_articles",
    summary="Export matching articles as NDJSON",
    response_class=StreamingResponse,
    responses=_ok(
        "Every matching article newest first, bodies included: one `ArticleExport` JSON object per line "
        "(the schema is that of one line). `broadsheet ingest file.ndjson` stores them again.",
        export.NDJSON,
        {"$ref": "#/components/schemas/ArticleExport"},
    ),
)
def export_articles(request: Request, index: IndexDep, filters: SearchFiltersDep) -> StreamingResponse:
    """Stream every article matching the filters or search of GET /articles, read in keyset batches (any size)."""
    media_type = _negotiated(request, export.NDJSON)
    # HEAD gets GET's headers without the export being read (it would be streamed whole, then dropped).
    sessions = request.app.state.read_sessions
    lines = iter(()) if is_head(request) else export.ndjson_lines(sessions, index, filters)
    # GZipMiddleware's own test of Accept-Encoding, so this route encodes exactly when the others do.
    if "gzip" not in request.headers.get("accept-encoding", ""):
        return StreamingResponse(lines, media_type=media_type)
    headers = {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
    return StreamingResponse(export.gzipped(lines), media_type=media_type, headers=headers)


@router.get(
    "/feed.atom",
    operation_id="get_atom_feed",
    summary="Atom feed of matching articles",
    response_class=Response,
    responses=_ok(
        "The newest matching articles as an Atom 1.0 feed: title, link, authors, tags as categories, summary.",
        atom.ATOM,
        {"type": "string", "description": "An Atom 1.0 (RFC 4287) feed document."},
    ),
)
def get_atom_feed(
    request: Request,
    session: ReadSession,
    index: IndexDep,
    filters: SearchFiltersDep,
    limit: Annotated[int, Query(ge=1, le=200, description="Entries in the feed.")] = 50,
) -> Response:
    """The newest articles matching the filters or search of GET /articles as an Atom feed, for feed readers."""
    page = listing.page(session, index, filters, sort=Sort.NEWEST, limit=limit, cursor=None)
    query = unquote_plus(request.url.query)
    title = f"Broadsheet: {query}" if query else "Broadsheet"
    body = atom.render_feed(page.rows, title=title, self_url=str(request.url))
    return Response(body, media_type=_negotiated(request, atom.ATOM))
