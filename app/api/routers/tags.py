"""/tags: the tags in use, with how many articles carry each, for all articles or those matching a filter."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.api.deps import IndexDep, ReadSession
from app.api.filters import SearchFiltersDep
from app.api.schemas import problem_responses
from app.models import TagCount, TagList
from app.storage import listing, pagination

router = APIRouter(tags=["tags"])


@router.get(
    "/tags",
    operation_id="list_tags",
    summary="List tags with article counts",
    response_model=TagList,
    responses=problem_responses(422, 503),
)
def list_tags(
    session: ReadSession,
    index: IndexDep,
    filters: SearchFiltersDep,
    prefix: Annotated[str | None, Query(max_length=200, description="Only tags starting with this (any case).")] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Tags per page.")] = 100,
    cursor: Annotated[str | None, Query(max_length=512, description="`next_cursor` of the previous page.")] = None,
) -> TagList:
    """Tags with article counts, most used first (ties by name), counted over the articles that pass the
    filters; with `tag`, the tags that co-occur with it (the tag itself counts every matching article)."""
    after = pagination.decode_tags(cursor) if cursor else None
    counts, position = listing.tag_counts(session, index, filters, prefix=prefix, limit=limit, after=after)
    return TagList(
        items=[TagCount(tag=tag, count=count) for tag, count in counts],
        next_cursor=pagination.encode_tags(position) if position else None,
    )
