"""storage.inserts: batch inserts and key lookups in each engine's fast form store what SQLAlchemy would."""

import json
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import JSON, DateTime, Engine, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from app.storage import inserts
from app.storage.batch import TAGS
from app.storage.db import Writer


def test_sqlite_values_are_bound_as_sqlalchemys_types_bind_them() -> None:
    dialect = sqlite.dialect()  # type: ignore[no-untyped-call]
    instant = DateTime(timezone=True).dialect_impl(dialect).bind_processor(dialect)
    as_json = JSON().dialect_impl(dialect).bind_processor(dialect)
    assert instant is not None and as_json is not None
    instants = [
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(5, 3, 4, 1, 2, 3, 7, tzinfo=UTC),
        datetime(2026, 1, 1, 5, 6, 7, 123456),
        datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=2))),
        None,
    ]
    assert inserts._sqlite_instants([*instants, instants[0]]) == [instant(v) for v in [*instants, instants[0]]]
    for value in ([], ["Zürich", 'a "quoted" tag'], None):
        assert json.dumps(value) == as_json(value)


def test_insert_many_skips_conflicts_returns_what_it_inserted_and_finds_keys(engine: Engine) -> None:
    def run(keys: list[str]) -> list[tuple[object, ...]]:
        rows = [(k, k.upper()) for k in keys]
        columns = ("key", "display")
        return Writer(engine).run(
            lambda s: inserts.insert_many(s, TAGS, columns, rows, skip_conflicts_on="key", returning=("key", "id"))
        )

    many = [f"tag {n:05d}" for n in range(2500)]  # more than one SQLite statement's worth
    assert {k for k, _ in run(many[:2000])} == set(many[:2000])
    assert {k for k, _ in run(many)} == set(many[2000:])

    def found(session: Session) -> set[str]:
        stmt = select(TAGS.c.key).where(inserts.among(TAGS.c.key, [many[0], many[-1], "absent"], session))
        return set(session.scalars(stmt))

    assert Writer(engine).run(found) == {many[0], many[-1]}
