"""Export the stored data as CSV, JSON or Parquet: `python -m pipeline export --what ...`.

Three things can be exported, each the rows of one query of `pipeline.queries`:

* `dyads`: the daily dyad index rows (`dyad_series`);
* `statements`: every statement column plus its article's date, url, title and outlet, syndicated
  copies marked (`duplicate`, `duplicate_of`) rather than dropped (`statement_rows`);
* `quotes`: the most hostile statements, copies folded (`key_quotes`).

Dyads and statements are read and written queries.CHUNK_ROWS rows at a time, so an export of a
whole database needs no more memory than one of a day. A file is written beside --out and takes its
place once complete.

Days are written as YYYY-MM-DD (a date column in Parquet). `cues` stay nested in JSON and are JSON
text in CSV and Parquet. JSON is one array of row objects.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import stat
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, ProgrammingError

from pipeline import queries, settings, store

WHATS = ("dyads", "statements", "quotes")
FORMATS = ("csv", "json", "parquet")
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")  # strict: fromisoformat alone takes 20240102 and 2024-W01
PAIR = re.compile(r"([A-Za-z0-9]{2,8})-([A-Za-z0-9]{2,8})")  # codes are letters (and G7)


FORMULA_STARTS = ("=", "+", "-", "@")


class ExportError(ValueError):
    """A request that cannot be served, said in one line (a bad date, an unreachable database)."""


@dataclass(frozen=True)
class Request:
    what: str
    start: dt.date | None = None
    end: dt.date | None = None
    pairs: tuple[tuple[str, str], ...] | None = None
    limit: int = 50  # quotes only


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
        return queries.dyad_series_chunks(bind, request.start, request.end, request.pairs, rows)
    if request.what == "statements":
        return queries.statement_row_chunks(bind, request.start, request.end, request.pairs, rows)
    if request.what == "quotes":
        quotes = queries.key_quotes(bind, request.start, request.end, request.pairs, limit=request.limit)
        return iter([quotes])
    raise ExportError(f"cannot export {request.what!r}: choose one of {', '.join(WHATS)}")


def export(url: str, request: Request, form: str, out: str | None = None) -> int:
    """Write the rows of `request` from the database at `url` to `out` (stdout when None, except
    for Parquet); return how many rows were written. Rows are read and written a chunk at a time,
    so memory does not grow with the export; a file appears whole, or not at all."""
    if form not in FORMATS:
        raise ExportError(f"unknown format {form!r}: choose one of {', '.join(FORMATS)}")
    if form == "parquet" and not out:
        raise ExportError("parquet is binary: give --out FILE")
    if request.start and request.end and request.start > request.end:
        raise ExportError(f"--from {request.start} is after --to {request.end}")
    engine = _engine(url)
    try:
        return write(frames_for(engine, request), form, out)
    except (OperationalError, ProgrammingError, ArgumentError) as error:
        raise ExportError(store.unreachable(url, error)) from None
    except BrokenPipeError:
        raise  # `export ... | head`: the reader had enough (the command line exits 0)
    except OSError as error:
        raise ExportError(f"{out or 'stdout'}: cannot write ({error.strerror or error})") from None
    finally:
        engine.dispose()


def write(frames: Iterable[pd.DataFrame], form: str, out: str | None) -> int:
    """DataFrames of one result, in order, as one CSV, JSON or Parquet file at `out` (or stdout);
    returns the rows written."""
    writer = {"csv": _CsvWriter, "json": _JsonWriter, "parquet": _ParquetWriter}[form]()
    with _opened(out, binary=form == "parquet") as handle:
        try:
            for frame in frames:
                writer.add(handle, _portable(frame, form))
        except BaseException:
            writer.abandon()  # before the file it writes to is closed; no closing "]" to stdout
            raise
        writer.close(handle)
    return writer.rows


class _CsvWriter:
    """The header once, then each frame's rows."""

    def __init__(self) -> None:
        self.rows, self.started = 0, False

    def add(self, handle: IO, frame: pd.DataFrame) -> None:
        _inert(frame).to_csv(handle, index=False, header=not self.started, lineterminator="\n")
        self.rows, self.started = self.rows + len(frame), True

    def close(self, handle: IO) -> None:
        pass

    def abandon(self) -> None:
        pass


class _JsonWriter:
    """One array of row objects, written row by row: the same text as json.dumps of the whole list."""

    def __init__(self) -> None:
        self.rows = 0

    def add(self, handle: IO, frame: pd.DataFrame) -> None:
        for record in _records(frame):
            handle.write(", " if self.rows else "[")
            handle.write(json.dumps(record, ensure_ascii=False, allow_nan=False))
            self.rows += 1

    def close(self, handle: IO) -> None:
        handle.write("]\n" if self.rows else "[]\n")

    def abandon(self) -> None:
        pass


