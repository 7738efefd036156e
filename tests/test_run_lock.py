"""One run writes to a database at a time (pipeline.run_lock), on a real SQLite file and a real
PostgreSQL server: a run started while another process holds the database is refused in one line,
exit 75, before it stores or records anything; the lock goes with a killed holder."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text

from pipeline import store
from pipeline.cli import main
from pipeline.run_lock import RunInProgressError, exclusive_run
from tests.conftest import stored_rows

REPO = Path(__file__).resolve().parents[1]
WIRE = str(REPO / "data" / "sample" / "wire.jsonl")
# A second process that takes the lock, forks a child that lives on for a minute (as `run`'s
# workers are forked), says so with the child's pid, and waits to be killed.
HOLDER = """
import os, sys, time
from pipeline import store
from pipeline.run_lock import exclusive_run
with exclusive_run(store.make_engine(sys.argv[1])):
    child = os.fork()
    if child == 0:
        time.sleep(60)
        os._exit(0)
    print("held", child, flush=True)
    time.sleep(600)
"""


@contextmanager
def holder(url: str) -> Iterator[subprocess.Popen]:
    """A process holding the run lock, with a forked child; the child is killed on leaving."""
    process = subprocess.Popen([sys.executable, "-c", HOLDER, url], cwd=REPO, stdout=subprocess.PIPE,
                               text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    said, child = process.stdout.readline().split()
    assert said == "held"
    try:
        yield process
    finally:
        process.kill()
        process.wait()
        os.kill(int(child), signal.SIGKILL)


def counts(url: str) -> tuple[int, int]:
    engine = store.make_engine(url)
    with engine.connect() as conn:
        return (conn.execute(text("SELECT count(*) FROM articles")).scalar(),
                conn.execute(text("SELECT count(*) FROM runs")).scalar())


def lock_taken_once_free(engine, seconds: float = 10.0) -> bool:
    """Whether the lock can be taken within `seconds` (a server notices a killed client's closed
    connection, and ends its session, a moment later)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with exclusive_run(engine):
                return True
        except RunInProgressError:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)


def test_run_lock_second_run_is_refused_in_one_line_and_stores_nothing(db_url, capsys):
    assert main(["run", WIRE, "--db", db_url]) == 0  # the schema, and a first run's rows
    capsys.readouterr()
    before = counts(db_url)
    with holder(db_url):
        code = main(["run", WIRE, "--db", db_url, "--workers", "2"])
    error = capsys.readouterr().err
    assert code == 75
    assert error.count("\n") == 1 and error.startswith("error: another run is writing to ")
    assert counts(db_url) == before  # no article, and no run recorded


def test_run_lock_goes_with_a_killed_holder_and_the_next_run_stores_all(db_url, tmp_path, capsys):
    """Killed outright, the holder lets go at once, though the child it forked lives on; the refused
    input, run then, stores what one run into a fresh database stores."""
    reference = f"sqlite:///{tmp_path / 'reference.db'}"
    assert main(["run", WIRE, "--db", reference]) == 0
    with holder(db_url) as process:
        assert main(["run", WIRE, "--db", db_url]) == 75
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert lock_taken_once_free(store.make_engine(db_url), seconds=5)
        assert main(["run", WIRE, "--db", db_url]) == 0
    assert stored_rows(store.make_engine(db_url)) == stored_rows(store.make_engine(reference))


def test_run_lock_is_held_by_one_block_at_a_time_and_released_after(db_url):
    store.upgrade(engine := store.make_engine(db_url))
    other = store.make_engine(db_url)  # as another process would, with its own connections
    with exclusive_run(engine), pytest.raises(RunInProgressError, match="another run is writing to"), \
            exclusive_run(other):
        pass
    with exclusive_run(engine):  # released when the block ended
        pass


def test_run_lock_hides_the_password_of_the_database_it_names(pg_server):
    from sqlalchemy.engine import make_url

    url = make_url(pg_server.create_database("locked")).set(password="s3cret")
    engine = store.make_engine(url.render_as_string(hide_password=False))
    try:
        with pytest.raises(RunInProgressError) as refused, exclusive_run(engine), exclusive_run(engine):
            pass
    finally:
        engine.dispose()
        pg_server.drop_database("locked")
    assert "s3cret" not in str(refused.value) and "***" in str(refused.value)


def test_run_lock_needs_none_for_an_in_memory_database():
    engine = store.make_engine("sqlite://")
    with exclusive_run(engine), exclusive_run(engine):  # the process's own database
        pass
