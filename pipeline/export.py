"""Export the stored data as CSV, JSON or Parquet: `python -m pipeline export --what ...`.

Three things can be exported, each the rows of one query of `pipeline.queries`:

* `dyads`: the daily dyad index rows (`dyad_series`);
* `statements`: every statement column plus its article's date, url, title and outlet, syndicated
  copies marked (`duplicate`, `duplicate_of`) rather than dropped (`statement_rows`);
* `quotes`: the most hostile statements, copies folded (`key_quotes`).

Dyads and statements are read and written frames.CHUNK_ROWS rows at a time, so an export of a
whole database needs no more memory than one of a day. How each format is written, and how --out
is replaced only once complete, is pipeline.export_files.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, ProgrammingError

from pipeline import export_files, queries, settings, store
from pipeline.categories import ALL, check_kind

WHATS = ("dyads", "statements", "quotes")
FORMATS = ("csv", "json", "parquet")
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")  # strict: fromisoformat alone takes 20240102 and 2024-W01
PAIR = re.compile(r"([A-Za-z0-9]{2,8})-([A-Za-z0-9]{2,8})")  # codes are letters (and G7)


class ExportError(ValueError):
    """A request that cannot be served, said in one line (a bad date, an unreachable database)."""


@dataclass(frozen=True)
class Request:
    what: str
    start: dt.date | None = None
    end: dt.date | None = None
    pairs: tuple[tuple[str, str], ...] | None = None
    limit: int = 50  # quotes only
    kind: str = ALL  # the index of all statements, or of the words or the deeds (their statements)


def parse_day(text: str | None, option: str = "date") -> dt.date | None:
    """A YYYY-MM-DD day, strictly; None stays None.

    >>> parse_day("2024-02-29")
    datetime.date(2024, 2, 29)
    """
    if text is None:
        return None
    try:
        if not ISO_DAY.fullmatch(text):
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ExportError(f"{option} {text!r} is not a day in the form YYYY-MM-DD") from None


def parse_pair(text: str) -> tuple[str, str]:
    """'PRK-USA' -> ('PRK', 'USA'): directed, source first.

    >>> parse_pair("prk-usa")
    ('PRK', 'USA')
    """
    match = PAIR.fullmatch(text.strip())
    if not match:
        raise ExportError(f"--pair {text!r} is not two codes joined by '-', such as PRK-USA")
    return match.group(1).upper(), match.group(2).upper()


def frames_for(bind, request: Request, rows: int = queries.CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """The rows an export of `request` writes, as DataFrames of at most `rows` rows (quotes, a few
    by definition, as one)."""
    if request.what == "dyads":
        return queries.dyad_series_chunks(bind, request.start, request.end, request.pairs, rows, request.kind)
    if request.what == "statements":
        return queries.statement_row_chunks(bind, request.start, request.end, request.pairs, rows,
                                            request.kind)
    if request.what == "quotes":
        quotes = queries.key_quotes(bind, request.start, request.end, request.pairs, limit=request.limit,
                                    kind=request.kind)
        return iter([quotes])
    raise ExportError(f"cannot export {request.what!r}: choose one of {', '.join(WHATS)}")


def export(url: str, request: Request, form: str, out: str | None = None,
           check: Callable[[], None] = lambda: None) -> int:
    """Write the rows of `request` from the database at `url` to `out` (stdout when None, except
    for Parquet); return how many rows were written. Rows are read and written a chunk at a time,
    so memory does not grow with the export; a file appears whole, or not at all. `check` is
    called between chunks (export_files.write): the command line's raises a pending interrupt."""
    if form not in FORMATS:
        raise ExportError(f"unknown format {form!r}: choose one of {', '.join(FORMATS)}")
    if form == "parquet" and not out:
        raise ExportError("parquet is binary: give --out FILE")
    if request.start and request.end and request.start > request.end:
        raise ExportError(f"--from {request.start} is after --to {request.end}")
    if out is not None and not out.strip():
        raise ExportError("--out is empty: give a file, or leave it out for stdout")
    engine = _engine(url)
    try:
        return export_files.write(_of_known_schema(engine, url, request), form, out, check)
    except (OperationalError, ProgrammingError, ArgumentError) as error:
        raise ExportError(store.unreachable(url, error)) from None
    except BrokenPipeError:
        raise  # `export ... | head`: the reader had enough (the command line exits 0)
    except OSError as error:
        raise ExportError(f"{out or 'stdout'}: cannot write ({error.strerror or error})") from None
    finally:
        engine.dispose()


def _of_known_schema(engine, url: str, request: Request) -> Iterator[pd.DataFrame]:
    """frames_for, once the database is found at this version's schema (checked when the first rows
    are wanted, like any read, with the output file open: it appears whole or not at all)."""
    if lag := store.schema_lag(engine):
        raise ExportError(f"cannot export from {store.safe_url(url)}: {lag.message}")
    yield from frames_for(engine, request)


def _engine(url: str):
    """An engine on `url`, or ExportError naming why it cannot be: a malformed URL, a SQLite file
    that does not exist (SQLite would create it empty), a missing driver."""
    shown = store.safe_url(url)
    try:
        make_url(url)  # a malformed URL is named as such before anything connects
    except (ArgumentError, ValueError) as error:  # ValueError: a port that is not a number
        raise ExportError(f"cannot reach database {shown}: not a database URL ({error})") from None
    missing = settings.missing_sqlite_file(url)
    if missing:
        raise ExportError(f"cannot reach database {shown}: no such file {missing}")
    try:
        return store.make_engine(url)
    except (ArgumentError, ImportError) as error:
        raise ExportError(store.unreachable(url, error)) from None


def request_from(what: str, start: str | None, end: str | None, pairs: Sequence[str] | None,
                 limit: int = 50, kind: str = ALL) -> Request:
    """A Request from the command line's strings; ExportError on a bad day, pair or kind."""
    try:
        check_kind(kind)
    except ValueError as error:
        raise ExportError(f"--kind: {error}") from None
    return Request(what, parse_day(start, "--from"), parse_day(end, "--to"),
                   tuple(parse_pair(p) for p in pairs) if pairs else None, limit, kind)
