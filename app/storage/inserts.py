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
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import JSON, ColumnElement, DateTime, String, Table, any_, bindparam, text
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
    rows: Sequence[dict[str, Any]],
    *,
    skip_conflicts_on: str | None = None,
    returning: tuple[str, ...] = (),
) -> list[tuple[Any, ...]]:
    """Insert rows (all with the same keys) in one statement or a few; with `skip_conflicts_on`, a row whose
    value of that unique column is stored already is left out (ON CONFLICT DO NOTHING). The `returning`
    columns of the rows inserted, in no particular order."""
    if not rows:
        return []
    columns = tuple(rows[0])
    if is_postgresql(session):
        sql = _unnest_insert(table, columns, skip_conflicts_on, returning)
        params = {f"c{i}": _array(table, name, rows) for i, name in enumerate(columns)}
        return _rows(session.execute(text(sql), params), returning)
    found: list[tuple[Any, ...]] = []
    convert = _sqlite_converters(table, columns)
    per_statement = min(_SQLITE_ROWS, _SQLITE_PARAMETERS // len(columns))
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        sql = _values_insert(table, columns, len(chunk), skip_conflicts_on, returning)
        values = tuple(f(row[name]) for row in chunk for name, f in zip(columns, convert, strict=True))
        found += _rows(session.connection().exec_driver_sql(sql, values), returning)
    return found


def _rows(result: Any, returning: tuple[str, ...]) -> list[tuple[Any, ...]]:
    if not returning:
        result.close()
        return []
    return [tuple(row) for row in result]


def among(column: ColumnElement[Any], keys: Sequence[Any], session: Session) -> ColumnElement[bool]:
    """`column IN keys`; on PostgreSQL `column = ANY(:array)`, one parameter however many keys."""
    if is_postgresql(session):
        array = bindparam(None, list(keys), type_=postgresql.ARRAY(column.type))
        return column == any_(array)
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


@cache
def _sqlite_converters(table: Table, columns: tuple[str, ...]) -> tuple[Callable[[Any], Any], ...]:
    return tuple(_sqlite_converter(table.c[name].type) for name in columns)


def _sqlite_converter(column_type: Any) -> Callable[[Any], Any]:
    """A value as SQLAlchemy's SQLite types would bind it: JSON as json.dumps text, instants as
    'YYYY-MM-DD HH:MM:SS.ffffff' of their own clock fields (storage keeps them in UTC), others as they are."""
    if isinstance(column_type, JSON):
        return json.dumps
    if isinstance(column_type, DateTime):
        return _sqlite_instant
    return _same


def _sqlite_instant(value: datetime | None) -> str | None:
    return None if value is None else value.replace(tzinfo=None).isoformat(" ", "microseconds")


def _same(value: Any) -> Any:
    return value


def _element_type(table: Table, name: str) -> str:
    column_type = table.c[name].type
    # JSON values travel as their text (json.dumps, as SQLAlchemy writes them) and are cast per row. Strings
    # travel as TEXT: the insert itself checks VARCHAR(n) lengths (an explicit cast would cut them short).
    if isinstance(column_type, JSON | String):
        return "TEXT"
    return column_type.compile(dialect=_POSTGRESQL)


def _array(table: Table, name: str, rows: Sequence[dict[str, Any]]) -> list[Any]:
    if isinstance(table.c[name].type, JSON):
        return [json.dumps(row[name]) for row in rows]
    return [row[name] for row in rows]
