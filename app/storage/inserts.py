"""Multi-row INSERTs and key lookups of a batch, in the form each engine takes fastest.

SQLite: SQLAlchemy's "insertmanyvalues": an executemany that asks for RETURNING is sent as multi-row VALUES
statements (2.5x a DB-API executemany of one row per call, measured there).

PostgreSQL: the same multi-row VALUES statements carry a named placeholder per value, and psycopg rewrites
such a query into PostgreSQL's $n form in Python, uncached for long queries: that rewrite was a third of
bulk ingest's store step (profiled). Here each column travels as one array parameter and `unnest` turns
the arrays back into rows, and key lookups compare with `= ANY(array)` instead of an IN list: statements
stay short whatever the batch's size, so psycopg rewrites each once and caches it. The database does the
same work either way (the same constraints, conflicts and errors, row by row).
"""

import json
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import JSON, ColumnElement, DateTime, String, Table, Text, any_, bindparam, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

# SQLite: rows per multi-row VALUES statement as SQLAlchemy sends them, and its bound-parameter limit.
_SQLITE_ROWS = 1000
_SQLITE_PARAMETERS = 32766
_POSTGRESQL = postgresql.dialect()  # type: ignore[no-untyped-call]


def is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def insert_many(
    session: Session,
    table: Table,
    columns: tuple[str, ...],
    rows: Sequence[Sequence[Any]],
    *,
    skip_conflicts_on: str | None = None,
    returning: tuple[str, ...] = (),
) -> list[tuple[Any, ...]]:
    """Insert rows (values of `columns`, in that order) in one statement or a few; with `skip_conflicts_on`,
    a row whose value of that unique column is stored already is left out (ON CONFLICT DO NOTHING). The
    `returning` columns of the rows inserted, in no particular order."""
    if not rows:
        return []
    if is_postgresql(session):
        sql = _unnest_insert(table, columns, skip_conflicts_on, returning)
        arrays = zip(columns, zip(*rows, strict=True), strict=True)
        params = {f"c{i}": _array(table, name, values) for i, (name, values) in enumerate(arrays)}
        return _rows(session.execute(text(sql), params), returning)
    found: list[tuple[Any, ...]] = []
    per_statement = min(_SQLITE_ROWS, _SQLITE_PARAMETERS // len(columns))
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        sql = _values_insert(table, columns, len(chunk), skip_conflicts_on, returning)
        found += _rows(session.connection().exec_driver_sql(sql, _sqlite_values(table, columns, chunk)), returning)
    return found


def _sqlite_values(table: Table, columns: tuple[str, ...], rows: Sequence[Sequence[Any]]) -> tuple[Any, ...]:
    """The rows' values in one flat sequence, each column bound as SQLAlchemy's SQLite type binds it."""
    flat: list[Any] = []
    for row in rows:
        flat += row
    width = len(columns)
    for i, name in enumerate(columns):
        column_type = table.c[name].type
        if isinstance(column_type, JSON):
            flat[i::width] = [json.dumps(value) for value in flat[i::width]]
        elif isinstance(column_type, DateTime):
            flat[i::width] = _sqlite_instants(flat[i::width])
    return tuple(flat)


def _sqlite_instants(values: list[datetime | None]) -> list[str | None]:
    # A batch repeats the same instant objects (an article's sort_at in each of its tag links, the batch's
    # time): each object is formatted once. Keyed by identity, never by value: equal instants in different
    # offsets have different clock fields.
    texts: dict[int, str | None] = {}
    out: list[str | None] = []
    for value in values:
        key = id(value)
        if key not in texts:
            texts[key] = _sqlite_instant(value)
        out.append(texts[key])
    return out


def _rows(result: Any, returning: tuple[str, ...]) -> list[tuple[Any, ...]]:
    if not returning:
        result.close()
        return []
    return [tuple(row) for row in result]


def among(column: ColumnElement[Any], keys: Sequence[Any], session: Session) -> ColumnElement[bool]:
    """`column IN keys`; on PostgreSQL `column = ANY(:array)`, one parameter however many keys."""
    if is_postgresql(session):
        # Strings as TEXT[]: a cast to VARCHAR(n)[] would cut a longer key short, and it could then match.
        element = Text() if isinstance(column.type, String) else column.type
        return column == any_(bindparam(None, list(keys), type_=postgresql.ARRAY(element)))
    return column.in_(keys)


@cache
def _unnest_insert(table: Table, columns: tuple[str, ...], conflict: str | None, returning: tuple[str, ...]) -> str:
    names = ", ".join(columns)
    aliases = ", ".join(f"c{i}" for i in range(len(columns)))
    arrays = ", ".join(f"CAST(:c{i} AS {_element_type(table, name)}[])" for i, name in enumerate(columns))
    values = ", ".join(
        f"CAST(u.c{i} AS JSON)" if isinstance(table.c[name].type, JSON) else f"u.c{i}" for i, name in enumerate(columns)
    )
    sql = f"INSERT INTO {table.name} ({names}) SELECT {values} FROM unnest({arrays}) AS u({aliases})"  # noqa: S608
    if conflict is not None:
        sql += f" ON CONFLICT ({conflict}) DO NOTHING"
    if returning:
        sql += f" RETURNING {', '.join(returning)}"
    return sql


@cache
def _values_insert(
    table: Table, columns: tuple[str, ...], count: int, conflict: str | None, returning: tuple[str, ...]
) -> str:
    row = f"({', '.join('?' * len(columns))})"
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES {', '.join([row] * count)}"  # noqa: S608
    if conflict is not None:
        sql += f" ON CONFLICT ({conflict}) DO NOTHING"
    if returning:
        sql += f" RETURNING {', '.join(returning)}"
    return sql


def _sqlite_instant(value: datetime | None) -> str | None:
    return None if value is None else value.replace(tzinfo=None).isoformat(" ", "microseconds")


def _element_type(table: Table, name: str) -> str:
    column_type = table.c[name].type
    # JSON values travel as their text (json.dumps, as SQLAlchemy writes them) and are cast per row. Strings
    # travel as TEXT: the insert itself checks VARCHAR(n) lengths (an explicit cast would cut them short).
    if isinstance(column_type, JSON | String):
        return "TEXT"
    return column_type.compile(dialect=_POSTGRESQL)


def _array(table: Table, name: str, values: Sequence[Any]) -> list[Any]:
    if isinstance(table.c[name].type, JSON):
        return [json.dumps(value) for value in values]
    return list(values)
