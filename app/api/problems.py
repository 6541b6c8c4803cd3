"""The one place errors become RFC 9457 application/problem+json responses."""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.api.schemas import PROBLEM_JSON
from app.errors import BroadsheetError

log = logging.getLogger(__name__)
TYPE_BASE = "https://broadsheet.dev/problems/"
_HTTP_CODES = {
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    408: ("request-timeout", "Request timeout"),
    413: ("payload-too-large", "Payload too large"),
}


def problem(
    request: Request,
    *,
    status: int,
    code: str,
    title: str,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": TYPE_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "instance": request.url.path,
    }
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def install(app: FastAPI) -> None:
    """Register the handlers; no traceback, SQL or path ever reaches a client."""

    @app.exception_handler(BroadsheetError)
    async def domain_error(request: Request, exc: BroadsheetError) -> JSONResponse:
        # 503 says when to come back (RFC 9110 §10.2.3): the retries behind it already took a moment.
        headers = {"Retry-After": "1"} if exc.status == 503 else None
        return problem(request, status=exc.status, code=exc.code, title=exc.title, detail=exc.detail, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
        first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
        where = ".".join(str(p) for p in first["loc"])
        return problem(
            request,
            status=422,
            code="validation-error",
            title="Invalid request",
            detail=f"{where}: {first['msg']}" if where else str(first["msg"]),
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, title = _HTTP_CODES.get(exc.status_code, (f"http-{exc.status_code}", "HTTP error"))
        return problem(
            request,
            status=exc.status_code,
            code=code,
            title=title,
            detail=str(exc.detail),
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", extra={"path": request.url.path})
        return problem(
            request,
            status=500,
            code="internal-error",
            title="Internal error",
            detail="the server failed to handle this request; it has been logged",
        )
