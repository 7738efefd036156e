"""Bulk reads and writes for the writer: COPY on PostgreSQL, the driver's own executemany on SQLite,
and lookups of thousands of keys at once.

SQLAlchemy's executemany processes every parameter of every row in Python; for the batches a run
writes (thousands of statements, twelve LSH buckets an article) that is most of the writer's time.
On PostgreSQL (psycopg) rows are streamed with COPY inside the same transaction; on SQLite, tables
whose columns need no conversion go straight to sqlite3's executemany; the rest go through SQLAlchemy.
"""

from __future__ import annotations

import json

from sqlalchemy import JSON, BigInteger, Column, Integer, String, Table
from sqlalchemy.engine import Connection

# Column types whose Python values every driver takes as they are.
PLAIN_TYPES = (Integer, BigInteger, String)


def insert_rows(conn: Connection, table: Table, rows: list[dict]) -> None:
    """Insert rows that all have the keys of the first, in the connection's transaction."""
    if not rows:
        return
    columns = list(rows[0])
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        _copy(conn, table, columns, rows)
    elif all(isinstance(table.c[name].type, PLAIN_TYPES) for name in columns):
        marks = ", ".join(["?" if conn.dialect.paramstyle == "qmark" else "%s"] * len(columns))
        statement = f"INSERT INTO {_names(conn, [table.name])} ({_names(conn, columns)}) VALUES ({marks})"
        conn.exec_driver_sql(statement, [tuple(row[name] for name in columns) for row in rows])
    else:
        conn.execute(table.insert(), rows)


def _copy(conn: Connection, table: Table, columns: list[str], rows: list[dict]) -> None:
    as_json = [isinstance(table.c[name].type, JSON) for name in columns]
    cursor = conn.connection.dbapi_connection.cursor()
    with cursor.copy(f"COPY {_names(conn, [table.name])} ({_names(conn, columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([json.dumps(row[name]) if encode else row[name]
                            for name, encode in zip(columns, as_json, strict=True)])


def _names(conn: Connection, names: list[str]) -> str:
    """Identifiers quoted where the database needs it ("end" is reserved in PostgreSQL)."""
    return ", ".join(conn.dialect.identifier_preparer.quote(name) for name in names)


def in_column(conn: Connection, key: Column, value: Column, keys: list) -> list:
    """The distinct `value`s of the rows whose `key` is one of `keys` (plain columns of one table).

    SQLAlchemy renders an IN of thousands of values parameter by parameter, which costs more than the
    query, and every count of values is another statement in the driver's cache (half a megabyte each
    at this size). Here the keys are one parameter: an array on PostgreSQL, a JSON array on SQLite.
    """
    table, wanted, found = (_names(conn, [column.name]) for column in (key.table, key, value))
    select_from = f"SELECT DISTINCT {found} FROM {table} WHERE {wanted}"
    if conn.dialect.name == "postgresql":
        rows = conn.exec_driver_sql(f"{select_from} = ANY(%s)", (list(keys),))
    else:
        rows = conn.exec_driver_sql(f"{select_from} IN (SELECT value FROM json_each(?))", (json.dumps(keys),))
    return [row[0] for row in rows]
