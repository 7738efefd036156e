"""One result, given as DataFrames in order, written as one CSV, JSON or Parquet file (or to stdout).

Each frame is written as it comes, so a result never needs to be in memory whole. Days are written
as YYYY-MM-DD (a date column in Parquet); `cues` stay nested in JSON and are JSON text in CSV and
Parquet; JSON is one array of row objects, the same text as json.dumps of the whole list. Article
text is untrusted: a CSV cell that a spreadsheet would run as a formula is made literal.
"""

from __future__ import annotations

import json
import os
import re
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

FORMULA_STARTS = ("=", "+", "-", "@")
# Names of this process's open files: written in place, appended to (as `>> log` asks).
OPEN_FILE = re.compile(r"/dev/(?:stdout|stderr|fd/\d+)|/proc/(?:self|thread-self|\d+)/fd/\d+")
STREAM = -1  # _file_mode of a stream


def write(frames: Iterable[pd.DataFrame], form: str, out: str | None,
          check: Callable[[], None] = lambda: None) -> int:
    """DataFrames of one result, in order, as one CSV, JSON or Parquet file at `out` (or stdout);
    returns the rows written. `check` is called before each frame is written and before the file
    is completed: what it raises (an interrupt Python dropped) abandons the file as an error does."""
    writer = {"csv": _CsvWriter, "json": _JsonWriter, "parquet": _ParquetWriter}[form]()
    with _opened(out, binary=form == "parquet") as handle:
        try:
            for frame in frames:
                check()
                writer.add(handle, _portable(frame, form))
            check()
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
    a lost database) leaves no truncated file that looks whole. A stream (a device, a pipe,
    /dev/stdout, >(gzip > x.gz)) is appended to in place, as the shell's >> asks; a file whose folder
    cannot be written is overwritten in place."""
    options = {} if binary else {"encoding": "utf-8", "newline": ""}
    if out is None:
        yield sys.stdout
        return
    target = Path(out).resolve()  # through a symbolic link: the link stays, its target is replaced
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    mode = _file_mode(out)
    handle = None if mode == STREAM else _new_file(partial, binary, options)
    if handle is None:
        with open(out, ("a" if mode == STREAM else "w") + ("b" if binary else ""), **options) as direct:
            yield direct
        return
    try:
        with handle:
            yield handle
        if mode is not None:
            os.chmod(partial, mode)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _file_mode(out: str) -> int | None:
    """The permissions of the regular file `out`; None where there is no file yet; STREAM for
    anything else, and for a name of a file this process has open (/dev/stdout, /dev/fd/3, a link
    to them): it may be a regular file that the shell opened for appending."""
    if OPEN_FILE.fullmatch("/" + os.path.abspath(out).lstrip("/")):
        return STREAM
    try:
        mode = os.stat(out)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(mode.st_mode) or _is_stdout_or_stderr(mode):
        return STREAM
    return stat.S_IMODE(mode.st_mode)


def _is_stdout_or_stderr(file: os.stat_result) -> bool:
    for descriptor in (1, 2):
        with suppress(OSError):
            if os.path.samestat(file, os.fstat(descriptor)):
                return True
    return False


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
