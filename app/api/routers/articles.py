"""/articles: list, search, read, look up by URL, create and delete."""

from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from starlette.convertors import IntegerConvertor, register_url_convertor

from app.api.deps import ArticleId, CurrentArticle, ReadSession, SearchDep, SettingsDep, WriteGuard, WriterDep
from app.api.schemas import Force, IngestResponse, highlight, problem_responses, respond, stored_responses
from app.errors import InvalidCursor, NotFound
from app.ingestion import service
from app.models import ArticleCreate, ArticlePage, ArticleRead, HttpUrlText, QueryInstant
from app.reader.urls import url_key
from app.storage import pagination, repository
from app.storage.pagination import OffsetCursor
from app.storage.search.query import parse_query

router = APIRouter(prefix="/articles", tags=["articles"])


class _IdConvertor(IntegerConvertor):
    """Digits, like `:int`, but a number too long for any id becomes one past the range (a 422 from the
    id's bounds) instead of reaching int(), which refuses strings over 4,300 digits with a 500."""

    def convert(self, value: str) -> int:
        return int(value) if len(value) <= 20 else 2**63


register_url_convertor("id", _IdConvertor())


@router.get(
    "",
    operation_id="list_articles",
    summary="List or search articles",
    response_model=ArticlePage,
    responses=problem_responses(422),
)
def list_articles(
    session: ReadSession,
    settings: SettingsDep,
    search: SearchDep,
    tag: Annotated[
        list[str],
        Query(max_length=20, description="Repeatable; every tag must match (case-insensitive).", examples=["nato"]),
    ] = [],  # noqa: B006 - FastAPI copies defaults
    any_tag: Annotated[list[str], Query(max_length=20, description="Repeatable; at least one must match.")] = [],  # noqa: B006
    exclude_tag: Annotated[list[str], Query(max_length=20, description="Repeatable; none may match.")] = [],  # noqa: B006
    source: Annotated[str | None, Query(max_length=255, description="Publishing host, e.g. sputnikglobe.com.")] = None,
    language: Annotated[str | None, Query(pattern="^[A-Za-z]{2}$", description="ISO 639-1 code.")] = None,
    published_after: Annotated[QueryInstant | None, Query(description="Inclusive; ISO 8601, UTC if no offset.")] = None,
    published_before: Annotated[
        QueryInstant | None, Query(description="Exclusive; ISO 8601, UTC if no offset.")
    ] = None,
    q: Annotated[
        str | None,
        Query(
            # maxLength and the term limit are the server's settings, written into the document by
            # app.api.openapi (BROADSHEET_MAX_QUERY_CHARS, BROADSHEET_MAX_QUERY_TERMS).
            description=(
                'Full-text search: words (all must match), "quoted phrases", OR between terms, -exclusion. '
                "Results are ranked by relevance and carry a snippet."
            ),
            examples=["coalition willing"],
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Page size.")] = 20,
    cursor: Annotated[str | None, Query(max_length=512, description="`next_cursor` of the previous page.")] = None,
) -> ArticlePage:
    """List articles newest first, filtered by tags, source, language and dates, or searched with `q`."""
    query = parse_query(q, max_chars=settings.max_query_chars, max_terms=settings.max_query_terms) if q else None
    position = pagination.decode(cursor) if cursor else None
    if position is not None and isinstance(position, OffsetCursor) != (query is not None):
        raise InvalidCursor("this cursor belongs to a different kind of listing; start again without it")
    filters = repository.ArticleFilters(
        tags=tag,
        any_tags=any_tag,
        exclude_tags=exclude_tag,
        source=source.strip().lower().removeprefix("www.") if source else None,
        language=language.lower() if language else None,
        published_after=published_after,
        published_before=published_before,
        query=query,
    )
    page = repository.list_articles(session, filters, limit=limit, cursor=position, search=search)
    for row in page.rows:
        if "snippet" in row:
            row["snippet"] = highlight(row["snippet"])
    return ArticlePage.model_validate(
        {
            "items": page.rows,
            "next_cursor": pagination.encode(page.next_cursor) if page.next_cursor else None,
        }
    )


@router.get(
    "/lookup",
    operation_id="lookup_article",
    summary="Find an article by URL",
    response_model=ArticleRead,
    responses=problem_responses(404, 422),
)
def lookup_article(
    session: ReadSession,
    url: Annotated[HttpUrlText, Query(description="Any variant of the article's absolute http(s) URL.")],
) -> ArticleRead:
    """Find the article for a URL: scheme, www., trailing slash, fragment and tracking parameters are ignored."""
    article = repository.find_by_url_key(session, url_key(url))
    if article is None:
        raise NotFound("no article has this URL")
    return ArticleRead.model_validate(article)


@router.get(
    # `:id` routes only digits here, so /articles/lookup with another method is a 405, not an id error.
    "/{article_id:id}",
    operation_id="get_article",
    summary="Get an article",
    response_model=ArticleRead,
    responses=problem_responses(404, 422),
)
def get_article(article: CurrentArticle) -> ArticleRead:
    """The full article, body included."""
    return ArticleRead.model_validate(article)


@router.delete(
    "/{article_id:id}",
    operation_id="delete_article",
    summary="Delete an article",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[WriteGuard],
    responses=problem_responses(401, 404, 422, 503),
)
def delete_article(writer: WriterDep, article_id: ArticleId) -> Response:
    """Delete an article and its search entry; committed before the 204 is sent."""
    service.delete_article(writer, article_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "",
    operation_id="create_article",
    summary="Create or update an article from JSON",
    response_model=IngestResponse,
    status_code=status.HTTP_201_CREATED,
    dependencies=[WriteGuard],
    responses=stored_responses(401, 409, 413, 422, 503),
)
def create_article(
    writer: WriterDep, article: ArticleCreate, response: Response, force: Force = False
) -> IngestResponse:
    """Store an article given as JSON; the same URL again updates it in place (same id)."""
    return respond(service.store_article(writer, article, force=force), response)
