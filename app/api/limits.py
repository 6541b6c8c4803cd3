"""Request-body limits enforced while reading: a size, so an oversized upload is never buffered whole, and a
deadline, so a client trickling a body cannot hold a request (and its server thread) for ever."""

import asyncio
import time

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodySizeLimit:
    """Fail with 413 as soon as Content-Length, or the bytes actually received, pass the limit.

    It raises HTTPException from inside receive(): FastAPI re-raises HTTPException while reading a body,
    so the one problem+json handler renders it, whichever endpoint was reading.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int, timeout: float = 30.0) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        too_large = declared.isdigit() and int(declared) > self.max_bytes
        received = 0
        body_done = False
        deadline = time.monotonic() + self.timeout

        async def limited_receive() -> Message:
            nonlocal received, body_done
            if too_large:
                raise self._error()
            if body_done:  # after the body, receive() only waits for a disconnect: no deadline applies
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), timeout=max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                raise HTTPException(408, detail=f"the request body took over {self.timeout:g} s to arrive") from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise self._error()
                body_done = not message.get("more_body", False)
            return message

        await self.app(scope, limited_receive, send)

    def _error(self) -> HTTPException:
        return HTTPException(413, detail=f"request body is over the limit of {self.max_bytes} bytes")
