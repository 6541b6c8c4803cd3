"""HTTP conventions the handlers should not each re-implement (RFC 9110, RFC 9111).

HttpConventions gives every request an id (X-Request-ID, echoed, put in problem bodies and logs), answers
OPTIONS for every path, renders an unexpected exception as one 500 with one log line, and adds Cache-Control
and strong ETags (If-None-Match → 304) to the read routes named below. AnswerHead, outermost, serves HEAD
as GET without the body, so its headers (gzip included) are the GET's.
"""

import hashlib
import logging
import re
import uuid
from collections.abc import Callable
from typing import Any, get_args, get_origin

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.datastructures import Headers, MutableHeaders
from starlette.routing import BaseRoute, Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.logs import request_id

log = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-Request-ID"
# What a client may send as its own id: short and printable, so it is safe in logs and headers.
_CLIENT_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

# Cache-Control by operation: everything readable is revalidated on each use (cheap with the ETag: a 304),
# never reused blind, so a cache never shows an article after its DELETE was acknowledged; probes never cached.
CACHE_POLICIES = {
    "get_article": "no-cache",
    "lookup_article": "no-cache",
    "list_articles": "no-cache",
    "list_tags": "no-cache",
    "list_changes": "no-cache",
    "export_articles": "no-cache",
    "get_atom_feed": "no-cache",
    "get_health": "no-store",
    "get_readiness": "no-store",
}
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# Not the export: it streams, and a validator would need the whole body first.
ETAG_OPERATIONS = frozenset(
    {"get_article", "lookup_article", "list_articles", "list_tags", "list_changes", "get_atom_feed"}
)
# GZipMiddleware compresses after us: the compressed representation gets its own tag (RFC 9110 8.8.3),
# as Apache's mod_deflate does it; a tag with the suffix still validates the identity body's hash.
GZIP_ETAG_SUFFIX = "-gzip"

# (scope, status) -> (headers, body) of a problem response; problems.py renders it, so there is one format.
ProblemRenderer = Callable[[Scope, int], tuple[dict[str, str], bytes]]


def allowed_methods(routes: list[BaseRoute], scope: Scope) -> list[str]:
    """Every method some route takes on this path, with HEAD beside GET and OPTIONS always (RFC 9110 10.2.1).

    Asked of the routes themselves (does this method fully match?), which works for routes of included
    routers as well as for plain ones.
    """
    endpoints = [route for route in routes if not isinstance(route, Mount)]
    methods = {
        method
        for method in _METHODS
        if any(route.matches({**scope, "method": method})[0] is Match.FULL for route in endpoints)
    }
    if not methods:
        return []
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods | {"OPTIONS"})


class HttpConventions:
    """Request ids, HEAD, OPTIONS, one 500 per failure, ETag and Cache-Control."""

    def __init__(self, app: ASGIApp, *, routes: list[BaseRoute], render_problem: ProblemRenderer) -> None:
        self.app = app
        self.routes = routes
        self.render_problem = render_problem

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = Headers(scope=scope).get(REQUEST_ID_HEADER.lower(), "")
        rid = sent if _CLIENT_ID.match(sent) else uuid.uuid4().hex
        token = request_id.set(rid)
        try:
            await self._handle(dict(scope), receive, send, rid)
        finally:
            request_id.reset(token)

    async def _handle(self, scope: Scope, receive: Receive, send: Send, rid: str) -> None:
        method = scope["method"]
        if method == "OPTIONS":
            await self._options(scope, send, rid)
            return
        response = _Response(scope, send, rid)
        try:
            await self.app(scope, receive, response.send)
        except Exception:
            log.exception("unhandled error", extra={"path": scope["path"], "request_id": rid})
            if response.started:
                raise
            await self._problem(scope, response.send, 500)

    async def _options(self, scope: Scope, send: Send, rid: str) -> None:
        allow = allowed_methods(self.routes, scope)
        if not allow:
            await self._problem(scope, send, 404)
            return
        headers = [(b"allow", ", ".join(allow).encode()), (REQUEST_ID_HEADER.lower().encode(), rid.encode())]
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    async def _problem(self, scope: Scope, send: Send, status: int) -> None:
        headers, body = self.render_problem(scope, status)
        raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": body})


