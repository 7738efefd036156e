"""`run` and `upgrade` as other tools use them (pipeline.cli_run): real files, databases and
processes, exit codes and the lines they print."""

import re
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from pipeline.cli import main

REPO = Path(__file__).resolve().parents[1]


def test_cli_run_hands_out_work_ahead_only_into_a_new_sqlite_file(tmp_path, capsys, monkeypatch):
    """Work handed to the workers before the database is open is wasted on articles stored already:
    a rerun, or a `watch` cycle, into the same database starts none. Workers, not one, get the
    input's end in pieces (preparing.pieces_of)."""
    from pipeline import preparing

    ahead = []
    head_start = preparing.head_start
    monkeypatch.setattr(preparing, "head_start", lambda items, submit, batches, size, taper: ahead.append(
        (batches, taper)) or head_start(items, submit, batches, size, taper))
    wire = str(REPO / "data" / "sample" / "wire.jsonl")
    new, other = f"sqlite:///{tmp_path / 'new.db'}", f"sqlite:///{tmp_path / 'other.db'}"
    for argv in (["--db", new, "--workers", "2"], ["--db", new, "--workers", "2"],
                 ["--db", other, "--workers", "1"]):
        assert main(["run", wire, *argv]) in (0, 1)
    assert ahead == [(preparing.BATCHES_AHEAD, True), (0, True), (0, False)]
    capsys.readouterr()


def test_cli_run_shows_a_progress_bar_on_a_terminal_and_imports_no_tqdm_elsewhere(tmp_path):
    """On a terminal the run draws a bar with its counts; piped (cron, `bench`) it is silent and
    tqdm is not even imported."""
    wire = str(REPO / "data" / "sample" / "wire.jsonl")
    program = ("import sys; from pipeline.cli import main; code = main(sys.argv[1:]); "
               "print('tqdm' in sys.modules); sys.exit(code)")
    outputs = {}
    for name, on_terminal in (("piped", False), ("terminal", True)):
        argv = [sys.executable, "-c", program, "run", wire, "--db", f"sqlite:///{tmp_path / name}.db",
                "--workers", "1"]
        outputs[name] = _output_and_stderr(argv, on_terminal)
    (piped_imports, piped_err), (terminal_imports, terminal_err) = outputs["piped"], outputs["terminal"]
    assert piped_imports == "False" and "\r" not in piped_err and "stored=" not in piped_err
    stored = re.search(r": (\d+) stored", terminal_err).group(1)
    assert terminal_imports == "True" and " articles" in terminal_err
    assert f"stored={stored}" in terminal_err  # the last bar shows the final counts


