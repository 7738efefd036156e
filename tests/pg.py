"""A throw-away PostgreSQL server for the storage tests (a helper module, not a test file).

`postgres_server()` starts a private cluster from the Debian server binaries
(/usr/lib/postgresql/<version>/bin): initdb with trust authentication into a temporary folder,
`pg_ctl start -w` on a free port of 127.0.0.1 plus a unix socket in the same folder, fsync off
(the data is thrown away). It yields a `PgServer` whose `url` points at the `postgres` database
and whose `create_database(name)` returns the URL of a new, empty database. On exit the cluster
is stopped (`pg_ctl stop -m immediate`) and its folder removed.

The URLs name the installed driver explicitly (psycopg 3, which requirements.txt installs and
which SQLAlchemy 2.1 also uses for a bare `postgresql://`; a test checks that bare form too).

If TENSION_TEST_PG_URL names a running server, that server is used and nothing is started.
Without binaries and without that URL the tests skip, saying what to install, except under CI,
where they fail: CI must run the PostgreSQL tests.

Root cannot run initdb, so as root every server command runs as the `postgres` user in a folder
that user owns; anyone else runs them as themselves.
"""

from __future__ import annotations

import contextlib
import glob
import importlib.util
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

URL_ENV = "TENSION_TEST_PG_URL"
NOT_INSTALLED = "PostgreSQL 15 server not installed: apt-get install postgresql"
SERVER_USER = "postgres"
# Database names are interpolated into CREATE DATABASE (identifiers cannot be bound), so only
# plain lower-case identifiers are accepted.
SAFE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
# Settings for a disposable cluster: no durability work, no TCP beyond loopback, UTC sessions.
SERVER_OPTIONS = (
    "-c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
    "-c full_page_writes=off -c timezone=UTC -c max_connections=50"
)
PREFIX = "tension-pg-"  # temporary folders: <PREFIX>xxxx/{owner.pid,data,socket,server.log}
SHM_NEEDED = 1 << 30  # bytes free in /dev/shm before the cluster goes there (Docker's default is 64 MB)
COMMAND_TIMEOUT = 60  # seconds; a cluster starts in about one


