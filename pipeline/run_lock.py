"""One run writes to a database at a time.

Two runs over the same input (a cron line firing while the last run still works, `watch` beside a
back-fill) would each find an article not yet stored and insert it: the second's batch fails on the
article's key. And a run decides at its end on the older versions its records replaced, which
assumes that no run it takes for dead is still at work. So `run` holds a lock for as long as it
writes, one the operating system or the server drops with the process, however it ends:

- SQLite: an exclusive `flock` on a file beside the database, `<database>.lock`. Not on the
  database file itself: SQLite's own POSIX locks on it are all dropped when any descriptor of the
  file in the process is closed. An in-memory database is the process's own and needs none.
- PostgreSQL: a session-level advisory lock (scoped to the database) held by one connection.

Forked children (`run --workers`) inherit the descriptor that holds the lock, the lock file's or
the server connection's, and would hold the lock on for a moment after a writer killed outright,
refusing the run that follows at once: in each child the descriptor is pointed at /dev/null.

A second run is refused at once (RunInProgressError), before it stores anything: cron fires again
soon, and `watch` tries again next cycle; waiting would pile runs up behind a long back-fill.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from pipeline.settings import sqlite_file

if TYPE_CHECKING:  # the command line imports the error before it imports the database layer
    from sqlalchemy import Engine

# The advisory lock's key, in the bigint space PostgreSQL gives advisory locks: any constant
# serves, the lock being scoped to the database; this one reads "TensionR" in ASCII.
ADVISORY_KEY = 0x54656E73696F6E52


# The descriptors through which this process holds a run lock: none in a forked child.
_holding: set[int] = set()


class RunInProgressError(RuntimeError):
    """Another run is writing to the database."""


@contextmanager
def exclusive_run(engine: Engine) -> Iterator[None]:
    """Hold the database's run lock inside the block; RunInProgressError at once if another run
    holds it."""
    where = engine.url.render_as_string()  # the password hidden
    if engine.dialect.name == "postgresql":
        with _advisory_lock(engine, where):
            yield
        return
    path = sqlite_file(engine.url.render_as_string(hide_password=False))
    if path is None:
        yield
        return
    with _file_lock(f"{path}.lock", where):
        yield


@contextmanager
def _file_lock(path: str, where: str) -> Iterator[None]:
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise _busy(where) from None
        with _held(descriptor):
            yield
    finally:
        os.close(descriptor)  # drops the lock; the file stays: removing it would race a next run


@contextmanager
def _advisory_lock(engine: Engine, where: str) -> Iterator[None]:
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    with engine.connect() as conn:
        held = conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}).scalar()
        conn.commit()  # the lock is the session's: no transaction stays open beside the run
        if not held:
            raise _busy(where)
        try:
            with _held(conn.connection.dbapi_connection.fileno()):
                yield
        finally:
            try:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
                conn.commit()
            except DBAPIError:  # a broken connection: the server dropped the lock with it
                conn.invalidate()


@contextmanager
def _held(descriptor: int) -> Iterator[None]:
    _holding.add(descriptor)
    try:
        yield
    finally:
        _holding.discard(descriptor)


def _let_go_in_child() -> None:
    """After a fork, in the child: its copies of the holding descriptors are pointed at /dev/null,
    which drops them without freeing their numbers for reuse (the child's copy of the connection
    object still names its number)."""
    if not _holding:
        return
    null = os.open(os.devnull, os.O_RDWR)
    for descriptor in _holding:
        os.dup2(null, descriptor)
    os.close(null)
    _holding.clear()


os.register_at_fork(after_in_child=_let_go_in_child)


def _busy(where: str) -> RunInProgressError:
    return RunInProgressError(f"another run is writing to {where}: this one stored nothing; run it "
                              "again once that one has ended")
