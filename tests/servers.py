"""Local HTTP servers for fetch tests: each records every request it receives."""

import http.server
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

Route = Callable[[http.server.BaseHTTPRequestHandler], tuple[int, dict[str, str], bytes]]


@dataclass
class LocalServer:
    host: str
    port: int
    routes: dict[str, Route]
    requests: list[str] = field(default_factory=list)

    def url(self, path: str = "/", host: str | None = None) -> str:
        return f"http://{host or self.host}:{self.port}{path}"


def page(body: bytes | str, content_type: str = "text/html; charset=utf-8", status: int = 200) -> Route:
    data = body.encode() if isinstance(body, str) else body
    return lambda _handler: (status, {"Content-Type": content_type}, data)


def redirect(location: str, status: int = 302) -> Route:
    return lambda _handler: (status, {"Location": location, "Connection": "close"}, b"")


@contextmanager
def serve(routes: dict[str, Route], host: str = "127.0.0.1") -> Iterator[LocalServer]:
    """Serve `routes` (path -> handler) on an ephemeral port; unknown paths answer 404."""
    server_state = LocalServer(host, 0, routes)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            server_state.requests.append(f"{self.headers.get('Host')}{self.path}")
            route = server_state.routes.get(self.path)
            status, headers, body = route(self) if route else (404, {"Content-Type": "text/plain"}, b"not found")
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    class Server(http.server.ThreadingHTTPServer):
        def handle_error(self, request: object, client_address: object) -> None:
            pass  # clients that give up (timeouts, size caps) close their end; that is what the tests want

    httpd = Server((host, 0), Handler)
    server_state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield server_state
    finally:
        httpd.shutdown()
        httpd.server_close()