class _ParquetWriter:
    """One row group a frame. The schema is the first frame's, but `day` is a date column whatever
    that frame holds: from a frame without any day, pyarrow would guess another type and refuse
    the days of the next."""

    def __init__(self) -> None:
        self.rows, self.writer = 0, None

    def add(self, handle: IO, frame: pd.DataFrame) -> None:
        if self.writer is None:
            schema = pa.Table.from_pandas(frame, preserve_index=False).schema
            if "day" in schema.names:
                schema = schema.set(schema.get_field_index("day"), pa.field("day", pa.date32()))
            self.writer = pq.ParquetWriter(handle, schema)
        self.writer.write_table(pa.Table.from_pandas(frame, schema=self.writer.schema, preserve_index=False))
        self.rows += len(frame)

    def close(self, handle: IO) -> None:
        if self.writer is not None:
            self.writer.close()

    def abandon(self) -> None:
        if self.writer is not None:
            with suppress(Exception):  # the error that stopped the export is the one to report
                self.writer.close()


@contextmanager
def _opened(out: str | None, binary: bool) -> Iterator[IO]:
    """stdout, or the file `out`. A regular file (or a new one) is written beside it and takes its
    place once complete, with the old one's permissions: an export that fails half-way (a full disk,
    a lost database) leaves no truncated file that looks whole. Anything else, a device or a pipe
    (/dev/stdout, >(gzip > x.gz)), is written in place, as is a file whose folder cannot be written."""
    options = {} if binary else {"encoding": "utf-8", "newline": ""}
    if out is None:
        yield sys.stdout
        return
    try:
        mode = os.stat(out).st_mode
    except FileNotFoundError:
        mode = None
    target = Path(out).resolve()  # through a symbolic link: the link stays, its target is replaced
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    handle = _new_file(partial, binary, options) if mode is None or stat.S_ISREG(mode) else None
    if handle is None:
        with open(out, "wb" if binary else "w", **options) as direct:
            yield direct
        return
    try:
        with handle:
            yield handle
        if mode is not None:
            os.chmod(partial, stat.S_IMODE(mode))
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _new_file(path: Path, binary: bool, options: dict) -> IO | None:
    """`path` created and opened for writing; None where its folder cannot be written."""
    try:
        return open(path, "xb" if binary else "x", **options)  # noqa: SIM115 - the caller closes it
    except PermissionError:
        return None


def _inert(frame: pd.DataFrame) -> pd.DataFrame:
    """Article text is untrusted: a cell starting with = + - or @ would run as a formula in a
    spreadsheet, so it gets a leading apostrophe (the spreadsheet convention for literal text)."""
    text_columns = [c for c in frame.columns if frame[c].dtype == object or str(frame[c].dtype) == "str"]
    inert = frame.copy()
    for column in text_columns:
        inert[column] = inert[column].map(
            lambda v: "'" + v if isinstance(v, str) and v[:1] in FORMULA_STARTS else v
        )
    return inert


def _engine(url: str):
    """An engine on `url`, or ExportError naming why it cannot be: a malformed URL, a SQLite file
    that does not exist (SQLite would create it empty), a missing driver."""
    shown = store.safe_url(url)
    try:
        make_url(url)  # a malformed URL is named as such before anything connects
    except (ArgumentError, ValueError) as error:  # ValueError: a port that is not a number
        raise ExportError(f"cannot reach database {shown}: not a database URL ({error})") from None
    missing = _missing_sqlite_file(url)
    if missing:
        raise ExportError(f"cannot reach database {shown}: no such file {missing}")
    try:
        return store.make_engine(url)
    except (ArgumentError, ImportError) as error:
        raise ExportError(store.unreachable(url, error)) from None


def _missing_sqlite_file(url: str) -> str | None:
    """The path of a SQLite URL whose file does not exist (SQLite would create it empty)."""
    path = settings.sqlite_file(url)
    return None if path is None or Path(path).exists() else path


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as plain Python values, missing ones None (json.dumps keeps every digit of a float)."""
    plain = frame.astype(object)
    return plain.where(frame.notna(), None).to_dict("records")


def _portable(frame: pd.DataFrame, form: str) -> pd.DataFrame:
    """Days as dates (Parquet) or YYYY-MM-DD text; cues as JSON text outside JSON."""
    frame = frame.copy()
    for name in frame.columns:
        column = frame[name]
        if name == "day" and pd.api.types.is_datetime64_any_dtype(column):
            frame[name] = column.dt.date if form == "parquet" else column.dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_datetime64_any_dtype(column) and form != "parquet":
            frame[name] = column.map(lambda t: None if pd.isna(t) else t.isoformat())
        elif name == "cues" and form != "json":
            frame[name] = column.map(lambda cues: json.dumps(cues, ensure_ascii=False))
    return frame


def request_from(what: str, start: str | None, end: str | None, pairs: Sequence[str] | None,
                 limit: int = 50) -> Request:
    """A Request from the command line's strings; ExportError on a bad day or pair."""
    return Request(what, parse_day(start, "--from"), parse_day(end, "--to"),
                   tuple(parse_pair(p) for p in pairs) if pairs else None, limit)
