"""/changes: the change log, for clients that keep a copy of the archive in sync."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from app.api.deps import ReadSession
from app.api.schemas import problem_responses
from app.models import UTCDateTime
from app.storage import changes

router = APIRouter(tags=["changes"])


class Change(BaseModel):
    """One committed change of an article."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [{"seq": 42, "article_id": 7, "kind": "upsert", "changed_at": "2026-11-29T08:15:00Z"}]
        },
    )

    seq: int = Field(description="Position in the log; strictly increasing in commit order.")
    article_id: int
    kind: Literal["upsert", "delete"] = Field(
        description="upsert: created or updated, GET the article for its content; delete: it is gone."
    )
    changed_at: UTCDateTime = Field(description="When the change was committed, in UTC.")


class ChangePage(BaseModel):
    """Changes after a position, oldest first."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [{"seq": 42, "article_id": 7, "kind": "upsert", "changed_at": "2026-11-29T08:15:00Z"}],
                    "next_after": 42,
                }
            ]
        }
    )

    items: list[Change]
    next_after: int = Field(description="Pass back as `after` to continue; unchanged when nothing is new.")


@router.get(
    "/changes",
    operation_id="list_changes",
    summary="Read the change log from a position",
    response_model=ChangePage,
    responses=problem_responses(422),
)
def list_changes(
    session: ReadSession,
    after: Annotated[
        int, Query(ge=0, le=2**63 - 1, description="`next_after` of the previous call; 0 from the start.")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=1000, description="Changes per call.")] = 100,
) -> ChangePage:
    """Every create, update and delete in commit order, resumable: poll with the last `next_after`."""
    items = [Change.model_validate(row) for row in changes.after(session, after, limit=limit)]
    return ChangePage(items=items, next_after=items[-1].seq if items else after)
