"""Bulk reads and writes for the writer: COPY on PostgreSQL, the driver's own executemany on SQLite,
and lookups of thousands of keys at once.

SQLAlchemy's executemany processes every parameter of every row in Python; for the batches a run
writes (thousands of statements, twelve LSH buckets an article) that is most of the writer's time.
On PostgreSQL (psycopg) rows are streamed with COPY inside the same transaction; on SQLite they go
to sqlite3's executemany, each value converted by its column type's own bind processor (a quarter
faster on a batch of articles and statements; tests/test_bulk.py checks the stored values are the
same). Other databases get SQLAlchemy's executemany.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from sqlalchemy import JSON, Column, Table
from sqlalchemy.engine import Connection


def insert_rows(conn: Connection, table: Table, rows: list[dict]) -> None:
    """Insert rows that all have the keys of the first, in the connection's transaction."""
    if not rows:
        return
    columns = list(rows[0])
    if conn.dialect.name == "sqlite":
        _executemany(conn, table, columns, _converted(conn, table, columns, rows))
    elif conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        _copy(conn, table, columns, ([row[name] for name in columns] for row in rows))
    else:
        conn.execute(table.insert(), rows)


def insert_values(conn: Connection, table: Table, columns: list[str], values: list[tuple]) -> None:
    """Insert rows given as tuples of plain values (numbers, strings) in the order of `columns`:
    nothing to convert, and no dict built for each (the LSH index writes twelve rows an article)."""
    if not values:
        return
    if conn.dialect.name == "sqlite":
        _executemany(conn, table, columns, values)
    elif conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        _copy(conn, table, columns, values)
    else:
        conn.execute(table.insert(), [dict(zip(columns, row, strict=True)) for row in values])


def _converted(conn: Connection, table: Table, columns: list[str], rows: list[dict]) -> list[tuple]:
    """Each value converted by its column type's own bind processor (the conversion SQLAlchemy would
    make: dates to ISO text, JSON to text), without its per-row work."""
    processors = [table.c[name].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
                  for name in columns]
    pairs = list(zip(columns, processors, strict=True))
    return [tuple(row[name] if convert is None else convert(row[name]) for name, convert in pairs)
            for row in rows]


def _executemany(conn: Connection, table: Table, columns: list[str], values: list[tuple]) -> None:
    """The driver's own executemany."""
    marks = ", ".join("?" * len(columns))
    statement = f"INSERT INTO {_names(conn, [table.name])} ({_names(conn, columns)}) VALUES ({marks})"
    conn.exec_driver_sql(statement, values)


def _copy(conn: Connection, table: Table, columns: list[str], rows: Iterable[Sequence]) -> None:
    """COPY rows of values in the order of `columns`; JSON columns are encoded here."""
    as_json = [isinstance(table.c[name].type, JSON) for name in columns]
    cursor = conn.connection.dbapi_connection.cursor()
    with cursor.copy(f"COPY {_names(conn, [table.name])} ({_names(conn, columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([json.dumps(value) if encode else value
                            for value, encode in zip(row, as_json, strict=True)])


def _names(conn: Connection, names: list[str]) -> str:
    """Identifiers quoted where the database needs it ("end" is reserved in PostgreSQL)."""
    return ", ".join(conn.dialect.identifier_preparer.quote(name) for name in names)


def in_column(conn: Connection, key: Column, value: Column, keys: list) -> list:
    """The distinct `value`s of the rows whose `key` is one of `keys` (plain columns of one table).

    SQLAlchemy renders an IN of thousands of values parameter by parameter, which costs more than the
    query, and every count of values is another statement in the driver's cache (half a megabyte each
    at this size). Here the keys are one parameter: an array on PostgreSQL, a JSON array on SQLite.
    """
    return [row[0] for row in distinct_rows(conn, key, [value], keys)]


def distinct_rows(conn: Connection, key: Column, columns: list[Column], keys: list) -> list[tuple]:
    """The distinct tuples of `columns` of the rows whose `key` is one of `keys`, as in_column."""
    table, wanted = (_names(conn, [column.name]) for column in (key.table, key))
    select_from = f"SELECT DISTINCT {_names(conn, [c.name for c in columns])} FROM {table} WHERE {wanted}"
    if conn.dialect.name == "postgresql":
        rows = conn.exec_driver_sql(f"{select_from} = ANY(%s)", (list(keys),))
    else:
        rows = conn.exec_driver_sql(f"{select_from} IN (SELECT value FROM json_each(?))", (json.dumps(keys),))
    return [tuple(row) for row in rows]
