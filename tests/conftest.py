"""Fixtures: a migrated database per engine (real SQLite, real PostgreSQL), an app and a client on it.

PostgreSQL comes from BROADSHEET_TEST_POSTGRES_URL (default: postgres@127.0.0.1:5432). Locally, tests on it
are skipped with the reason shown when none is reachable; under CI (CI=true) that is a failure instead.
"""

import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from app.config import Settings, get_settings, index_path
from app.main import create_app
from app.storage import migrate
from app.storage.db import make_engine
from tests.live import server as live

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEED = ROOT / "samples" / "dumps" / "000_06cfb1d3e5c853fd.txt"
SAMPLES = ROOT / "samples"
# Apps in tests parse in the request thread (starting parser processes costs seconds per app);
# tests/ingestion/test_parser_pool.py runs the production path, parser processes with a time limit, on its own.
os.environ.setdefault("BROADSHEET_PARSE_WORKERS", "0")
PG_ADMIN_URL = live.PG_ADMIN_URL  # BROADSHEET_TEST_POSTGRES_URL; one PostgreSQL set-up for tests and benchmarks
# Each run creates its own database and drops only that one, so two runs on one server never wipe each other.
PG_TEST_DB = f"{os.environ.get('BROADSHEET_TEST_POSTGRES_DB', 'broadsheet_test')}_{os.getpid()}_{secrets.token_hex(3)}"


def _postgres_url() -> str:
    """Create this run's test database and return its URL, or skip/fail when PostgreSQL is absent."""
    try:
        return live.create_postgres_database(PG_TEST_DB)
    except OperationalError as exc:
        reason = f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc.orig}"
        if os.environ.get("CI"):
            pytest.fail(f"CI must test PostgreSQL. {reason}")
        pytest.skip(reason)


def require_shared(path: Path) -> None:
    """Corpus tests need ../shared beside the clone: skipped with the reason locally, a failure under CI
    (which always has it), so a CI run can never pass by quietly skipping them."""
    if path.exists():
        return
    reason = f"{path} is not there (../shared must sit beside the repository)"
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the corpus tests. {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'broadsheet.db'}"
        return
    url = _postgres_url()
    yield url
    live.drop_postgres_database(PG_TEST_DB)
    shutil.rmtree(index_path(Settings(DATABASE_URL=url)), ignore_errors=True)


@pytest.fixture(scope="session")
def migrated_engine(database_url: str) -> Iterator[Engine]:
    """A new database (a new file, or this run's own PostgreSQL database) built with the real migrations."""
    engine = make_engine(Settings(DATABASE_URL=database_url))
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(migrated_engine: Engine, database_url: str) -> Iterator[Engine]:
    """The migrated engine, emptied after each test (tests write through the app's own sessions), and its
    search index removed with it (the next app rebuilds it from the emptied tables)."""
    yield migrated_engine
    with migrated_engine.begin() as conn:
        for table in ("article_tags", "tags", "articles", "article_changes"):
            conn.execute(text(f"DELETE FROM {table}"))
    shutil.rmtree(index_path(Settings(DATABASE_URL=database_url)), ignore_errors=True)


@pytest.fixture
def settings(engine: Engine, database_url: str) -> Settings:
    return Settings(DATABASE_URL=database_url, max_body_bytes=64 * 1024)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def row_count(engine: Engine, table: str = "articles") -> int:
    with engine.connect() as conn:
        return int(conn.scalar(text(f"SELECT count(*) FROM {table}")) or 0)


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, database_url: str, engine: Engine) -> Iterator[Engine]:
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield engine
    get_settings.cache_clear()
