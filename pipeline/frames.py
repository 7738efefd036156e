"""Query results as typed DataFrames: the columns and dtypes each query of pipeline.queries returns,
the same whatever the backend and whether or not there are rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd
from sqlalchemy.engine import Connection, Engine

Bind = Engine | Connection

DAY, TIME = "day", "time"  # pseudo-dtypes of `typed`: a calendar day, a timestamp
# Rows a chunked reader (`chunks`) holds at a time: about 75 MB of statements as DataFrames.
CHUNK_ROWS = 2000
DYAD_COLUMNS = {
    "day": DAY, "source": "str", "target": "str", "directed": "bool", "articles": "int64",
    "statements": "int64", "mean_hostility": "float64", "max_hostility": "float64",
    "mean_cooperation": "float64", "mean_tension": "float64", "day_articles": "int64",
    "tension_index": "float64", "rolling_7d": "float64", "anomaly": "bool", "kind": "str",
}
STATEMENT_COLUMNS = {
    "id": "int64", "article_id": "str", "day": DAY, "start": "int64", "end": "int64",
    "sentence": "str", "source": "str", "target": "str", "directed": "bool", "hostility": "float64",
    "cooperation": "float64", "tension": "float64", "category": "str", "rule": "str",
    "confidence": "float64", "quote": "str", "vader_compound": "float64", "cues": "object",
}
ARTICLE_COLUMNS = {
    "id": "str", "record_key": "str", "url": "str", "title": "str", "outlet": "str",
    "published_at": TIME, "day": DAY, "ingested_at": TIME, "text": "str", "origin": "str",
    "duplicate_of": "str", "run_id": "Int64",
}
QUOTE_COLUMNS = {
    "day": DAY, "source": "str", "target": "str", "directed": "bool", "category": "str",
    "hostility": "float64", "tension": "float64", "rule": "str", "confidence": "float64",
    "excerpt": "str", "quote": "str", "sentence": "str", "outlet": "str", "url": "str", "title": "str",
    "article_id": "str", "statement_id": "int64",
}
RANKED_COLUMNS = {
    "source": "str", "target": "str", "directed": "bool", "tension_index": "float64",
    "statements": "int64", "articles": "int64", "mean_hostility": "float64",
    "max_hostility": "float64", "days": "int64", "anomalies": "int64",
}
MOVER_COLUMNS = {
    "source": "str", "target": "str", "directed": "bool", "previous": "float64", "current": "float64",
    "delta": "float64",
}
MATRIX_COLUMNS = {
    "source": "str", "target": "str", "mean_tension": "float64", "statements": "int64",
    "tension_index": "float64",
}
HEADLINE_COLUMNS = {
    "articles": "int64", "duplicates": "int64", "statements": "int64", "pairs": "int64",
    "anomalies": "int64",
}


@contextmanager
def connection(bind: Bind) -> Iterator[Connection]:
    if isinstance(bind, Connection):
        yield bind
    else:
        with bind.connect() as connection:
            yield connection


def frame(bind: Bind, query, columns: dict[str, str]) -> pd.DataFrame:
    with connection(bind) as conn:
        result = conn.execute(query)
        frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()), dtype=object)
        return typed(frame, columns, zoned=_keeps_zones(conn))


def chunks(bind: Bind, query, columns: dict[str, str], rows: int) -> Iterator[pd.DataFrame]:
    """The result of `query` as typed DataFrames of at most `rows` rows, read from the database as
    they are used (a server-side cursor on PostgreSQL): memory bounded by `rows` whatever the size
    of the result. Every chunk has the same dtypes; an empty result is one empty frame, so that a
    writer still learns the columns."""
    with connection(bind) as conn:
        result = conn.execute(query.execution_options(stream_results=True, yield_per=rows))
        keys, zoned, empty = list(result.keys()), _keeps_zones(conn), True
        for part in result.partitions():
            empty = False
            yield typed(pd.DataFrame(part, columns=keys, dtype=object), columns, zoned=zoned)
        if empty:
            yield typed(pd.DataFrame([], columns=keys, dtype=object), columns, zoned=zoned)


def typed(frame: pd.DataFrame, columns: dict[str, str], zoned: bool = False) -> pd.DataFrame:
    """The same dtypes whatever the backend returned and whether or not there are rows; `zoned`
    when the backend returns aware times (see _timestamps)."""
    for name, dtype in columns.items():
        if dtype == DAY:
            frame[name] = pd.to_datetime(frame[name]).astype("datetime64[ns]")
        elif dtype == TIME:
            frame[name] = _timestamps(frame[name], zoned)
        elif name == "cues":
            frame[name] = frame[name].map(lambda cues: json.loads(cues) if isinstance(cues, str) else cues)
        else:
            frame[name] = frame[name].astype(dtype)
    return frame


def _keeps_zones(conn: Connection) -> bool:
    """SQLite keeps no zone (times come back naive); PostgreSQL's timestamptz comes back aware."""
    return conn.dialect.name != "sqlite"


def _timestamps(values: pd.Series, zoned: bool) -> pd.Series:
    """Times in microseconds: in UTC where the backend keeps zones, else naive (SQLite's own, and
    any with an offset, written there by other software, in UTC). Neither the unit nor the zone
    depends on the values, so that every chunk of one result has one dtype (pandas infers seconds
    for a column of nothing but NULLs, and no zone)."""
    stamps = pd.to_datetime(values, utc=True).dt.as_unit("us")
    return stamps if zoned else stamps.dt.tz_localize(None)
