"""The guarded HTTP client: every outbound request of the service goes through `Fetcher.fetch`.

The address check lives in the connection layer (an httpcore network backend), not in URL validation:
the name is resolved once, every resolved address is checked, and the socket connects to the checked
address itself. A DNS answer that changes between a check and the connection (rebinding) therefore has
nothing to slip through, and each redirect hop opens its connection through the same check.
"""

import logging
import socket
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from app import __version__
from app.config import Settings
from app.errors import FetchBlocked, FetchFailed, FetchTimeout
from app.fetch.addresses import AddressPolicy
from app.fetch.robots import RobotsCache

log = logging.getLogger(__name__)

USER_AGENT = f"Broadsheet/{__version__} (article ingestion; +https://github.com/broadsheet/broadsheet)"
DOCUMENT_TYPES = frozenset(
    {
        "text/html",
        "application/xhtml+xml",
        "text/plain",
        "application/json",
        "application/ld+json",
        "application/feed+json",
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
    }
)

Resolver = Callable[[str, int], list[str]]


def resolve_host(host: str, port: int) -> list[str]:
    """Every address a name resolves to, in the resolver's order (IP literals resolve to themselves)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchFailed(f"cannot resolve {host!r}: {exc}") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """Where and how the service may fetch; built from Settings (see README "Fetching URLs")."""

    addresses: AddressPolicy = field(default_factory=AddressPolicy)
    allowed_ports: frozenset[int] = frozenset({80, 443})
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    total_timeout: float = 30.0
    max_bytes: int = 5 * 1024 * 1024
    max_redirects: int = 5
    user_agent: str = USER_AGENT
    respect_robots: bool = True

    @classmethod
    def from_settings(cls, settings: Settings) -> "FetchPolicy":
        return cls(
            addresses=AddressPolicy.from_strings(settings.fetch_allow_networks),
            allowed_ports=frozenset(settings.fetch_allowed_ports),
            connect_timeout=settings.fetch_connect_timeout,
            read_timeout=settings.fetch_read_timeout,
            total_timeout=settings.fetch_total_timeout,
            max_bytes=settings.fetch_max_bytes,
            user_agent=settings.fetch_user_agent or USER_AGENT,
            respect_robots=settings.fetch_respect_robots,
        )


@dataclass(frozen=True, slots=True)
class Fetched:
    """A fetched document: the URL it was finally served from, its bytes and when it was fetched."""

    url: str
    content_type: str | None
    data: bytes
    fetched_at: datetime


class GuardedBackend(httpcore.SyncBackend):
    """Connects only to addresses the policy allows, resolving names itself."""

    def __init__(self, policy: FetchPolicy, resolve: Resolver) -> None:
        self._policy = policy
        self._resolve = resolve

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        if port not in self._policy.allowed_ports:
            raise FetchBlocked(f"port {port} is not allowed")
        addresses = self._resolve(host.strip("[]"), port)
        if not addresses:
            raise FetchFailed(f"{host!r} resolves to no address")
        # Any forbidden answer refuses the host: trying the next address would let a name mix a public
        # decoy with the private target.
        for address in addresses:
            reason = self._policy.addresses.why_forbidden(address)
            if reason:
                raise FetchBlocked(f"{host} resolves to {address}, {reason}")
        error: httpcore.ConnectError | None = None
        for address in addresses:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                error = exc
        assert error is not None
        raise error

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise FetchBlocked("unix sockets are never fetched")


class _GuardedTransport(httpx.BaseTransport):
    """httpx's public transport interface over an httpcore pool whose network backend is the guard.

    `httpx.HTTPTransport` takes no network backend; swapping its private pool would break silently on a
    release that renames it. This is the custom-transport route httpx documents instead.
    """

    def __init__(self, backend: GuardedBackend) -> None:
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=20,
            max_keepalive_connections=10,
            network_backend=backend,
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        core = httpcore.Request(
            method=request.method,
            url=httpcore.URL(scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,  # the timeouts travel here
        )
        with _httpx_errors():
            response = self._pool.handle_request(core)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_Body(response),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._pool.close()


class _Body(httpx.SyncByteStream):
    def __init__(self, response: httpcore.Response) -> None:
        self._response = response

    def __iter__(self) -> Iterator[bytes]:
        with _httpx_errors():
            yield from self._response.iter_stream()

    def close(self) -> None:
        self._response.close()


# httpcore's errors as the httpx ones callers catch (most specific first).
_ERRORS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


@contextmanager
def _httpx_errors() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        for core, mapped in _ERRORS:
            if isinstance(exc, core):
                raise mapped(str(exc)) from exc
        raise


class Fetcher:
    """GET with the policy's limits: scheme, port, address, redirects, time, size, content type, robots.txt."""

    def __init__(self, policy: FetchPolicy | None = None, *, resolve: Resolver = resolve_host) -> None:
        self.policy = policy or FetchPolicy()
        # trust_env off: an HTTP(S)_PROXY in the environment would route around the address check.
        self._client = httpx.Client(
            transport=_GuardedTransport(GuardedBackend(self.policy, resolve)),
            trust_env=False,
            follow_redirects=False,
            headers={"User-Agent": self.policy.user_agent, "Accept-Encoding": "gzip, deflate"},
        )
        self._robots = RobotsCache(self)

    @classmethod
    def from_settings(cls, settings: Settings) -> "Fetcher | None":
        """The service's fetcher, or None when server-side fetching is turned off."""
        return cls(FetchPolicy.from_settings(settings)) if settings.fetch_enabled else None

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fetch(
        self, url: str, *, accept: frozenset[str] | None = DOCUMENT_TYPES, check_robots: bool | None = None
    ) -> Fetched:
        """Fetch a document, following at most `max_redirects` redirects, each hop checked like the first."""
        deadline = time.monotonic() + self.policy.total_timeout
        robots = self.policy.respect_robots if check_robots is None else check_robots
        current = url
        for _hop in range(self.policy.max_redirects + 1):
            self.check_url(current)
            if robots and not self._robots.allows(current):
                raise FetchBlocked(f"robots.txt of {urlsplit(current).netloc} disallows {current}")
            response = self._get(current, deadline, accept)
            if isinstance(response, str):
                current = response
                continue
            return Fetched(
                url=current,
                content_type=response[0],
                data=response[1],
                fetched_at=datetime.now(UTC),
            )
        raise FetchFailed(f"more than {self.policy.max_redirects} redirects")

    def check_url(self, url: str) -> None:
        """Refuse URLs the service must never request, before any connection."""
        try:
            httpx.URL(url)  # what the client itself would refuse, refused here with a clear reason
            parts = urlsplit(url)
            port = parts.port
        except (ValueError, httpx.InvalidURL) as exc:
            raise FetchBlocked(f"invalid URL: {url[:200]!r}") from exc
        if parts.scheme not in ("http", "https"):
            raise FetchBlocked(f"only http and https URLs are fetched, not {parts.scheme or 'a relative URL'!r}")
        if not parts.hostname:
            raise FetchBlocked("the URL has no host")
        if parts.username is not None or parts.password is not None:
            raise FetchBlocked("URLs with credentials are not fetched")
        effective = port or (443 if parts.scheme == "https" else 80)
        if effective not in self.policy.allowed_ports:
            raise FetchBlocked(f"port {effective} is not allowed")

    def _get(self, url: str, deadline: float, accept: frozenset[str] | None) -> str | tuple[str | None, bytes]:
        """The redirect target, or the content type and body of a final response."""
        remaining = self._remaining(deadline)
        timeout = httpx.Timeout(
            connect=min(self.policy.connect_timeout, remaining),
            read=min(self.policy.read_timeout, remaining),
            write=min(self.policy.read_timeout, remaining),
            pool=min(self.policy.connect_timeout, remaining),
        )
        try:
            with self._client.stream("GET", url, timeout=timeout) as response:
                if response.is_redirect:
                    location = response.headers.get("location")
                    if not location:
                        raise FetchFailed(f"{url} answered {response.status_code} without a Location")
                    return urljoin(url, str(location))
                if response.status_code >= 400:
                    raise FetchFailed(f"{url} answered {response.status_code}", upstream_status=response.status_code)
                content_type: str | None = response.headers.get("content-type")
                media = (content_type or "").split(";")[0].strip().lower()
                if media and accept is not None and media not in accept:
                    raise FetchFailed(f"{url} is {media}, not a document Broadsheet can parse")
                return content_type, self._read(response, deadline)
        except httpx.TimeoutException as exc:
            raise FetchTimeout(f"{url} did not answer in time ({type(exc).__name__})") from exc
        except httpx.HTTPError as exc:
            raise FetchFailed(f"fetching {url} failed: {type(exc).__name__}: {exc}") from exc

    def _read(self, response: httpx.Response, deadline: float) -> bytes:
        """The decoded body, never holding more than the cap: decompression is bounded per call, so a small
        compressed bomb stops at the limit instead of expanding in memory first."""
        declared = response.headers.get("content-length")
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        if encoding in ("identity", "") and declared and declared.isdigit() and int(declared) > self.policy.max_bytes:
            raise FetchFailed(f"the document is {declared} bytes, over the {self.policy.max_bytes}-byte limit")
        decoder = _Decoder(encoding, limit=self.policy.max_bytes)
        for chunk in response.iter_raw():
            decoder.feed(chunk)
            self._remaining(deadline)
        return decoder.finish()

    def _remaining(self, deadline: float) -> float:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchTimeout(f"the fetch took longer than {self.policy.total_timeout:g} s")
        return remaining