def _output_and_stderr(argv: list[str], on_terminal: bool, timeout: float = 120) -> tuple[str, str]:
    """A command's standard output, and its standard error read from a pipe or a pseudo-terminal."""
    import fcntl
    import os
    import pty
    import select
    import struct
    import termios

    if not on_terminal:
        done = subprocess.run(argv, cwd=REPO, capture_output=True, timeout=timeout)
        assert done.returncode in (0, 1), done.stderr
        return done.stdout.decode().strip(), done.stderr.decode()
    main_end, terminal_end = pty.openpty()
    # A new pseudo-terminal is 0 columns wide, in which tqdm draws an empty bar.
    fcntl.ioctl(terminal_end, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    child = subprocess.Popen(argv, cwd=REPO, stdout=subprocess.PIPE, stderr=terminal_end)
    os.close(terminal_end)
    shown, deadline = b"", time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if not select.select([main_end], [], [], 1.0)[0]:
                continue
            try:
                chunk = os.read(main_end, 65536)
            except OSError:  # EIO: the child closed its end
                break
            if not chunk:
                break
            shown += chunk
        out, _ = child.communicate(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        child.kill()
        os.close(main_end)
    assert child.returncode in (0, 1), shown
    return out.decode().strip(), shown.decode("utf-8", "replace")


def test_cli_run_batch_size_holds_for_the_head_start_and_the_rest(tmp_path, capsys, stored_at_once):
    wire = str(REPO / "data" / "sample" / "wire.jsonl")
    # two workers into a new file: two batches handed out before the database opens, then the rest
    for workers in ("2", "1"):
        stored_at_once.clear()
        url = f"sqlite:///{tmp_path / f'{workers}.db'}"
        assert main(["run", wire, "--db", url, "--workers", workers, "--batch-size", "8"]) in (0, 1)
        assert len(stored_at_once) > 3 and max(stored_at_once) <= 8, workers
    capsys.readouterr()


@pytest.mark.parametrize("bad", ["0", "-3", "many"])
def test_cli_run_batch_size_must_be_a_whole_number_of_at_least_one(tmp_path, capsys, bad):
    wire = str(REPO / "data" / "sample" / "wire.jsonl")
    with pytest.raises(SystemExit) as exited:
        main(["run", wire, "--batch-size", bad, "--db", f"sqlite:///{tmp_path / 'x.db'}"])
    assert exited.value.code == 2
    assert f"--batch-size: '{bad}' is not a whole number of at least 1" in capsys.readouterr().err
    assert not (tmp_path / "x.db").exists()


def test_cli_upgrade_brings_an_older_database_to_this_schema_with_its_index(tmp_path, capsys):
    from sqlalchemy import select

    from pipeline import store
    from tests.app_fixtures import build_outdated_sample_db

    url = build_outdated_sample_db(tmp_path)
    assert main(["upgrade", "--db", url]) == 0
    engine = store.make_engine(url)
    with engine.connect() as conn:
        kinds = set(conn.execute(select(store.dyad_daily.c.kind).distinct()).scalars())
    assert store.revision(engine) == store.HEAD and kinds == {"all", "words", "deeds"}
    engine.dispose()
    rebuilt = int(re.search(r"schema at \d+; (\d+) daily rows rebuilt", capsys.readouterr().err).group(1))
    assert rebuilt > 0
    assert main(["upgrade", "--db", url]) == 0  # at this version's schema: nothing to do
    assert "; 0 daily rows rebuilt" in capsys.readouterr().err


def test_cli_upgrade_does_not_create_a_missing_sqlite_file(tmp_path, capsys):
    missing = tmp_path / "none.db"
    assert main(["upgrade", "--db", f"sqlite:///{missing}"]) == 2
    assert "no such file" in capsys.readouterr().err and not missing.exists()


def test_cli_upgrade_and_run_refuse_a_database_of_a_later_version(tmp_path, capsys):
    from pipeline import store
    from tests.app_fixtures import build_sample_db
    from tests.conftest import stamp

    url = build_sample_db(tmp_path)
    stamp(url, "9999")
    for command in (["upgrade", "--db", url], ["run", str(tmp_path / "none.jsonl"), "--db", url]):
        if command[0] == "run":
            (tmp_path / "none.jsonl").write_text('{"id": "x", "text": "Seoul protested to Tokyo."}\n')
        assert main(command) == 2
        error = capsys.readouterr().err.strip()
        assert "\n" not in error and error.startswith("error: cannot upgrade ")
        assert error.endswith(f"is newer than this version's ({store.HEAD}): update Tension Tracker")


def test_cli_run_leaves_the_whole_database_in_its_sqlite_file(tmp_path):
    """The process ends without the interpreter's last collections (pipeline.__main__), so the run
    closes its database itself: SQLite folds the write-ahead log into the file, which alone then
    holds every stored row (a copy of it is the database)."""
    database = tmp_path / "tension.db"
    wire = REPO / "data" / "sample" / "wire.jsonl"
    done = subprocess.run([sys.executable, "-m", "pipeline", "run", str(wire), "--db", f"sqlite:///{database}",
                           "--workers", "2"], cwd=REPO, capture_output=True)
    assert done.returncode in (0, 1), done.stderr
    stored = int(re.search(r": (\d+) stored", done.stderr.decode()).group(1))
    assert stored > 0 and not Path(f"{database}-wal").exists()
    copy = tmp_path / "copy.db"
    copy.write_bytes(database.read_bytes())
    with closing(sqlite3.connect(copy)) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == stored
