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
    """Servers started on first use, keyed by (engine, workers); both worker counts share one database."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.servers: dict[tuple[str, int], LiveServer] = {}
        self.databases: dict[str, str] = {}
        self.unavailable: dict[str, str] = {}
        self.pg_created = False

    def database(self, engine: str) -> str:
        if engine in self.unavailable:
            _skip_or_fail(self.unavailable[engine])
        if engine not in self.databases:
            if engine == "sqlite":
                url = f"sqlite:///{self.tmp / 'live.db'}"
            else:
                try:
                    url = live.create_postgres_database(PG_LIVE_DB)
                except OperationalError as exc:
                    self.unavailable[engine] = f"PostgreSQL not reachable at {live.PG_ADMIN_URL}: {exc.orig}"
                    _skip_or_fail(self.unavailable[engine])
                self.pg_created = True
            live.migrate(url)
            self.databases[engine] = url
        return self.databases[engine]

    def get(self, engine: str, workers: int = 1) -> LiveServer:
        key = (engine, workers)
        if key not in self.servers:
            url = self.database(engine)
            server = LiveServer(engine, url, self.tmp / f"serve-{engine}-{workers}.log", workers=workers)
            server.start()
            self.servers[key] = server
        running = self.servers[key]
        if running.process is None or running.process.poll() is not None:
            running.start()  # a test killed it; the next one gets it back
        return running

    def close(self) -> None:
        for server in self.servers.values():
            server.stop()
        if self.pg_created:
            live.drop_postgres_database(PG_LIVE_DB)


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"CI must test PostgreSQL. {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def live_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServers]:
    servers = LiveServers(tmp_path_factory.mktemp("live"))
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
