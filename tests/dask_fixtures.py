"""Dask clusters for the tests of pipeline.distributed (a helper module, not a test file): a scheduler
and workers started with the `dask` command from a checkout, as a user would, each in its own process
group and stopped with all its children; another checkout's code; and what a run has stored so far.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text

from pipeline import store
from pipeline.distributed import probe

REPO = Path(__file__).resolve().parents[1]
DASK = Path(sys.executable).with_name("dask")


def free_port() -> int:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        return listener.getsockname()[1]


def start(log: Path, checkout: Path, *args: str) -> subprocess.Popen:
    """A `dask` command run from `checkout`, in its own process group (so that it ends with all its
    children)."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    with log.open("wb") as out:
        return subprocess.Popen([str(DASK), *args], cwd=checkout, env=env, start_new_session=True,
                                stdout=out, stderr=subprocess.STDOUT)


@contextmanager
def running_cluster(logs: Path, checkout: Path, workers: int = 2) -> Iterator[str]:
    """The address of a scheduler and `workers` worker processes started from `checkout`. The `dask`
    command is a pinned dependency: a cluster that cannot start fails the tests, with its logs."""
    from distributed import Client

    address = f"tcp://127.0.0.1:{free_port()}"
    processes = []
    try:
        processes.append(start(logs / "scheduler.log", checkout, "scheduler", "--host", "127.0.0.1",
                               "--port", address.rsplit(":", 1)[1], "--no-dashboard"))
        if workers:
            processes.append(start(logs / "worker.log", checkout, "worker", address, "--nworkers",
                                   str(workers), "--nthreads", "1", "--no-dashboard"))
        try:
            with Client(address, timeout="60s", set_as_default=False) as client:
                if workers:
                    client.wait_for_workers(workers, timeout=120)
        except (OSError, TimeoutError) as error:
            output = "\n".join(f"--- {log.name}\n{log.read_text()[-3000:]}" for log in sorted(logs.iterdir()))
            pytest.fail(f"the Dask cluster did not start: {error}\n{output}")
        yield address
    finally:
        for process in reversed(processes):  # workers first, then the scheduler; no leftovers
            stop(process)


def stop(process: subprocess.Popen) -> None:
    """End a `dask` command and its children (those of them still there)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:  # stopped already
        process.wait()
        return
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def other_checkout(tmp_path: Path) -> Path:
    """A copy of this checkout's code and data with one comment added to a module: other code."""
    checkout = tmp_path / "other-checkout"
    shutil.copytree(REPO / "pipeline", checkout / "pipeline", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "data", checkout / "data", ignore=shutil.ignore_patterns("sample"))
    edited = checkout / "pipeline" / "clean.py"
    edited.write_text(edited.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    return checkout


def engine_for(url):
    engine = store.make_engine(url)
    store.upgrade(engine)
    return engine


def probe_until_up(address: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            return probe(address, 1.0)
        except (OSError, TimeoutError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def stored(database: Path) -> int:
    """Articles in a SQLite file a run is writing (0 before its schema exists)."""
    if not database.exists():
        return 0
    engine = store.make_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM articles")).scalar()
    except Exception:  # noqa: BLE001 - the schema is being created
        return 0
    finally:
        engine.dispose()
