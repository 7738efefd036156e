"""An export ended by SIGTERM (`kill`, systemd, `docker stop`, `timeout`) leaves --out as it was."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
import weakref
from pathlib import Path

import pandas as pd
import pytest

from pipeline import export_files
from pipeline.interrupts import Interrupts, Terminated
from tests.queries_fixtures import build_database

REPO = Path(__file__).resolve().parents[1]


def test_export_ended_by_sigterm_removes_its_partial_file_and_exits_143(sqlite_url, tmp_path):
    """A real SIGTERM to a real export: the partial file is removed, the file at --out is the one
    from before, and the export ends with 143 and one line. The database is held locked until the
    signal is sent, so the export is waiting for it with its partial file open, however fast the
    machine: killed mid-way, never before it starts or after it is done."""
    build_database(sqlite_url).dispose()
    folder = tmp_path / "exports"
    folder.mkdir()
    out = folder / "statements.csv"
    out.write_text("the last export\n", encoding="utf-8")
    lock = sqlite3.connect(tmp_path / "tension.db", isolation_level=None)
    try:
        # In WAL mode only an exclusive locking mode keeps readers out.
        lock.execute("PRAGMA locking_mode=EXCLUSIVE")
        lock.execute("BEGIN EXCLUSIVE")
        child = subprocess.Popen([sys.executable, "-m", "pipeline", "export", "--what", "statements",
                                  "--format", "csv", "--out", str(out), "--db", sqlite_url],
                                 cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        partial = folder / f".{out.name}.{child.pid}.partial"
        deadline = time.monotonic() + 60
        while not partial.exists() and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert partial.exists(), child.poll()
        child.send_signal(signal.SIGTERM)
    finally:
        lock.close()  # the export reads on, and meets the signal at once
    _, err = child.communicate(timeout=60)
    assert (child.returncode, err) == (143, "terminated\n")
    assert out.read_text(encoding="utf-8") == "the last export\n"
    assert [path.name for path in folder.iterdir()] == [out.name]


class Thing:
    pass


def sigterm_inside_a_weakref_callback() -> None:
    """A SIGTERM whose handler runs inside a weakref callback, where Python drops what it raises."""
    def callback(_ref):
        os.kill(os.getpid(), signal.SIGTERM)
        sum(range(10_000))

    thing = Thing()
    ref = weakref.ref(thing, callback)  # noqa: F841 - the callback needs the ref alive
    del thing


def test_export_a_sigterm_python_dropped_ends_it_before_the_file_is_replaced(tmp_path):
    """The command line's check between chunks raises the SIGTERM again: the file at --out stays."""
    out = tmp_path / "statements.csv"
    out.write_text("the last export\n", encoding="utf-8")

    def frames():
        yield pd.DataFrame({"id": [1], "sentence": ["Pyongyang warned Washington."]})
        sigterm_inside_a_weakref_callback()
        yield pd.DataFrame({"id": [2], "sentence": ["Seoul answered."]})

    with Interrupts() as stop, stop.terminable(), pytest.raises(Terminated):
        export_files.write(frames(), "csv", str(out), check=stop.check)
    assert out.read_text(encoding="utf-8") == "the last export\n"
    assert [path.name for path in tmp_path.iterdir()] == [out.name]
