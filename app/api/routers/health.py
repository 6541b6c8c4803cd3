"""Liveness and readiness probes for orchestrators."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from app.storage import repository
from app.storage.db import read_session

router = APIRouter(tags=["health"])


@router.get("/healthz", operation_id="get_health")
def get_health() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


@router.get("/readyz", operation_id="get_readiness", responses={503: {"description": "Database unreachable."}})
def get_readiness(request: Request) -> JSONResponse:
    """The database answers a query."""
    try:
        with read_session(request.app.state.read_sessions) as session:
            repository.is_reachable(session)
    except SQLAlchemyError:
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "reachable"})