class _Response:
    """Wraps `send`: adds the request id and caching headers, computes ETags."""

    def __init__(self, scope: Scope, send: Send, rid: str) -> None:
        self.scope = scope
        self.downstream = send
        self.rid = rid
        self.started = False
        self.start: Message | None = None
        self.buffer: list[bytes] = []

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
            self._decorate(message)
            if self._needs_etag(message):
                self.start = message  # held until the body is complete
                return
            await self.downstream(message)
            return
        if message["type"] != "http.response.body":
            await self.downstream(message)
            return
        if self.start is not None:
            self.buffer.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            await self._send_validated(b"".join(self.buffer))
            return
        await self.downstream(message)

    def _decorate(self, message: Message) -> None:
        headers = MutableHeaders(scope=message)
        headers[REQUEST_ID_HEADER] = self.rid
        policy = CACHE_POLICIES.get(self._operation() or "")
        if policy is not None and message["status"] < 400 and "cache-control" not in headers:
            headers["Cache-Control"] = policy

    def _operation(self) -> str | None:
        route: Any = self.scope.get("route")
        return route.operation_id if isinstance(route, APIRoute) else None

    def _needs_etag(self, message: Message) -> bool:
        return message["status"] == 200 and self._operation() in ETAG_OPERATIONS

    async def _send_validated(self, body: bytes) -> None:
        assert self.start is not None
        tag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        headers = MutableHeaders(scope=self.start)
        headers["ETag"] = tag
        if _matches(Headers(scope=self.scope).get("if-none-match"), tag):
            # RFC 9110 15.4.5: a 304 carries the validators and Cache-Control, no content headers.
            keep = {"etag", "cache-control", "vary", REQUEST_ID_HEADER.lower()}
            raw = [(k, v) for k, v in self.start["headers"] if k.decode().lower() in keep]
            await self.downstream({"type": "http.response.start", "status": 304, "headers": raw})
            await self.downstream({"type": "http.response.body", "body": b""})
            return
        await self.downstream(self.start)
        await self.downstream({"type": "http.response.body", "body": body})


def _matches(if_none_match: str | None, tag: str) -> bool:
    """RFC 9110 13.1.2: weak comparison; `*` matches any current representation."""
    if not if_none_match:
        return False
    for candidate in if_none_match.split(","):
        candidate = candidate.strip().removeprefix("W/")
        if candidate == "*" or candidate.replace(GZIP_ETAG_SUFFIX + '"', '"') == tag:
            return True
    return False


def reject_unknown_query(request: Request) -> None:
    """An app-wide dependency: a query parameter the operation does not take, or a single-valued one given
    twice, is a 422 naming it.

    Without it `sort=oldest` or a misspelt `publised_after=` would silently do nothing, and of `source=a&source=b`
    one would silently win.
    """
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    known = _query_params(route)
    errors = []
    for name in dict.fromkeys(request.query_params):
        if name not in known:
            errors.append((name, "unknown query parameter; this operation does not take it"))
        elif not known[name] and len(request.query_params.getlist(name)) > 1:
            errors.append((name, "given more than once; this parameter takes one value"))
    if errors:
        raise RequestValidationError(
            [{"loc": ("query", name), "msg": msg, "type": "extra_forbidden"} for name, msg in errors]
        )


# Per route: query parameter name -> whether it takes several values (a list).
_QUERY_PARAMS: dict[int, dict[str, bool]] = {}


def _query_params(route: APIRoute) -> dict[str, bool]:
    params = _QUERY_PARAMS.get(id(route))
    if params is None:
        params = _walk_query_params(route.dependant)
        _QUERY_PARAMS[id(route)] = params
    return params


def _walk_query_params(dependant: Dependant) -> dict[str, bool]:
    params = {param.alias: _is_sequence(param.field_info.annotation) for param in dependant.query_params}
    for sub in dependant.dependencies:
        params.update(_walk_query_params(sub))
    return params


def _is_sequence(annotation: Any) -> bool:
    if get_origin(annotation) in (list, set, tuple, frozenset):
        return True
    return any(_is_sequence(arg) for arg in get_args(annotation) if arg is not type(None))


class TagEncodedRepresentations:
    """Outside GZipMiddleware: a gzip-encoded body gets an ETag of its own (the identity tag + "-gzip")."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def tagged(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                etag = headers.get("etag")
                if etag and headers.get("content-encoding") == "gzip":
                    headers["ETag"] = etag[:-1] + GZIP_ETAG_SUFFIX + '"'
            await send(message)

        await self.app(scope, receive, tagged)


# Set in the scope of a HEAD answered as GET, so a route that streams (the export) can skip producing a body.
HEAD_REQUEST = "broadsheet.head"


def is_head(request: Request) -> bool:
    """Whether this GET is answering a HEAD: its body will be dropped."""
    return bool(request.scope.get(HEAD_REQUEST))


class AnswerHead:
    """HEAD for every GET (RFC 9110 9.3.2): route and answer as GET, then drop the body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def bodiless(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET", HEAD_REQUEST: True}, receive, bodiless)
