"""Where the database is, known without importing the database layer: the command line decides
before it imports SQLAlchemy whether to start work ahead of opening the database (see cli._run)."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_URL = f"sqlite:///{Path(__file__).resolve().parent.parent / 'data' / 'tension.db'}"


def database_url(cli_url: str | None = None) -> str:
    """--db, else TENSION_DB_URL, else the SQLite file data/tension.db."""
    return cli_url or os.environ.get("TENSION_DB_URL") or DEFAULT_URL


def is_new_sqlite_file(url: str) -> bool:
    """True when `url` is a SQLite database that does not exist yet (a file not there, or in memory),
    so that nothing read can be stored in it already.

    >>> is_new_sqlite_file("sqlite:///no/such/dir/x.db"), is_new_sqlite_file("sqlite://")
    (True, True)
    >>> is_new_sqlite_file("postgresql://db/tension"), is_new_sqlite_file(f"sqlite:///{__file__}")
    (False, False)
    """
    if not url.startswith("sqlite:"):
        return False
    path = url.removeprefix("sqlite:").removeprefix("//").removeprefix("/").split("?", 1)[0]
    return path in ("", ":memory:") or not Path(path).exists()
