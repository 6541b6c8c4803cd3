"""The guarded client: blocked destinations are never connected to, whatever form the address takes."""

import gzip
import zlib
from collections.abc import Iterator

import httpcore
import pytest

from app.errors import FetchBlocked, FetchFailed, FetchTimeout
from app.fetch.addresses import AddressPolicy, why_forbidden
from app.fetch.client import Fetcher, FetchPolicy
from tests.servers import LocalServer, page, redirect, serve

ARTICLE = "<html><head><title>Story</title></head><body><p>Text.</p></body></html>"


@pytest.fixture
def site() -> Iterator[LocalServer]:
    with serve(
        {"/story": page(ARTICLE), "/robots.txt": page("User-agent: *\nDisallow: /private\n", "text/plain")}
    ) as s:
        yield s


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every address a socket is actually opened to, seen below the guard."""
    seen: list[str] = []
    original = httpcore.SyncBackend.connect_tcp

    def spy(self: httpcore.SyncBackend, host: str, port: int, *args: object, **kwargs: object) -> object:
        seen.append(host)
        return original(self, host, port, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(httpcore.SyncBackend, "connect_tcp", spy)
    return seen


def fetcher_for(server: LocalServer, *, allow: tuple[str, ...] = (), resolve: object = None, **kw: object) -> Fetcher:
    policy = FetchPolicy(
        addresses=AddressPolicy.from_strings(allow),
        allowed_ports=frozenset({server.port}),
        **kw,  # type: ignore[arg-type]
    )
    return Fetcher(policy, resolve=resolve) if resolve else Fetcher(policy)  # type: ignore[arg-type]


BLOCKED_HOSTS = [
    "127.0.0.1",
    "127.1",
    "2130706433",  # 127.0.0.1 as one decimal number
    "0x7f000001",
    "0x7f.0.0.1",
    "017700000001",  # octal
    "0177.0.0.1",
    "localhost",
    "[::1]",
    "[::ffff:127.0.0.1]",
    "[::ffff:7f00:1]",
    "[64:ff9b::7f00:1]",  # NAT64 form of loopback
    "[2002:7f00:1::]",  # 6to4 form of loopback
    "[::]",
    "0.0.0.0",
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.1",
    "100.64.0.1",  # CGNAT
    "169.254.169.254",  # cloud metadata
    "[fd00:ec2::254]",  # AWS metadata over IPv6
    "100.100.100.200",  # Alibaba metadata
    "[fe80::1]",
    "[fc00::1]",
    "224.0.0.1",
    "[ff02::1]",
    "240.0.0.1",
    "255.255.255.255",
    "192.0.2.10",  # TEST-NET
    "198.18.0.1",  # benchmarking
]


@pytest.mark.parametrize("host", BLOCKED_HOSTS)
def test_blocked_destinations_are_never_connected_to(site: LocalServer, connections: list[str], host: str) -> None:
    with fetcher_for(site) as fetcher, pytest.raises(FetchBlocked):
        fetcher.fetch(site.url("/story", host=host))
    assert connections == []
    assert site.requests == []


@pytest.mark.parametrize("address", ["8.8.8.8", "2606:4700:4700::1111", "64:ff9b::808:808", "93.184.216.34"])
def test_public_addresses_are_allowed(address: str) -> None:
    import ipaddress

    assert why_forbidden(ipaddress.ip_address(address)) is None


def test_allow_list_opens_private_destinations(site: LocalServer) -> None:
    with fetcher_for(site, allow=("127.0.0.0/8",)) as fetcher:
        fetched = fetcher.fetch(site.url("/story"))
    assert fetched.data.decode() == ARTICLE
    assert fetched.content_type.startswith("text/html")  # type: ignore[union-attr]
    assert site.requests == [f"127.0.0.1:{site.port}/robots.txt", f"127.0.0.1:{site.port}/story"]


def test_a_name_resolving_to_a_private_address_is_blocked(site: LocalServer, connections: list[str]) -> None:
    with fetcher_for(site, resolve=lambda host, port: ["127.0.0.1"]) as fetcher, pytest.raises(FetchBlocked) as err:
        fetcher.fetch(site.url("/story", host="news.example"))
    assert "loopback" in err.value.detail
    assert connections == [] and site.requests == []


def test_a_name_with_one_private_answer_among_public_ones_is_blocked(site: LocalServer, connections: list[str]) -> None:
    with fetcher_for(site, resolve=lambda host, port: ["93.184.216.34", "127.0.0.1"]) as fetcher:
        with pytest.raises(FetchBlocked):
            fetcher.fetch(site.url("/story", host="news.example"))
    assert connections == []


def test_dns_rebinding_cannot_reach_a_private_address(connections: list[str]) -> None:
    # One server on every loopback address. The first DNS answer is allowed (the test allows 127.0.0.2 as if it
    # were public); the name then rebinds to 127.0.0.1 for the next connection, which must never be opened.
    answers = iter([["127.0.0.2"], ["127.0.0.1"], ["127.0.0.1"]])
    with serve({"/story": page(ARTICLE)}, host="0.0.0.0") as site:
        site.routes["/start"] = redirect(site.url("/story", host="rebind.example"))
        with (
            fetcher_for(
                site, allow=("127.0.0.2/32",), resolve=lambda host, port: next(answers), respect_robots=False
            ) as fetcher,
            pytest.raises(FetchBlocked, match="loopback"),
        ):
            fetcher.fetch(site.url("/start", host="rebind.example"))
    assert connections == ["127.0.0.2"]
    assert site.requests == [f"rebind.example:{site.port}/start"]


def test_each_redirect_hop_is_checked(site: LocalServer, connections: list[str]) -> None:
    with serve({"/go": redirect(site.url("/story"))}, host="127.0.0.2") as public:
        policy = FetchPolicy(
            addresses=AddressPolicy.from_strings(["127.0.0.2/32"]),
            allowed_ports=frozenset({public.port, site.port}),
            respect_robots=False,
        )
        with Fetcher(policy) as fetcher, pytest.raises(FetchBlocked):
            fetcher.fetch(public.url("/go"))
    assert public.requests == [f"127.0.0.2:{public.port}/go"]
    assert site.requests == [] and "127.0.0.1" not in connections


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "gopher://127.0.0.1:70/",
        "ftp://example.com/a",
        "http://user:secret@example.com/",
        "http://example.com:8080/",
        "http://example.com:22/",
        "/relative/path",
    ],
)
def test_urls_refused_before_any_connection(url: str, connections: list[str]) -> None:
    with Fetcher() as fetcher, pytest.raises(FetchBlocked):
        fetcher.fetch(url)
    assert connections == []


def test_at_most_five_redirects(site: LocalServer) -> None:
    for hop in range(7):
        site.routes[f"/r{hop}"] = redirect(f"/r{hop + 1}")
    site.routes["/r7"] = page(ARTICLE)
    with fetcher_for(site, allow=("127.0.0.0/8",), respect_robots=False) as fetcher:
        with pytest.raises(FetchFailed, match=r"more than 5 redirects"):
            fetcher.fetch(site.url("/r0"))
        assert fetcher.fetch(site.url("/r2")).url == site.url("/r7")
    assert f"127.0.0.1:{site.port}/r6" in site.requests


def test_robots_txt_is_respected(site: LocalServer) -> None:
    site.routes["/private"] = page(ARTICLE)
    with fetcher_for(site, allow=("127.0.0.0/8",)) as fetcher:
        with pytest.raises(FetchBlocked, match=r"robots\.txt"):
            fetcher.fetch(site.url("/private"))
        fetcher.fetch(site.url("/story"))
    assert f"127.0.0.1:{site.port}/private" not in site.requests
    assert site.requests.count(f"127.0.0.1:{site.port}/robots.txt") == 1  # cached per origin


def test_unreachable_robots_txt_disallows_and_missing_allows(site: LocalServer) -> None:
    site.routes["/robots.txt"] = page("oops", "text/plain", status=503)
    with fetcher_for(site, allow=("127.0.0.0/8",)) as fetcher, pytest.raises(FetchBlocked):
        fetcher.fetch(site.url("/story"))
    del site.routes["/robots.txt"]  # 404: everything allowed
    with fetcher_for(site, allow=("127.0.0.0/8",)) as fetcher:
        assert fetcher.fetch(site.url("/story")).data.decode() == ARTICLE


def test_decoded_body_cap(site: LocalServer) -> None:
    bomb = gzip.compress(b"<p>" + b"a" * 50_000_000)  # 49 KiB on the wire, 50 MB decoded
    site.routes["/bomb"] = lambda _h: (200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, bomb)
    site.routes["/big"] = page("x" * 300_000)
    with fetcher_for(site, allow=("127.0.0.0/8",), max_bytes=100_000, respect_robots=False) as fetcher:
        for path in ("/bomb", "/big"):
            with pytest.raises(FetchFailed, match="limit"):
                fetcher.fetch(site.url(path))


@pytest.mark.parametrize("wrap", ["zlib", "raw"])
def test_deflate_bodies_are_decoded_either_way(site: LocalServer, wrap: str) -> None:
    compressor = zlib.compressobj(wbits=zlib.MAX_WBITS if wrap == "zlib" else -zlib.MAX_WBITS)
    body = compressor.compress(ARTICLE.encode()) + compressor.flush()
    site.routes["/deflate"] = lambda _h: (200, {"Content-Type": "text/html", "Content-Encoding": "deflate"}, body)
    with fetcher_for(site, allow=("127.0.0.0/8",), respect_robots=False) as fetcher:
        assert fetcher.fetch(site.url("/deflate")).data.decode() == ARTICLE


def test_corrupt_and_unknown_encodings_are_refused(site: LocalServer) -> None:
    site.routes["/corrupt"] = lambda _h: (200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, b"not gzip")
    site.routes["/br"] = lambda _h: (200, {"Content-Type": "text/html", "Content-Encoding": "br"}, b"\x0b\x02")
    with fetcher_for(site, allow=("127.0.0.0/8",), respect_robots=False) as fetcher:
        with pytest.raises(FetchFailed, match="corrupt"):
            fetcher.fetch(site.url("/corrupt"))
        with pytest.raises(FetchFailed, match="encoding"):
            fetcher.fetch(site.url("/br"))


def test_content_type_is_checked(site: LocalServer) -> None:
    site.routes["/photo"] = page(b"\x89PNG\r\n", "image/png")
    with fetcher_for(site, allow=("127.0.0.0/8",), respect_robots=False) as fetcher:
        with pytest.raises(FetchFailed, match="image/png"):
            fetcher.fetch(site.url("/photo"))


def test_user_agent_is_sent(site: LocalServer) -> None:
    agents: list[str] = []

    def echo(handler: object) -> tuple[int, dict[str, str], bytes]:
        agents.append(handler.headers["User-Agent"])  # type: ignore[attr-defined]
        return 200, {"Content-Type": "text/html"}, ARTICLE.encode()

    site.routes["/ua"] = echo
    with fetcher_for(site, allow=("127.0.0.0/8",), respect_robots=False) as fetcher:
        fetcher.fetch(site.url("/ua"))
    assert agents[0].startswith("Broadsheet/")


def test_slow_servers_time_out(site: LocalServer) -> None:
    import time

    def slow(_handler: object) -> tuple[int, dict[str, str], bytes]:
        time.sleep(1.5)
        return 200, {"Content-Type": "text/html"}, ARTICLE.encode()

    site.routes["/slow"] = slow
    with fetcher_for(site, allow=("127.0.0.0/8",), respect_robots=False, read_timeout=0.3) as fetcher:
        with pytest.raises(FetchTimeout):
            fetcher.fetch(site.url("/slow"))


def test_proxy_environment_is_ignored(site: LocalServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("ALL_PROXY", "http://127.0.0.1:9")
    with fetcher_for(site, allow=("127.0.0.0/8",), respect_robots=False) as fetcher:
        assert fetcher.fetch(site.url("/story")).data.decode() == ARTICLE
