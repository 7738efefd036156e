"""Reading the project's data files: CSV reviewed like code, each row named by its file and line so
a mistake in one can be reported where it is."""

from __future__ import annotations

import csv
from pathlib import Path


class DataFileError(ValueError):
    """A data file whose header or row cannot be read as its columns; the message names the file
    and line."""


def read_rows(path: Path, optional: bool = False,
              columns: tuple[str, ...] = ()) -> list[tuple[str, dict[str, str]]]:
    """("path:line", row) for every row that holds a value; blank rows are skipped, not counted
    out of the line numbers. A missing file raises, unless `optional` (then it has no rows).

    A header without each of `columns`, a row that leaves one of them out, or a row with values
    beyond the header's columns (a comma in an unquoted note or pattern, which would cut it short)
    raises DataFileError. Left-out optional fields (a note) and empty padding are fine, as
    spreadsheets write them. A byte-order mark, which they write too, is not part of the header.
    """
    if optional and not path.exists():
        return []
    rows = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        if missing := [name for name in columns if name not in header]:
            raise DataFileError(f"{path}:1: the header names no column {', '.join(missing)}")
        for row in reader:
            if any(value.strip() for value in _values(row)):
                _check_width(row, len(header), columns, f"{path}:{reader.line_num}")
                rows.append((f"{path}:{reader.line_num}", row))
    return rows


def _values(row: dict) -> list[str]:
    # DictReader keeps the fields past the header's under the key None, and gives left-out ones None.
    extra = row.get(None) or []
    return [value for key, value in row.items() if key is not None and value is not None] + extra


def _check_width(row: dict, width: int, columns: tuple[str, ...], where: str) -> None:
    extra = [value for value in row.get(None) or [] if value.strip()]
    left_out = [name for name in columns if row.get(name) is None]
    if extra or left_out:
        fields = len(_values(row))
        counted = f"{fields} field{'' if fields == 1 else 's'}"
        raise DataFileError(f"{where}: {counted}, but the header names {width} columns")
