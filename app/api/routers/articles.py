"""/articles: list, search, read, look up by URL, create and delete."""

from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Query, Response, status
from starlette.convertors import IntegerConvertor, register_url_convertor

from app.api.deps import ArticleId, CurrentArticle, IndexDep, ReadSession, WriteGuard, WriterDep
from app.api.filters import SearchFiltersDep
from app.api.schemas import Force, IngestResponse, highlight, problem_responses, respond, stored_responses
from app.errors import InvalidInput, NotFound
from app.ingestion import service
from app.models import (
    ArticleCreate,
    ArticleField,
    ArticlePage,
    ArticleRead,
    FacetCounts,
    FacetName,
    Histogram,
    HttpUrlText,
    Interval,
    SelectedArticlePage,
)
from app.reader.urls import url_key
from app.storage import listing, pagination, repository
from app.storage.filters import ArticleFilters, Sort

router = APIRouter(prefix="/articles", tags=["articles"])


class _IdConvertor(IntegerConvertor):
    """Digits, like `:int`, but a number too long for any id becomes one past the range (a 422 from the
    id's bounds) instead of reaching int(), which refuses strings over 4,300 digits with a 500."""

    def convert(self, value: str) -> int:
        return int(value) if len(value) <= 20 else 2**63


register_url_convertor("id", _IdConvertor())


SortParam = Annotated[
    Sort | None,
    Query(
        description="`relevance` (the default with `q`), `newest` (the default otherwise) or `oldest`. "
        "Undated articles are placed by when Broadsheet first stored them."
    ),
]
LimitParam = Annotated[int, Query(ge=1, le=100, description="Page size.")]
CursorParam = Annotated[str | None, Query(max_length=512, description="`next_cursor` of the previous page.")]


@router.get(
    "",
    operation_id="list_articles",
    summary="List or search articles",
    response_model=ArticlePage,
    responses=problem_responses(422, 503),
)
def list_articles(
    session: ReadSession,
    index: IndexDep,
    filters: SearchFiltersDep,
    sort: SortParam = None,
    limit: LimitParam = 20,
    cursor: CursorParam = None,
) -> ArticlePage:
    """List articles newest first, filtered by tags, source, language, authors, section and dates, or searched
    with `q` (ranked by relevance, with snippets and title highlights). `total` counts every match."""
    return ArticlePage.model_validate(_page(session, index, filters, sort, limit, cursor), from_attributes=True)


@router.get(
    "/fields",
    operation_id="list_article_fields",
    summary="List or search articles, sending only the selected fields",
    response_model=SelectedArticlePage,
    response_model_exclude_unset=True,
    responses=problem_responses(422, 503),
)
def list_article_fields(
    session: ReadSession,
    index: IndexDep,
    filters: SearchFiltersDep,
    fields: Annotated[
        list[ArticleField],
        Query(min_length=1, description="Fields to send (repeat the parameter); `id` is always sent."),
    ],
    sort: SortParam = None,
    limit: LimitParam = 20,
    cursor: CursorParam = None,
) -> SelectedArticlePage:
    """`GET /articles` with the same filters, search, order and cursors, but each item carries only `id` and
    the `fields` named, for tables and dashboards that need a few fields of many articles. A separate
    operation so that `/articles` keeps every field required in its schema."""
    page = _page(session, index, filters, sort, limit, cursor)
    wanted = ["id", *dict.fromkeys(f.value for f in fields)]
    page["items"] = [{name: row.get(name) for name in wanted} for row in page["items"]]
    return SelectedArticlePage.model_validate(page, from_attributes=True)


def _page(
    session: ReadSession, index: IndexDep, filters: ArticleFilters, sort: Sort | None, limit: int, cursor: str | None
) -> dict[str, Any]:
    order = sort or (Sort.RELEVANCE if filters.query is not None else Sort.NEWEST)
    if order is Sort.RELEVANCE and filters.query is None:
        raise InvalidInput("sort=relevance needs a search query `q`")
    position = pagination.decode(cursor) if cursor else None
    page = listing.page(session, index, filters, sort=order, limit=limit, cursor=position)
    for row in page.rows:
        for name in ("snippet", "title_highlight"):
            if name in row:
                row[name] = highlight(row[name])
    return {
        "items": page.rows,
        "next_cursor": pagination.encode(page.next_cursor) if page.next_cursor else None,
        "total": page.total,
    }


@router.get(
    "/facets",
    operation_id="article_facets",
    summary="Facet counts for any filter or search",
    response_model=FacetCounts,
    responses=problem_responses(422, 503),
)
def article_facets(
    session: ReadSession,
    index: IndexDep,
    filters: SearchFiltersDep,
    facet: Annotated[
        list[FacetName], Query(min_length=1, max_length=5, description="Repeatable: which facets to count.")
    ],
    size: Annotated[int, Query(ge=1, le=1000, description="Values per facet, most frequent first.")] = 10,
) -> FacetCounts:
    """How the matching articles spread over tags, sources, languages, authors and sections (top `size` each)."""
    total, counts = listing.facets(session, index, filters, [f.value for f in dict.fromkeys(facet)], size=size)
    return FacetCounts.model_validate(
        {
            "total": total,
            "facets": {name: [{"value": v, "count": n} for v, n in values] for name, values in counts.items()},
        },
        from_attributes=True,
    )


@router.get(
    "/histogram",
    operation_id="article_histogram",
    summary="Articles per day, week, month or year",
    response_model=Histogram,
    responses=problem_responses(422, 503),
)
def article_histogram(
    session: ReadSession,
    index: IndexDep,
    filters: SearchFiltersDep,
    interval: Annotated[Interval, Query(description="Calendar period; weeks start on Monday.")] = Interval.DAY,
    tz: Annotated[str, Query(max_length=64, description="IANA time zone the periods follow.")] = "UTC",
    split: Annotated[FacetName | None, Query(description="Also count each of this facet's top values.")] = None,
    split_size: Annotated[int, Query(ge=1, le=20, description="How many top values `split` follows.")] = 5,
) -> Histogram:
    """A timeline of the matching articles by publication date, for any filter or search (GDELT-style)."""
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(f"unknown time zone {tz[:64]!r}; use an IANA name such as Europe/Paris") from exc
    buckets = listing.histogram(session, index, filters, interval=interval, tz=zone, split=split, split_size=split_size)
    return Histogram.model_validate(
        {
            "interval": interval,
            "tz": tz,
            "total": buckets.total,
            "undated": buckets.undated,
            "buckets": [
                {
                    "start": start,
                    "end": end,
                    "count": buckets.counts[i],
                    "series": {name: values[i] for name, values in buckets.series.items() if values[i]},
                }
                for i, (start, end) in enumerate(zip(buckets.edges, buckets.edges[1:], strict=False))
            ],
        },
        from_attributes=True,
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
