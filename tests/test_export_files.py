"""Export files (pipeline/export_files.py): written whole or not at all, in chunks as one frame,
where the shell asks (a link, a pipe, /dev/stdout appended to), and inert in a spreadsheet."""

import subprocess
import sys
from datetime import date

import pandas as pd
import pytest
from sqlalchemy.exc import OperationalError

from pipeline import export, export_files, queries, store
from tests.export_fixtures import REPO, engine_fixture, run  # noqa: F401 - the `engine` fixture
from tests.queries_fixtures import PRK_USA, build_database


def test_export_files_csv_cells_cannot_run_as_formulas():
    import pandas as pd

    from pipeline.export_files import _inert

    frame = pd.DataFrame({"quote": ["=HYPERLINK(\"x\")", "+1", "fine", None], "n": [1, 2, 3, 4]})
    assert _inert(frame)["quote"].tolist()[:3] == ["'=HYPERLINK(\"x\")", "'+1", "fine"]


@pytest.fixture
def any_engine(db_url):
    """The hand-made database on SQLite and on PostgreSQL, two of its articles with a publication
    time: chunks of statements with and without times."""
    from tests.queries_fixtures import with_publication_times

    engine = with_publication_times(build_database(db_url), ["a2", "a4"])
    yield engine
    engine.dispose()


@pytest.mark.parametrize("form", ["csv", "json", "parquet"])
def test_export_files_in_chunks_writes_the_file_of_one_frame(any_engine, form, tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    whole, chunked = folder / f"whole.{form}", folder / f"chunked.{form}"
    rows = export_files.write([queries.statement_rows(any_engine, None, None)], form, str(whole))
    # Chunks of one row: on SQLite the first is the statement without a day, the next ones have one.
    assert export_files.write(export.frames_for(any_engine, export.Request("statements"), rows=1),
                        form, str(chunked)) == rows == 8
    if form == "parquet":
        written = pd.read_parquet(chunked)
        pd.testing.assert_frame_equal(written, pd.read_parquet(whole))
        assert written["day"].map(type).value_counts().to_dict() == {date: 7, type(None): 1}
    else:
        assert chunked.read_bytes() == whole.read_bytes()
    assert sorted(path.name for path in folder.iterdir()) == ["chunked." + form, "whole." + form]


def lost_half_way():
    """One chunk of a result, then the database is gone."""
    yield pd.DataFrame({"id": [1], "sentence": ["Pyongyang warned Washington."]})
    raise OperationalError("SELECT", {}, Exception("disk I/O error"))


def test_export_files_failing_half_way_leaves_the_old_file_and_no_partial_one(tmp_path):
    """A database lost during an export: the file at --out is the one from before, and the
    partial output is removed."""
    out = tmp_path / "statements.csv"
    out.write_text("the last export\n", encoding="utf-8")

    with pytest.raises(OperationalError):
        export_files.write(lost_half_way(), "csv", str(out))
    assert out.read_text(encoding="utf-8") == "the last export\n"
    assert [path.name for path in tmp_path.iterdir()] == [out.name]


def test_export_files_file_gets_the_permissions_of_any_new_file(engine, sqlite_url, tmp_path):
    """Written under another name and renamed, but readable by whom any new file would be."""
    out, plain = tmp_path / "dyads.csv", tmp_path / "plain.txt"
    plain.write_text("", encoding="utf-8")
    assert run(sqlite_url, "--what", "dyads", "--format", "csv", "--out", str(out)) == 0
    assert out.stat().st_mode == plain.stat().st_mode


def test_export_files_through_a_link_into_a_pipe_and_over_a_private_file(engine, sqlite_url, tmp_path):
    """Only a regular file is replaced: a symbolic link stays a link (its target gets the rows), a
    FIFO is written into, and a private file stays private."""
    import os
    import stat
    import threading

    real, link, private, fifo = (tmp_path / name for name in ("real.csv", "link.csv", "private.csv", "fifo"))
    real.write_text("old\n", encoding="utf-8")
    link.symlink_to(real)
    private.write_text("old\n", encoding="utf-8")
    private.chmod(0o600)
    os.mkfifo(fifo)
    piped: list[bytes] = []
    # A daemon, and waited for a while only: an export that replaced the FIFO never writes to it.
    reader = threading.Thread(target=lambda: piped.append(fifo.read_bytes()), daemon=True)
    reader.start()
    for out in (link, private, fifo):
        assert run(sqlite_url, "--what", "dyads", "--format", "csv", "--out", str(out)) == 0
    reader.join(timeout=10)
    assert link.is_symlink() and real.read_text(encoding="utf-8").startswith("day,source,target")
    assert stat.S_IMODE(private.stat().st_mode) == 0o600 and private.read_text(encoding="utf-8") != "old\n"
    assert piped and piped[0] == real.read_bytes()
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert sorted(path.name for path in tmp_path.iterdir() if "partial" in path.name) == []


def test_export_files_into_a_closed_pipe_ends_quietly(engine, sqlite_url, tmp_path):
    """`export ... | head -n 1`: once the reader has had enough, the export stops with 0, no error."""
    from tests.queries_fixtures import statement

    with engine.begin() as connection:
        connection.execute(store.statements.insert(), [
            statement(1000 + n, "a1", date(2024, 1, 1), PRK_USA, 0.5, "THREATEN", start=1000 + n)
            for n in range(3000)])  # about 1 MB of CSV: more than a pipe holds
    child = subprocess.Popen([sys.executable, "-m", "pipeline", "export", "--what", "statements",
                              "--format", "csv", "--db", sqlite_url],
                             cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert child.stdout.readline().startswith(b"id,article_id,day")
    child.stdout.close()
    err = child.stderr.read().decode()
    assert child.wait(timeout=60) == 0 and "error" not in err and "Traceback" not in err, err


def test_export_files_json_to_stdout_failing_half_way_is_no_whole_array(capsys):
    with pytest.raises(OperationalError):
        export_files.write(lost_half_way(), "json", None)
    written = capsys.readouterr().out
    assert written.startswith('[{"id": 1') and not written.rstrip().endswith("]")


@pytest.mark.parametrize("spelling", ["/dev/stdout", "//dev/stdout", "relative", "a link to it"])
def test_export_files_to_dev_stdout_appends_where_the_shell_asks(engine, sqlite_url, tmp_path, spelling):
    """`export --out /dev/stdout >> log.csv`, however /dev/stdout is written: the rows go after what
    the log held, which stays."""
    import os

    out = {"relative": os.path.relpath("/dev/stdout", REPO), "a link to it": str(tmp_path / "out")}
    out = out.get(spelling, spelling)
    if spelling == "a link to it":
        (tmp_path / "out").symlink_to("/dev/stdout")
    log = tmp_path / "log.csv"
    log.write_text("KEEP ME\n", encoding="utf-8")
    with open(log, "a", encoding="utf-8") as appended:
        subprocess.run([sys.executable, "-m", "pipeline", "export", "--what", "dyads", "--format", "csv",
                        "--out", out, "--db", sqlite_url], cwd=REPO, stdout=appended, check=True)
    lines = log.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "KEEP ME" and lines[1].startswith("day,source,target") and len(lines) > 2
