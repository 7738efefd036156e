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

    A header without each of `columns`, or a row with more or fewer fields than the header names (a
    comma too many in an unquoted note, a value left out), raises DataFileError: read on, its
    values would land in the wrong columns or in none.
    """
    if optional and not path.exists():
        return []
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        if missing := [name for name in columns if name not in header]:
            raise DataFileError(f"{path}:1: the header names no column {', '.join(missing)}")
        for row in reader:
            if any((value or "").strip() if isinstance(value, str) else value for value in row.values()):
                _check_width(row, len(header), f"{path}:{reader.line_num}")
                rows.append((f"{path}:{reader.line_num}", row))
    return rows


def _check_width(row: dict, width: int, where: str) -> None:
    # DictReader keeps the fields past the header's under the key None, and gives the missing ones None.
    fields = width + len(row.get(None) or []) - sum(value is None for key, value in row.items() if key)
    if fields != width:
        counted = f"{fields} field{'' if fields == 1 else 's'}"
        raise DataFileError(f"{where}: {counted}, but the header names {width} columns")