class PgServer:
    """A PostgreSQL server reachable at `url`, able to make fresh databases."""

    def __init__(self, url: str) -> None:
        self.url = with_driver(url)

    def url_for(self, name: str) -> str:
        """The URL of database `name` on this server."""
        return make_url(self.url).set(database=name).render_as_string(hide_password=False)

    def create_database(self, name: str) -> str:
        """Create an empty database `name` and return its URL."""
        self._admin(f"CREATE DATABASE {_identifier(name)}")
        return self.url_for(name)

    def drop_database(self, name: str) -> None:
        """Drop database `name`, closing any connection still open to it (PostgreSQL 13+)."""
        self._admin(f"DROP DATABASE IF EXISTS {_identifier(name)} WITH (FORCE)")

    def _admin(self, statement: str) -> None:
        # CREATE/DROP DATABASE cannot run inside a transaction block, hence AUTOCOMMIT.
        engine = create_engine(self.url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        try:
            with engine.connect() as conn:
                conn.execute(text(statement))
        finally:
            engine.dispose()


@contextlib.contextmanager
def postgres_server() -> Iterator[PgServer]:
    """The server named by TENSION_TEST_PG_URL, else a throw-away cluster for the duration."""
    given = os.environ.get(URL_ENV)
    if given:
        yield PgServer(given)
        return
    bindir = find_bindir()
    if bindir is None:
        unavailable(NOT_INSTALLED)
    with _cluster(bindir) as url:
        yield PgServer(url)


def with_driver(url: str) -> str:
    """`url` with an explicit, installed driver when it names none (psycopg2 first, then psycopg 3)."""
    parsed = make_url(url)
    if parsed.drivername != "postgresql":
        return url
    driver = "psycopg2" if importlib.util.find_spec("psycopg2") else "psycopg"
    return parsed.set(drivername=f"postgresql+{driver}").render_as_string(hide_password=False)


def find_bindir() -> Path | None:
    """The folder with initdb/pg_ctl of the newest PostgreSQL installed, or None."""
    versions = [Path(p).parents[1] for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")]
    numbered = [v for v in versions if v.name.isdigit()]
    if numbered:
        return max(numbered, key=lambda v: int(v.name)) / "bin"
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


def unavailable(reason: str) -> None:
    """Skip, or under CI fail: CI must never quietly skip the PostgreSQL tests."""
    if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
        pytest.fail(f"{reason} (CI is set, so the PostgreSQL tests must run)", pytrace=False)
    pytest.skip(reason)


@contextlib.contextmanager
def _cluster(bindir: Path) -> Iterator[str]:
    """initdb + pg_ctl start in a temporary folder; stop and remove it afterwards."""
    as_root = os.geteuid() == 0
    parent = _scratch_parent(as_root)
    _reap_abandoned(Path(parent or tempfile.gettempdir()), bindir, as_root)
    root = Path(tempfile.mkdtemp(prefix=PREFIX, dir=parent))
    data, sockets, log = root / "data", root / "socket", root / "server.log"
    try:
        (root / "owner.pid").write_text(str(os.getpid()))
        sockets.mkdir()
        if as_root:
            shutil.chown(root, SERVER_USER, SERVER_USER)
            shutil.chown(sockets, SERVER_USER, SERVER_USER)
        _run(as_root, root, [bindir / "initdb", "-D", data, "-U", "postgres", "-A", "trust",
                             "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"])
        port = _start(as_root, root, bindir, data, sockets, log)
        try:
            yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
        finally:
            _stop(as_root, root, bindir, data)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _reap_abandoned(parent: Path, bindir: Path, as_root: bool) -> None:
    """Stop and remove clusters whose test process died without cleaning up (SIGKILL, timeout)."""
    for root in parent.glob(f"{PREFIX}*"):
        if not _owner_alive(root):
            _stop(as_root, root, bindir, root / "data")
            shutil.rmtree(root, ignore_errors=True)


def _owner_alive(root: Path) -> bool:
    try:
        os.kill(int((root / "owner.pid").read_text()), 0)
    except ProcessLookupError:
        return False
    except (OSError, ValueError):
        return True  # no owner.pid yet (being set up) or another user's process: leave it alone
    return True


def _scratch_parent(as_root: bool) -> str | None:
    """Memory-backed /dev/shm when it has room: CREATE DATABASE there takes ~0.02 s instead of
    ~0.25 s on disk. Else /tmp as root (a private TMPDIR may be closed to the postgres user)."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK) and shutil.disk_usage(shm).free > SHM_NEEDED:
        return str(shm)
    return "/tmp" if as_root else None


def _start(as_root: bool, root: Path, bindir: Path, data: Path, sockets: Path, log: Path) -> int:
    """Start on a free port; retry when another process takes the port in the meantime."""
    for attempt in range(3):
        port = _free_port()
        options = f"-p {port} -k {sockets} {SERVER_OPTIONS}"
        try:
            _run(as_root, root, [bindir / "pg_ctl", "start", "-w", "-t", "30", "-D", data,
                                 "-l", log, "-o", options])
            return port
        except RuntimeError:
            if attempt == 2:
                raise
            time.sleep(0.2)
    raise AssertionError("unreachable")


def _stop(as_root: bool, root: Path, bindir: Path, data: Path) -> None:
    try:
        _run(as_root, root, [bindir / "pg_ctl", "stop", "-m", "immediate", "-w", "-D", data])
    except (RuntimeError, subprocess.TimeoutExpired):
        # Last resort so no postmaster outlives the tests: SIGQUIT is an immediate shutdown.
        # Only to the postmaster of this data folder: a stale pid may belong to anything by now.
        with contextlib.suppress(OSError, ValueError, IndexError):
            pid = int((data / "postmaster.pid").read_text().split()[0])
            if str(data).encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                os.kill(pid, signal.SIGQUIT)


def _run(as_root: bool, cwd: Path, command: list) -> None:
    """Run a server command (as the postgres user when we are root); raise with its output."""
    argv = [str(part) for part in command]
    if as_root:
        argv = ["runuser", "-u", SERVER_USER, "--", *argv]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "TZ": "UTC"}
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=COMMAND_TIMEOUT, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        log = cwd / "server.log"
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stdout}{done.stderr}{tail}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _identifier(name: str) -> str:
    if not SAFE_NAME.fullmatch(name):
        raise ValueError(f"unsafe database name {name!r}: use [a-z_][a-z0-9_]*, at most 63 characters")
    return f'"{name}"'
