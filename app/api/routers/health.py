"""Liveness and readiness probes for orchestrators."""

from fastapi import APIRouter, Request, Response
from sqlalchemy.exc import SQLAlchemyError

from app.api.schemas import Health, Readiness
from app.storage import repository
from app.storage.db import read_session

router = APIRouter(tags=["health"])


@router.get("/healthz", operation_id="get_health", summary="Liveness", response_model=Health)
def get_health() -> Health:
    """The process is alive."""
    return Health(status="ok")


@router.get(
    "/readyz",
    operation_id="get_readiness",
    summary="Readiness",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "Database unreachable."}},
)
def get_readiness(request: Request, response: Response) -> Readiness:
    """The database answers a query."""
    try:
        with read_session(request.app.state.read_sessions) as session:
            repository.is_reachable(session)
    except SQLAlchemyError:
        response.status_code = 503
        return Readiness(status="unavailable", database="unreachable")
    return Readiness(status="ok", database="reachable")
