"""`python -m pipeline export`: each format read back with pandas equals the query it exports."""

import io
import json
import subprocess
import sys
from datetime import date

import pandas as pd
import pytest

from pipeline import queries, store
from pipeline.cli import main
from tests.export_fixtures import REPO, engine_fixture, run  # noqa: F401 - the `engine` fixture
from tests.queries_fixtures import END, PRK_USA, START


def expected(engine, what):
    if what == "dyads":
        return queries.dyad_series(engine, START, END, pairs=[PRK_USA])
    if what == "statements":
        return queries.statement_rows(engine, START, END, pairs=[PRK_USA])
    return queries.key_quotes(engine, START, END, pairs=[PRK_USA])


def comparable(frame):
    """Days as YYYY-MM-DD, cues as JSON text, missing values as None: what every format can say."""
    frame = frame.copy()
    for name in frame.columns:
        if name == "day":
            frame[name] = pd.to_datetime(frame[name]).dt.strftime("%Y-%m-%d")
        elif name == "cues":
            frame[name] = frame[name].map(lambda c: c if isinstance(c, str) else json.dumps(c))
    return frame.astype(object).where(frame.notna(), None).reset_index(drop=True)


OPTIONS = ["--from", "2024-01-01", "--to", "2024-01-05", "--pair", "PRK-USA"]


@pytest.mark.parametrize("what", ["dyads", "statements", "quotes"])
def test_export_csv_to_stdout_equals_the_query(engine, sqlite_url, what, capsys):
    assert run(sqlite_url, "--what", what, *OPTIONS, "--format", "csv") == 0
    captured = capsys.readouterr()
    written = pd.read_csv(io.StringIO(captured.out), dtype=str, keep_default_na=False)
    query = expected(engine, what)
    assert len(written) == len(query) > 0
    assert list(written.columns) == list(query.columns)
    assert list(written["day"]) == list(query["day"].dt.strftime("%Y-%m-%d"))
    assert list(written["source"] + "-" + written["target"]) == ["PRK-USA"] * len(query)
    assert captured.err.strip() == f"{len(query)} {what} rows written to stdout"


def test_export_csv_values_round_trip(engine, sqlite_url, tmp_path):
    out = tmp_path / "statements.csv"
    assert run(sqlite_url, "--what", "statements", *OPTIONS, "--format", "csv", "--out", str(out)) == 0
    written = pd.read_csv(out)
    query = expected(engine, "statements")
    assert list(written["id"]) == [1, 3, 4]
    assert list(written["duplicate"]) == [False, False, True]  # the copy is marked, not dropped
    assert list(written["hostility"]) == list(query["hostility"])
    assert [json.loads(c) for c in written["cues"]] == list(query["cues"])


@pytest.mark.parametrize("what", ["dyads", "statements", "quotes"])
def test_export_json_equals_the_query(engine, sqlite_url, what, tmp_path):
    out = tmp_path / f"{what}.json"
    assert run(sqlite_url, "--what", what, *OPTIONS, "--format", "json", "--out", str(out)) == 0
    records = json.loads(out.read_text(encoding="utf-8"))
    query = comparable(expected(engine, what))
    if what == "statements":
        assert [r["cues"] for r in records] == [json.loads(c) for c in query["cues"]]  # nested
        for record in records:
            record["cues"] = json.dumps(record["cues"])
    assert records == query.to_dict("records")


def test_export_json_to_stdout(engine, sqlite_url, capsys):
    assert run(sqlite_url, "--what", "quotes", "--format", "json") == 0
    records = json.loads(capsys.readouterr().out)
    assert [r["statement_id"] for r in records] == [7, 1, 6, 8, 5, 2]  # no range: 7 (no day) too
    assert records[0]["day"] is None


@pytest.mark.parametrize("what", ["dyads", "statements", "quotes"])
def test_export_parquet_equals_the_query(engine, sqlite_url, what, tmp_path):
    out = tmp_path / f"{what}.parquet"
    assert run(sqlite_url, "--what", what, *OPTIONS, "--format", "parquet", "--out", str(out)) == 0
    written = pd.read_parquet(out)
    assert isinstance(written["day"].iloc[0], date)  # a date column, not a timestamp
    assert comparable(written).to_dict("records") == comparable(expected(engine, what)).to_dict("records")


def test_export_parquet_needs_an_output_file(engine, sqlite_url, capsys):
    assert run(sqlite_url, "--what", "dyads", "--format", "parquet") == 2
    assert capsys.readouterr().err.strip() == "error: parquet is binary: give --out FILE"


@pytest.mark.parametrize("bad", ["2024-13-01", "2024-02-30", "20240101", "2024-W01-1", "yesterday"])
def test_export_bad_date_is_one_line_and_exit_2(engine, sqlite_url, bad, capsys):
    assert run(sqlite_url, "--what", "dyads", "--from", bad, "--format", "csv") == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [f"error: --from {bad!r} is not a day in the form YYYY-MM-DD"]


def test_export_bad_pair_and_reversed_range(engine, sqlite_url, capsys):
    assert run(sqlite_url, "--what", "dyads", "--pair", "PRKUSA", "--format", "csv") == 2
    assert "--pair 'PRKUSA'" in capsys.readouterr().err
    assert run(sqlite_url, "--what", "dyads", "--from", "2024-01-05", "--to", "2024-01-01",
               "--format", "csv") == 2
    assert capsys.readouterr().err.strip() == "error: --from 2024-01-05 is after --to 2024-01-01"


