"""Trailing slashes served in place, never redirected.

Starlette answers `/articles/` with a redirect to an absolute URL built from the request's Host header, so
`Host: evil.example` came back in `Location` (a cache-poisoning and open-redirect vector behind proxies).
The path is treated as its slash-less form instead: no redirect, nothing reflected.
"""

from starlette.types import ASGIApp, Receive, Scope, Send


class IgnoreTrailingSlash:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] == "http" and len(path) > 1 and path.endswith("/"):
            scope = {**scope, "path": path.rstrip("/") or "/", "raw_path": None}
        await self.app(scope, receive, send)
