"""The HTTP server: uvicorn's h11 protocol with the timeouts uvicorn lacks.

uvicorn closes idle keep-alive connections, but a client that connects and sends nothing, or sends its
request headers a byte at a time (slowloris), holds a connection for ever: 400 of them were never timed
out. Here a request's headers must arrive within `header_timeout` seconds of the connection opening or of
the previous response, else the connection is closed; request bodies have their own deadline in
app.api.limits.BodySizeLimit.
"""

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from app.config import get_settings


class GuardedH11Protocol(H11Protocol):
    """H11Protocol plus a deadline for each request's headers."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout = get_settings().header_timeout
        self._header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_headers()

    def data_received(self, data: bytes) -> None:
        if self._header_deadline is None and self._between_requests():
            self._await_headers()  # a keep-alive connection starts its next request
        super().data_received(data)
        if self._header_deadline is not None and not self._between_requests():
            self._header_deadline.cancel()  # headers complete: the request is in the app's hands now
            self._header_deadline = None

    def connection_lost(self, exc: Exception | None) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None
        super().connection_lost(exc)

    def _between_requests(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _await_headers(self) -> None:
        self._header_deadline = self.loop.call_later(self.header_timeout, self._headers_too_slow)

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if not self.transport.is_closing() and self._between_requests():
            self.transport.close()
