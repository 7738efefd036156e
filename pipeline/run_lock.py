"""One run writes to a database at a time.

Two runs over the same input (a cron line firing while the last run still works, `watch` beside a
back-fill) would each find an article not yet stored and insert it: the second's batch fails on the
article's key. And a run decides at its end on the older versions its records replaced, which
assumes that no run it takes for dead is still at work. So `run` holds a lock from before it
brings the schema up to date until it has written its last row, one the operating system or the
server drops with the process, however it ends:

- SQLite: an exclusive `flock` on a file beside the database (its real path, links resolved, as
  SQLite opens it), `<database>.lock`. Not on the database file itself: SQLite's own POSIX locks on
  it are all dropped when any descriptor of the file in the process is closed. An in-memory
  database is the process's own and needs none.
- PostgreSQL: a session-level advisory lock (scoped to the database) held by one connection. A
  server can end that session under a run (a restart, a failover, a proxy's idle timeout): the runner
  checks before each batch that it still holds the lock (ensure_held), and stops if not. Other
  databases get no lock.

Forked children (`run --workers`) inherit the descriptor that holds the lock, the lock file's or
the server connection's, and would hold the lock on for a moment after a writer killed outright,
refusing the run that follows at once: in each child the descriptor is pointed at /dev/null.

A second run is refused at once (RunInProgressError), before it stores anything: cron fires again
soon, and `watch` tries again next cycle; waiting would pile runs up behind a long back-fill. The
block that holds the lock may enter it again (the command line takes it before the schema is
upgraded, and the runner inside); another thread may not.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.settings import sqlite_path

if TYPE_CHECKING:  # the command line imports the errors before it imports the database layer
    from sqlalchemy import Engine

# The advisory lock's key, in the bigint space PostgreSQL gives advisory locks: any constant
# serves, the lock being scoped to the database; this one reads "TensionR" in ASCII.
ADVISORY_KEY = 0x54656E73696F6E52


class RunLockError(RuntimeError):
    """The run cannot hold the database's run lock: worth trying again later."""


class RunInProgressError(RunLockError):
    """Another run is writing to the database."""


class RunLockLostError(RunLockError):
    """The server ended the session that held this run's lock: another run may now start."""


class LockFileError(ValueError):
    """The lock file beside a SQLite database cannot be opened (a folder in its place, say)."""


@dataclass(frozen=True)
class _Held:
    thread: int
    descriptor: int  # the lock file's, or the server connection's socket
    connection: object | None  # PostgreSQL: the connection whose session holds the lock
    where: str


_holding: dict[str, _Held] = {}  # by database: the locks this process holds (none in a forked child)


@contextmanager
def exclusive_run(engine: Engine) -> Iterator[None]:
    """Hold the database's run lock inside the block; RunInProgressError at once if another run
    holds it, LockFileError if a SQLite database's lock file cannot be opened."""
    identity = _identity(engine)
    where = engine.url.render_as_string()  # the password hidden
    held = _holding.get(identity) if identity else None
    if identity is None or (held and held.thread == threading.get_ident()):
        yield  # no lock to take, or taken already by the block this one is in
        return
    if held:
        raise _busy(engine, where)
    acquire = _advisory_lock if engine.dialect.name == "postgresql" else _file_lock
    with acquire(engine, identity, where) as held:
        _holding[identity] = held
        try:
            yield
        finally:
            del _holding[identity]


def ensure_held(engine: Engine) -> None:
    """RunLockLostError unless the session holding this process's lock on a PostgreSQL database is
    still there (a session-level lock lasts as long as its session)."""
    from sqlalchemy.exc import DBAPIError

    held = _holding.get(_identity(engine) or "")
    if held is None or held.connection is None:
        return
    try:
        held.connection.exec_driver_sql("SELECT 1")
        held.connection.commit()
    except DBAPIError:
        held.connection.rollback()  # the connection is invalid: let the lock's block end quietly
        raise RunLockLostError(f"lost the run lock on {held.where} (the server ended its session): this "
                               "run stopped; the batches stored so far stay, and the next run carries on"
                               ) from None


def _identity(engine: Engine) -> str | None:
    """What names the database for its lock: a SQLite file's lock path, a PostgreSQL URL; None for
    an in-memory database or another kind."""
    if engine.dialect.name == "postgresql":
        return engine.url.render_as_string()
    if engine.dialect.name != "sqlite":
        return None
    path = sqlite_path(engine.url)
    return f"{os.path.realpath(path)}.lock" if path else None


@contextmanager
def _file_lock(engine: Engine, path: str, where: str) -> Iterator[_Held]:
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)  # the umask decides who may share it
    except PermissionError:
        descriptor = _open_read_only(path)  # flock needs no write access: another user's lock file
    except OSError as error:
        raise LockFileError(f"cannot open the run lock {path}: {error.strerror}") from None
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise _busy(engine, where) from None
        yield _Held(threading.get_ident(), descriptor, None, where)
    finally:
        os.close(descriptor)  # drops the lock; the file stays: removing it would race a next run


def _open_read_only(path: str) -> int:
    try:
        return os.open(path, os.O_RDONLY)
    except OSError as error:
        raise LockFileError(f"cannot open the run lock {path}: {error.strerror}") from None


@contextmanager
def _advisory_lock(engine: Engine, identity: str, where: str) -> Iterator[_Held]:
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    with engine.connect() as conn:
        if conn.dialect.server_version_info >= (14,):
            # The lock's session sits idle between batches: a server's idle_session_timeout (a
            # managed service may set one) would end it, and the run with it (RunLockLostError).
            conn.execute(text("SET idle_session_timeout = 0"))
        held = conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}).scalar()
        conn.commit()  # the lock is the session's: no transaction stays open beside the run
        if not held:
            raise _busy(engine, where)
        try:
            yield _Held(threading.get_ident(), conn.connection.dbapi_connection.fileno(), conn, where)
        finally:
            try:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
                conn.commit()
            except SQLAlchemyError:  # a broken connection: the server dropped the lock with it
                conn.invalidate()


def _let_go_in_child() -> None:
    """After a fork, in the child: its copies of the holding descriptors are pointed at /dev/null,
    which drops them without freeing their numbers for reuse (the child's copy of the connection
    object still names its number)."""
    if not _holding:
        return
    null = os.open(os.devnull, os.O_RDWR)
    for held in _holding.values():
        os.dup2(null, held.descriptor)
    os.close(null)
    _holding.clear()


os.register_at_fork(after_in_child=_let_go_in_child)


def _busy(engine: Engine, where: str) -> RunInProgressError:
    return RunInProgressError(f"another run is writing to {where}{_holder(engine)}: this one stored "
                              "nothing; run it again once that one has ended")


def _holder(engine: Engine) -> str:
    """" (run 12, started 2026-12-07 06:40 UTC)" from the run recorded as running, should there be
    one to read (the holder may not have created the schema yet): a PostgreSQL session left by a
    dead client holds the lock until the server notices, and an operator needs to know which."""
    from datetime import UTC

    from sqlalchemy.exc import SQLAlchemyError

    from pipeline.lookups import running_run

    path = sqlite_path(engine.url) if engine.dialect.name == "sqlite" else None
    if path and not os.path.exists(path):
        return ""  # connecting would create the file the holder is about to
    try:
        found = running_run(engine)
    except SQLAlchemyError:
        return ""
    if found is None:
        return ""
    run_id, started = found
    started = started.astimezone(UTC) if started.tzinfo else started  # SQLite keeps UTC without a zone
    return f" (run {run_id}, started {started:%Y-%m-%d %H:%M} UTC)"
