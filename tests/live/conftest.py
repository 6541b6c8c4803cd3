"""A real `broadsheet serve` per engine (and per worker count), shared by the whole session, reached over TCP.

Each engine gets a fresh database built by `broadsheet migrate`: a temp file for SQLite, a database of this run's
own for PostgreSQL (dropped at the end). PostgreSQL missing is a skip with the reason locally and a failure
under CI, as in tests/conftest.py. A test fails when the server logged a traceback while it ran.
"""

import os
from collections.abc import Generator, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.exc import OperationalError

from tests.conftest import PG_TEST_DB
from tests.live import server as live
from tests.live.server import LiveServer

# Distinct from the database tests/conftest.py creates, so both halves of the suite can run in one session.
PG_LIVE_DB = f"{PG_TEST_DB}_live"


class LiveServers:
    """Servers keyed by (engine, workers); both worker counts of an engine share one database.

    `prepare` migrates every database and starts every server the session's tests will ask for at once:
    each costs seconds of imports, and in parallel they cost about half as long on two cores.
    """

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.servers: dict[tuple[str, int], LiveServer] = {}
        self.databases: dict[str, str] = {}
        self.unavailable: dict[str, str] = {}
        self.pg_created = False

    def prepare(self, keys: set[tuple[str, int]]) -> None:
        fresh = []
        for engine in sorted({engine for engine, _ in keys}):
            if url := self._create_database(engine):
                fresh.append(url)
                self.databases[engine] = url
        migrate_all(fresh)
        starting = []
        for engine, workers in sorted(keys):
            if engine in self.databases:
                server = self._server(engine, workers)
                server.launch()
                starting.append(server)
        for server in starting:
            server.wait_healthy()

    def _create_database(self, engine: str) -> str | None:
        if engine == "sqlite":
            return f"sqlite:///{self.tmp / 'live.db'}"
        try:
            url = live.create_postgres_database(PG_LIVE_DB)
        except OperationalError as exc:
            self.unavailable[engine] = f"PostgreSQL not reachable at {live.PG_ADMIN_URL}: {exc.orig}"
            return None
        self.pg_created = True
        return url

    def _server(self, engine: str, workers: int) -> LiveServer:
        key = (engine, workers)
        if key not in self.servers:
            log = self.tmp / f"serve-{engine}-{workers}.log"
            self.servers[key] = LiveServer(engine, self.databases[engine], log, workers=workers)
        return self.servers[key]

    def get(self, engine: str, workers: int = 1) -> LiveServer:
        if engine in self.unavailable:
            _skip_or_fail(self.unavailable[engine])
        if engine not in self.databases:
            self.prepare({(engine, workers)})
            return self.get(engine, workers)
        server = self._server(engine, workers)
        if server.process is None or server.process.poll() is not None:
            server.start()  # first use outside `prepare`, or a test killed it: the next test gets it back
        return server

    def close(self) -> None:
        for server in self.servers.values():
            server.stop()
        if self.pg_created:
            live.drop_postgres_database(PG_LIVE_DB)


def migrate_all(urls: list[str]) -> None:
    if urls:
        live.migrate(*urls)


def _needed(items: list[pytest.Item]) -> set[tuple[str, int]]:
    """(engine, workers) of every collected test that uses the live server."""
    keys = set()
    for item in items:
        params = getattr(item, "callspec", None)
        if "live_server" in getattr(item, "fixturenames", ()) and params is not None:
            keys.add((params.params["live_engine"], params.params.get("server_workers", 1)))
    return keys


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"CI must test PostgreSQL. {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def live_servers(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServers]:
    servers = LiveServers(tmp_path_factory.mktemp("live"))
    servers.prepare(_needed(request.session.items))
    yield servers
    servers.close()


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def live_engine(request: pytest.FixtureRequest) -> str:
    engine: str = request.param
    return engine


@pytest.fixture
def server_workers() -> int:
    """uvicorn worker processes; a test asks for others with @pytest.mark.parametrize("server_workers", [...])."""
    return 1


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the item, so a fixture's teardown knows whether the test itself failed."""
    report: pytest.TestReport = yield
    item.stash.setdefault(PHASES, {})[report.when] = report
    return report


PHASES = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.fixture
def live_server(
    request: pytest.FixtureRequest, live_engine: str, server_workers: int, live_servers: LiveServers
) -> Iterator[LiveServer]:
    """The running server for this engine and worker count; a test fails if the server logged a traceback.

    A traceback can come from work done after the answer was sent (a commit after the response), so an
    answer that looked right is not enough. When the test failed anyway, the traceback is attached instead.
    """
    server = live_servers.get(live_engine, server_workers)
    offset = server.log_size()
    yield server
    found = server.tracebacks(offset)
    if not found:
        return
    call = request.node.stash.get(PHASES, {}).get("call")
    if call is not None and call.failed:
        request.node.add_report_section("teardown", "server traceback", found[0])
        return
    pytest.fail(f"the {live_engine} server logged {len(found)} traceback(s); first:\n{found[0]}", pytrace=False)


@pytest.fixture
def http(live_server: LiveServer) -> Iterator[httpx.Client]:
    """A client on the live server over TCP; redirects are not followed (a test looks at them)."""
    with httpx.Client(base_url=live_server.base_url, timeout=30.0) as client:
        yield client
