"""Migrations on both engines, SQLite's durability settings, and serving a database that is behind."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, inspect, text

from app.config import Settings
from app.main import create_app
from app.storage import migrate
from app.storage.db import make_engine
from app.storage.migrate import SchemaBehind


def test_upgrade_downgrade_upgrade(database_url: str, migrated_engine: Engine) -> None:
    migrate.downgrade(migrated_engine, "base")
    assert not {"articles", "tags", "article_tags"} & set(inspect(migrated_engine).get_table_names())
    assert migrate.pending(migrated_engine)
    migrate.upgrade(migrated_engine)
    assert not migrate.pending(migrated_engine)
    assert {"articles", "tags", "article_tags"} <= set(inspect(migrated_engine).get_table_names())


def test_sqlite_runs_in_wal_with_durable_commits_and_a_busy_timeout(tmp_path: Path) -> None:
    engine = make_engine(Settings(DATABASE_URL=f"sqlite:///{tmp_path / 'x' / 'b.db'}"))
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_sqlite_write_sessions_take_the_lock_up_front(tmp_path: Path) -> None:
    from app.storage.db import write_session, write_session_factory

    url = f"sqlite:///{tmp_path / 'lock.db'}"
    engine = make_engine(Settings(DATABASE_URL=url, sqlite_busy_timeout_ms=50))
    migrate.upgrade(engine)
    other = make_engine(Settings(DATABASE_URL=url, sqlite_busy_timeout_ms=50))
    with write_session(write_session_factory(engine)) as session:
        session.execute(text("SELECT 1"))
        # Our writer holds RESERVED from BEGIN IMMEDIATE, so a second writer cannot even begin.
        with pytest.raises(Exception, match="locked"), write_session(write_session_factory(other)) as blocked:
            blocked.execute(text("SELECT 1"))
    engine.dispose()
    other.dispose()


def test_sqlite_write_sessions_lock_only_once_they_write(tmp_path: Path) -> None:
    from app.storage.db import write_session, write_session_factory

    url = f"sqlite:///{tmp_path / 'lazy.db'}"
    engine = make_engine(Settings(DATABASE_URL=url, sqlite_busy_timeout_ms=50))
    migrate.upgrade(engine)
    other = make_engine(Settings(DATABASE_URL=url, sqlite_busy_timeout_ms=50))
    # A request reading its body or parsing holds an open write session that has sent nothing yet.
    with write_session(write_session_factory(engine)), write_session(write_session_factory(other)) as writer:
        assert writer.execute(text("SELECT 1")).scalar() == 1
    engine.dispose()
    other.dispose()


def test_serving_refuses_a_database_that_is_behind(tmp_path: Path) -> None:
    settings = Settings(DATABASE_URL=f"sqlite:///{tmp_path / 'behind.db'}")
    with pytest.raises(SchemaBehind, match="broadsheet migrate"), TestClient(create_app(settings)):
        pass
