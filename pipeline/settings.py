"""Where the database is, and how much a run stores at once, known without importing the database
layer: the command line decides before it imports SQLAlchemy whether to start work ahead of opening
the database (see cli_run.run)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

# sqlite[+driver]://[/path][?query], the forms SQLAlchemy reads; the path is relative to the working
# folder unless it starts with a further "/".
SQLITE_URL = re.compile(r"sqlite(?:\+\w+)?://(?:/(?P<path>[^?]*))?(?:\?.*)?$")
DEFAULT_URL = f"sqlite:///{Path(__file__).resolve().parent.parent / 'data' / 'tension.db'}"
# Articles a run reads ahead, prepares and stores at once (one transaction), unless `--batch-size`
# says otherwise: bounds memory whatever the size of the input. Each batch looks up and inserts
# twelve LSH buckets an article, random keys in an index that outgrows SQLite's page cache, in one
# sorted sweep: a larger batch reads each index page for more articles, for more memory. 1,024 was
# measured against 512 and 2,048 on the whole benchmark corpus (the figures are in docs/measurements.md).
BATCH_SIZE = 1024


def database_url(cli_url: str | None = None) -> str:
    """--db, else TENSION_DB_URL, else the SQLite file data/tension.db."""
    return cli_url or os.environ.get("TENSION_DB_URL") or DEFAULT_URL


def sqlite_file(url: str) -> str | None:
    """The file a SQLite URL names; None for another database, an in-memory one, or a URI filename
    ("file:...", which SQLite resolves itself). One reading of the URL for every caller that must
    not let SQLite create a file by connecting to it.

    >>> sqlite_file("sqlite:////data/t.db"), sqlite_file("sqlite+pysqlite:///t.db?timeout=5")
    ('/data/t.db', 't.db')
    >>> sqlite_file("sqlite://"), sqlite_file("sqlite:///:memory:"), sqlite_file("postgresql://db/t")
    (None, None, None)
    """
    found = SQLITE_URL.match(url)
    path = found["path"] if found else None
    return None if not path or path == ":memory:" or path.startswith("file:") else path


def sqlite_path(url: URL) -> str | None:
    """The file a parsed SQLite URL (an engine's `url`) opens, read from its parts (rendering it
    again would quote é, : or @ in the path); None in memory. A URI filename (`file:...?uri=true`) is
    decoded as SQLite decodes it. What the run lock and the log's fold (pipeline.database) work on.

    >>> from sqlalchemy.engine import make_url
    >>> [sqlite_path(make_url(u)) for u in ("sqlite:////d/t.db", "sqlite://", "sqlite:///file:t.db?uri=true")]
    ['/d/t.db', None, 't.db']
    """
    database = url.database
    if not database or database == ":memory:":
        return None
    if database.startswith("file:") and url.query.get("uri") in ("true", "True", "1"):
        # SQLAlchemy has moved the URI's options (mode=memory among them) into url.query.
        path = unquote(database[len("file:"):].removeprefix("//localhost").removeprefix("//"))
        return None if not path or path == ":memory:" or url.query.get("mode") == "memory" else path
    return database


def missing_sqlite_file(url: str) -> str | None:
    """The path of a SQLite URL whose file does not exist (connecting would create it, empty); None
    for any other URL. What a command that only reads or upgrades says it cannot find.

    >>> missing_sqlite_file("sqlite:///no/such/dir/x.db"), missing_sqlite_file(f"sqlite:///{__file__}")
    ('no/such/dir/x.db', None)
    """
    path = sqlite_file(url)
    return path if path is not None and not Path(path).exists() else None


def is_new_sqlite_file(url: str) -> bool:
    """True when `url` is a SQLite database that does not exist yet (a file not there, or in memory),
    so that nothing read can be stored in it already.

    >>> is_new_sqlite_file("sqlite:///no/such/dir/x.db"), is_new_sqlite_file("sqlite://")
    (True, True)
    >>> is_new_sqlite_file("postgresql://db/tension"), is_new_sqlite_file(f"sqlite:///{__file__}")
    (False, False)
    """
    if not SQLITE_URL.match(url):
        return False
    path = sqlite_file(url)
    return path is None or not Path(path).exists()
