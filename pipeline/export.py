"""Export the stored data as CSV, JSON or Parquet: `python -m pipeline export --what ...`.

Three things can be exported, each the DataFrame of one query of `pipeline.queries`:

* `dyads`: the daily dyad index rows (`dyad_series`);
* `statements`: every statement column plus its article's date, url, title and outlet, syndicated
  copies marked (`duplicate`, `duplicate_of`) rather than dropped (`statement_rows`);
* `quotes`: the most hostile statements, copies folded (`key_quotes`).

Days are written as YYYY-MM-DD (a date column in Parquet). `cues` stay nested in JSON and are JSON
text in CSV and Parquet. JSON is one array of row objects.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
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


def frame_for(bind, request: Request) -> pd.DataFrame:
    """The DataFrame an export of `request` writes."""
    if request.what == "dyads":
        return queries.dyad_series(bind, request.start, request.end, request.pairs)
    if request.what == "statements":
        return queries.statement_rows(bind, request.start, request.end, request.pairs)
    if request.what == "quotes":
        return queries.key_quotes(bind, request.start, request.end, request.pairs, limit=request.limit)
    raise ExportError(f"cannot export {request.what!r}: choose one of {', '.join(WHATS)}")


def export(url: str, request: Request, form: str, out: str | None = None) -> int:
    """Write the rows of `request` from the database at `url` to `out` (stdout when None, except
    for Parquet); return how many rows were written."""
    if form not in FORMATS:
        raise ExportError(f"unknown format {form!r}: choose one of {', '.join(FORMATS)}")
    if form == "parquet" and not out:
        raise ExportError("parquet is binary: give --out FILE")
    if request.start and request.end and request.start > request.end:
        raise ExportError(f"--from {request.start} is after --to {request.end}")
    frame = _read(url, request)
    try:
        write(frame, form, out)
    except OSError as error:
        raise ExportError(f"{out}: cannot write ({error.strerror or error})") from None
    return len(frame)


def write(frame: pd.DataFrame, form: str, out: str | None) -> None:
    """`frame` as CSV, JSON or Parquet, to the file `out` or to stdout."""
    frame = _portable(frame, form)
    if form == "parquet":
        frame.to_parquet(out, index=False)
        return
    text = (_inert(frame).to_csv(index=False, lineterminator="\n") if form == "csv"
            else json.dumps(_records(frame), ensure_ascii=False, allow_nan=False) + "\n")
    if out:
        Path(out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


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


def _read(url: str, request: Request) -> pd.DataFrame:
    shown = store.safe_url(url)
    try:
        make_url(url)  # a malformed URL is named as such before anything connects
    except (ArgumentError, ValueError) as error:  # ValueError: a port that is not a number
        raise ExportError(f"cannot reach database {shown}: not a database URL ({error})") from None
    missing = _missing_sqlite_file(url)
    if missing:
        raise ExportError(f"cannot reach database {shown}: no such file {missing}")
    try:
        engine = store.make_engine(url)
        try:
            return frame_for(engine, request)
        finally:
            engine.dispose()
    except (OperationalError, ProgrammingError, ArgumentError, ImportError) as error:
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
