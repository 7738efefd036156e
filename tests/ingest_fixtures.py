"""What the reader tests share: input files written by hand, and the readers run over them."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from pipeline.ingest import read_paths
from pipeline.models import Article, Reject


def write(folder: Path, name: str, content: str | bytes) -> str:
    """Write a file (gzip-compressed when the name ends with .gz) and return its path as a string."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    return str(path)


def read(*paths: str) -> list[Article | Reject]:
    return list(read_paths(paths))


def only(items: list[Article | Reject]) -> Article | Reject:
    assert len(items) == 1, items
    return items[0]


def jsonl(*records: object) -> str:
    return "".join(json.dumps(record) + "\n" for record in records)
