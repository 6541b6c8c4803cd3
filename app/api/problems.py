"""The one place errors become RFC 9457 application/problem+json responses."""

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope

from app.api.http import REQUEST_ID_HEADER, allowed_methods
from app.api.schemas import PROBLEM_JSON
from app.errors import BroadsheetError
from app.logs import request_id

TYPE_BASE = "https://broadsheet.dev/problems/"
# Statuses raised by the framework (routing, body reading), with the stable codes the README lists.
_HTTP_CODES = {
    400: ("malformed-json", "Malformed request body"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    408: ("request-timeout", "Request timeout"),
    413: ("payload-too-large", "Payload too large"),
    500: ("internal-error", "Internal error"),
}
_DETAILS = {
    404: "no such resource",
    500: "the server failed to handle this request; it has been logged with the request id",
}


def problem_body(
    path: str, *, status: int, code: str, title: str, detail: str, errors: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": TYPE_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "instance": path,
    }
    if errors is not None:
        body["errors"] = errors
    rid = request_id.get()
    if rid is not None:
        body["request_id"] = rid
    return body


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
    body = problem_body(request.url.path, status=status, code=code, title=title, detail=detail, errors=errors)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def render_status(scope: Scope, status: int) -> tuple[dict[str, str], bytes]:
    """A framework-status problem as raw headers and body, for middleware that answers before routing."""
    code, title = _HTTP_CODES[status]
    body = problem_body(scope["path"], status=status, code=code, title=title, detail=_DETAILS[status])
    data = json.dumps(body).encode()
    headers = {"Content-Type": PROBLEM_JSON, "Content-Length": str(len(data))}
    rid = request_id.get()
    if rid is not None:
        headers[REQUEST_ID_HEADER] = rid
    return headers, data


def install(app: FastAPI) -> None:
    """Register the handlers; no traceback, SQL or path ever reaches a client.

    Unexpected exceptions are caught (and logged once) by app.api.http.HttpConventions, not here: an
    exception handler for Exception would let Starlette log the same failure a second time.
    """

    @app.exception_handler(BroadsheetError)
    async def domain_error(request: Request, exc: BroadsheetError) -> JSONResponse:
        # 503 says when to come back (RFC 9110 §10.2.3): the retries behind it already took a moment.
        headers = {"Retry-After": "1"} if exc.status == 503 else None
        return problem(request, status=exc.status, code=exc.code, title=exc.title, detail=exc.detail, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
        if any(e["type"] == "json_invalid" for e in errors):
            # Not JSON at all is a syntax error of the request (400), not a value we could not accept (422).
            return problem(
                request, status=400, code="malformed-json", title="Malformed request body", detail=errors[0]["msg"]
            )
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
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            # Starlette names only the first route that matched the path; list every method it takes.
            headers["Allow"] = ", ".join(allowed_methods(request.app.routes, request.scope))
        return problem(request, status=exc.status_code, code=code, title=title, detail=str(exc.detail), headers=headers)
