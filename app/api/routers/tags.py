"""/tags: the tags in use, with how many articles carry each."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.api.deps import ReadSession
from app.api.schemas import problem_responses
from app.models import TagCount, TagList
from app.storage import repository

router = APIRouter(tags=["tags"])


@router.get(
    "/tags",
    operation_id="list_tags",
    summary="List tags with article counts",
    response_model=TagList,
    responses=problem_responses(422),
)
def list_tags(
    session: ReadSession,
    prefix: Annotated[str | None, Query(max_length=200, description="Only tags starting with this (any case).")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> TagList:
    """Tags with article counts, most used first."""
    counts = repository.tag_counts(session, prefix=prefix, limit=limit)
    return TagList(items=[TagCount(tag=tag, count=count) for tag, count in counts])
