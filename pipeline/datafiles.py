"""Reading the project's data files: CSV reviewed like code, each row named by its file and line so
a mistake in one can be reported where it is."""

from __future__ import annotations

import csv
from pathlib import Path


def read_rows(path: Path, optional: bool = False) -> list[tuple[str, dict[str, str]]]:
    """("path:line", row) for every row that holds a value; blank rows are skipped, not counted
    out of the line numbers. A missing file raises, unless `optional` (then it has no rows)."""
    if optional and not path.exists():
        return []
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            if any((value or "").strip() for value in row.values()):
                rows.append((f"{path}:{reader.line_num}", row))
    return rows
