"""Connecting: engines (SQLite with WAL), Alembic migrations, safe messages."""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine

from pipeline.settings import sqlite_path

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The newest migration in migrations/versions (a test holds it to Alembic's own view).
HEAD = "0014"
SQLITE_CACHE_KIB = 16 * 1024
SQLITE_CHECKPOINT_PAGES = 10_000
FOLD_CACHE_KIB = 256
FOLD_WAIT_SECONDS = 1.0  # a fold that must wait longer is the close's to do
PASSWORD_IN_URL = re.compile(r"(://[^:/@]*:)[^@]*@")


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite files get WAL, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # A run inserts into indexes of random keys (hashes), touching pages all over a file that
    # grows past SQLite's 2 MB page cache: each miss is a read from the OS. 16 MB, and checkpoints
    # every 10,000 pages (about 40 MB of WAL) instead of 1,000, so that a page rewritten by many
    # batches is copied back once, took two fifths off the system time of a 40,000-story run
    # (4.1 s to 2.6 s) for 9 MB of memory, the same at any size of input.
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.execute(f"PRAGMA wal_autocheckpoint={SQLITE_CHECKPOINT_PAGES}")
    cursor.close()


@contextmanager
def folding_log(engine: Engine) -> Iterator[None]:
    """Fold what a SQLite file's write-ahead log holds so far into the file, on a thread of its own,
    while the block works; elsewhere, nothing.

    SQLite copies the log into the file when the last connection closes, which, at the end of a run,
    is one core copying every page the run wrote (a tenth of a second on 5,000 stories) while the
    other idles. A run calls this around its daily index, which is computed in Python meanwhile
    (sqlite3 lets go of the interpreter's lock while it copies), so that only the index's own pages
    are left for the close. A fold that cannot go at once (the file busy, or gone) leaves the log to
    the close, as before."""
    path = sqlite_path(engine.url) if engine.driver == "pysqlite" else None  # None in memory
    if path is None or engine.url.database.startswith("file:"):  # a URI filename: SQLite's to read
        yield
        return
    thread = threading.Thread(target=_fold_log, args=(Path(path).resolve(),), name="fold-wal", daemon=True)
    thread.start()
    try:
        yield
    finally:
        thread.join()


def _fold_log(path: Path) -> None:
    # A connection of its own, not the pool's, with a small page cache: folding fills the cache of the
    # connection that does it, and a pooled one with the run's 16 MB raised its peak by 10 MB. Opened
    # read-write, never created: a file moved away meanwhile is not replaced by an empty one.
    try:
        uri = f"{path.as_uri()}?mode=rw"
        with closing(sqlite3.connect(uri, uri=True, timeout=FOLD_WAIT_SECONDS)) as connection:
            connection.execute(f"PRAGMA cache_size=-{FOLD_CACHE_KIB}")
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
    except sqlite3.Error:  # busy, say: the close folds what is left
        pass


def alembic_config(connection):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration: a database made by an older version upgrades.
    One that is up to date is left alone, and an empty one gets the newest schema at once, both
    without loading Alembic (a tenth of a second, a fifth with its migrations, each run)."""
    current = revision(engine)
    if current == HEAD:
        return
    lag = _lag(current, engine)
    if lag and not lag.older:  # Alembic knows no such revision: say what it is, in one line
        raise NewerSchemaError(f"cannot upgrade {engine.url}: {lag.message}")
    if current is None and _is_empty(engine):
        _create_at_head(engine)
        return
    from alembic import command

    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:  # SQLite alters a table by copying it; dropping the old one must not cascade
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        with connection.begin():
            command.upgrade(alembic_config(connection), "head")
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


def _is_empty(engine: Engine) -> bool:
    with engine.connect() as connection:
        return not inspect(connection).get_table_names()


def _create_at_head(engine: Engine) -> None:
    """The tables of pipeline.schema, stamped with HEAD as Alembic stamps: what its migrations
    build (tests/test_store_migrations.py compares the two), in one transaction."""
    from pipeline.schema import metadata

    with engine.begin() as connection:
        metadata.create_all(connection)
        connection.exec_driver_sql(
            "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL,"
            " CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))")
        connection.execute(text("INSERT INTO alembic_version (version_num) VALUES (:head)"), {"head": HEAD})


def revision(engine: Engine) -> str | None:
    """The migration the database is at; None for an empty one."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


class SchemaLag(NamedTuple):
    """Why this version cannot read a database as it is: its schema is at an `older` migration
    (`python -m pipeline upgrade` brings it to HEAD), or at a newer one (made by a later version)."""

    older: bool
    message: str


class NewerSchemaError(Exception):
    """The database was made by a later version of Tension Tracker: this one cannot upgrade it."""


def schema_lag(engine: Engine) -> SchemaLag | None:
    """The database's lag behind (or ahead of) this version's schema; None when it is at HEAD, or
    empty (it has nothing to read yet)."""
    return _lag(revision(engine), engine)


def _lag(current: str | None, engine: Engine) -> SchemaLag | None:
    """schema_lag of a database at revision `current`. Revisions are numbered 0001, 0002, ...: they
    compare as text."""
    if current is None or current == HEAD:
        return None
    shown = str(engine.url)  # the password hidden
    if current > HEAD:
        return SchemaLag(False, f"its schema ({current}) is newer than this version's ({HEAD}): update "
                                f"Tension Tracker")
    return SchemaLag(True, f"its schema ({current}) is older than this version's ({HEAD}): upgrade it "
                           f"with `python -m pipeline upgrade --db {shown}`")


def safe_url(url: str) -> str:
    """The URL with any password hidden, for messages, even when it is too broken to parse.

    >>> safe_url("postgresql://ann:secret@db/x"), safe_url("bad://ann:secret@db:port/x")
    ('postgresql://ann:***@db/x', 'bad://ann:***@db:port/x')
    """
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a URL too broken to parse still must not show its password
        return PASSWORD_IN_URL.sub(r"\1***@", url)


def unreachable(url: str, error: BaseException) -> str:
    """The one line a user sees when `url` cannot be used: the URL (password hidden) and the first
    line of the driver's reason, without SQLAlchemy's background link."""
    reason = str(getattr(error, "orig", None) or error)
    lines = [line.strip() for line in reason.splitlines() if line.strip()]
    first = re.sub(r"\s*\(Background on this error.*$", "", lines[0]) if lines else type(error).__name__
    return f"cannot reach database {safe_url(url)}: {first}"