class _Decoder:
    """Content-Encoding decoding (gzip, deflate) with a hard cap on the decoded size."""

    def __init__(self, encoding: str, *, limit: int) -> None:
        if encoding not in ("identity", "", "gzip", "x-gzip", "deflate"):
            raise FetchFailed(f"unsupported content encoding {encoding!r}")
        self._encoding = encoding
        self._limit = limit
        self._chunks: list[bytes] = []
        self._size = 0
        self._zlib: Any = None

    def feed(self, data: bytes) -> None:
        if not data:
            return
        if self._encoding in ("identity", ""):
            self._keep(data)
            return
        if self._zlib is None:
            self._zlib = zlib.decompressobj(self._wbits(data[0]))
        try:
            while data:
                self._keep(self._zlib.decompress(data, self._limit - self._size + 1))
                data = self._zlib.unconsumed_tail
        except zlib.error as exc:
            raise FetchFailed(f"the compressed body is corrupt: {exc}") from exc

    def finish(self) -> bytes:
        if self._zlib is not None:
            self._keep(self._zlib.flush())
        return b"".join(self._chunks)

    def _wbits(self, first_byte: int) -> int:
        if self._encoding != "deflate":
            return 16 + zlib.MAX_WBITS  # gzip header and trailer
        # "deflate" is zlib-wrapped by the standard but raw from many servers: the first byte tells them apart.
        return zlib.MAX_WBITS if first_byte & 0x0F == 8 else -zlib.MAX_WBITS

    def _keep(self, data: bytes) -> None:
        self._size += len(data)
        if self._size > self._limit:
            raise FetchFailed(f"the document is over the {self._limit}-byte limit")
        if data:
            self._chunks.append(data)