def test_export_unreachable_database_is_one_line_and_exit_2():
    url = "postgresql+psycopg2://nobody:secret@127.0.0.1:1/none"
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "export", "--what", "dyads", "--format", "csv", "--db", url],
        cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr  # no traceback
    shown = "postgresql+psycopg2://nobody:***@127.0.0.1:1/none"
    assert lines[0].startswith(f"error: cannot reach database {shown}: ")
    assert "secret" not in done.stderr


@pytest.mark.parametrize(("url", "shown"), [
    ("postgresql://nobody@127.0.0.1:1/none", "postgresql://nobody@127.0.0.1:1/none"),  # psycopg2 used
    ("postgresql://nobody:pw@127.0.0.1:port/none", "postgresql://nobody:***@127.0.0.1:port/none"),
    ("nosuchdialect://somewhere/x", "nosuchdialect://somewhere/x"),
])
def test_export_unreachable_database_urls(url, shown, capsys):
    assert main(["export", "--what", "quotes", "--format", "json", "--db", url]) == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert captured.out == "" and len(lines) == 1
    assert lines[0].startswith(f"error: cannot reach database {shown}: ")


def test_export_missing_sqlite_file_is_not_created(tmp_path, capsys):
    missing = tmp_path / "none.db"
    assert main(["export", "--what", "dyads", "--format", "csv", "--db", f"sqlite:///{missing}"]) == 2
    assert capsys.readouterr().err.strip() == (
        f"error: cannot reach database sqlite:///{missing}: no such file {missing}")
    assert not missing.exists()


def test_export_unwritable_out_file_is_one_line_exit_2(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    from pipeline import store

    store.upgrade(store.make_engine(url))
    out = tmp_path / "missing-folder" / "x.csv"
    assert main(["export", "--what", "dyads", "--format", "csv", "--out", str(out), "--db", url]) == 2
    err = capsys.readouterr().err.strip()
    assert str(out) in err and "cannot write" in err and "\n" not in err


@pytest.mark.parametrize("form, text", [("csv", None), ("json", "[]\n"), ("parquet", None)])
def test_export_of_nothing_is_an_empty_file_with_its_columns(engine, sqlite_url, form, text, tmp_path):
    out = tmp_path / f"none.{form}"
    assert run(sqlite_url, "--what", "statements", "--from", "2030-01-01", "--format", form,
               "--out", str(out)) == 0
    if form == "json":
        assert out.read_text(encoding="utf-8") == text
    else:
        read = pd.read_parquet(out) if form == "parquet" else pd.read_csv(out)
        assert read.empty and list(read.columns) == list(queries.STATEMENT_ROW_COLUMNS)


def test_export_limit_below_one_is_a_usage_error(engine, sqlite_url, capsys):
    with pytest.raises(SystemExit) as ended:  # argparse's own one-line usage error
        run(sqlite_url, "--what", "quotes", "--format", "csv", "--limit", "0")
    assert ended.value.code == 2 and "'0' is not a whole number of at least 1" in capsys.readouterr().err


def test_export_empty_out_is_a_usage_error(engine, sqlite_url, tmp_path, capsys):
    assert run(sqlite_url, "--what", "dyads", "--format", "csv", "--out", "") == 2
    assert capsys.readouterr().err.strip() == "error: --out is empty: give a file, or leave it out for stdout"


@pytest.mark.parametrize("what, kind, expected_ids", [
    ("dyads", "deeds", [("deeds", "RUS-UKR")]),
    ("dyads", "words", [("words", pair) for pair in ("PRK-USA", "USA-PRK", "PRK-USA", "CHN-JPN")]),
    ("statements", "deeds", [6]),
    ("quotes", "words", [1, 5, 2]),
])
def test_export_kind_keeps_the_words_or_the_deeds(engine, sqlite_url, what, kind, expected_ids, tmp_path):
    out = tmp_path / f"{what}.json"
    assert run(sqlite_url, "--what", what, "--kind", kind, "--from", "2024-01-01", "--to", "2024-01-05",
               "--format", "json", "--out", str(out)) == 0
    rows = json.loads(out.read_text(encoding="utf-8"))
    if what == "dyads":
        assert [(row["kind"], f"{row['source']}-{row['target']}") for row in rows] == expected_ids
    else:
        assert [row["id" if what == "statements" else "statement_id"] for row in rows] == expected_ids


def test_export_unknown_kind_is_a_usage_error(engine, sqlite_url, capsys):
    with pytest.raises(SystemExit) as stopped:
        run(sqlite_url, "--what", "dyads", "--kind", "acts", "--format", "csv")
    assert stopped.value.code == 2
    assert "invalid choice: 'acts'" in capsys.readouterr().err


def test_export_from_an_older_schema_says_how_to_upgrade(tmp_path, capsys):
    from tests.app_fixtures import build_outdated_sample_db

    url = build_outdated_sample_db(tmp_path)
    out = tmp_path / "dyads.csv"
    out.write_text("the last export\n", encoding="utf-8")
    assert run(url, "--what", "dyads", "--format", "csv", "--out", str(out)) == 2
    error = capsys.readouterr().err.strip()
    assert "\n" not in error and "older than this version's" in error
    assert error.endswith(f"upgrade it with `python -m pipeline upgrade --db {url}`")
    assert out.read_text(encoding="utf-8") == "the last export\n"  # left as it was, nothing beside it
    assert not [path.name for path in tmp_path.iterdir() if path.name.endswith(".partial")]


def test_export_from_a_later_versions_schema_is_refused(tmp_path, capsys):
    from tests.app_fixtures import build_sample_db
    from tests.conftest import stamp

    url = build_sample_db(tmp_path)
    stamp(url, "9999")
    assert run(url, "--what", "quotes", "--format", "json") == 2
    error = capsys.readouterr().err.strip()
    assert error.endswith(f"is newer than this version's ({store.HEAD}): update Tension Tracker")
