"""The dashboard facing a database it cannot simply read: empty (it explains, and loads the sample),
made by an older version (upgraded from the page) or a newer one (named and left alone), held by a
run at work (nothing created or upgraded under its lock), or unreachable (one error line)."""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import contextmanager

import pytest

from pipeline import dashboard_io as app_io
from pipeline import store
from tests.app_fixtures import PAGES, REPO, UNREACHABLE_URL, app, metrics


def test_app_an_older_database_is_upgraded_from_the_page(monkeypatch, tmp_path):
    from tests.app_fixtures import build_outdated_sample_db

    url = build_outdated_sample_db(tmp_path)
    monkeypatch.setenv("TENSION_DB_URL", url)
    assert app_io.database_state(url).startswith("older: its schema (0009) is older")
    at = app("overview")
    assert not at.exception and not at.metric
    assert "python -m pipeline upgrade" in at.warning[0].value
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert store.revision(store.make_engine(url)) == store.HEAD
    assert int(metrics(at)["Statements"].replace(",", "")) > 0


def test_app_empty_database_explains_and_loads_the_sample(monkeypatch, tmp_path):
    monkeypatch.setenv("TENSION_DB_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    app_io.clear_caches()
    at = app("overview")
    assert not at.exception
    assert any("python -m pipeline run data/sample" in info.value for info in at.info)
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert int(metrics(at)["Articles"].replace(",", "")) > 0


def test_app_a_bad_data_file_stops_the_sample_in_one_line(monkeypatch, tmp_path):
    """A gazetteer edited by hand with a row it cannot read: the button names its file and line."""
    from pipeline import actors, score

    gazetteer = tmp_path / "gazetteer"
    gazetteer.mkdir()
    (gazetteer / "countries.csv").write_text("code,alias,kind,note\nFRA,France,name,a note, with a comma\n")
    monkeypatch.setattr(score, "load_gazetteer", lambda _folder: actors.load_gazetteer(gazetteer))
    monkeypatch.setenv("TENSION_DB_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    app_io.clear_caches()
    at = app("overview")
    at.button[0].click().run()
    assert not at.exception, at.exception
    (error,) = at.error
    assert error.value.startswith(f"{gazetteer / 'countries.csv'}:2: 5 fields") and "\n" not in error.value


@contextmanager
def run_lock_held(url: str):
    """Another process holding the database's run lock, as a run at work does, for the block."""
    hold = ("import sys; from pipeline import store; from pipeline.run_lock import exclusive_run\n"
            "with exclusive_run(store.make_engine(sys.argv[1])): print('held', flush=True); sys.stdin.read()")
    holder = subprocess.Popen([sys.executable, "-c", hold, url], cwd=REPO, text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        assert holder.stdout.readline().strip() == "held"
        yield
    finally:
        holder.stdin.close()
        holder.wait()


def test_app_sample_is_not_loaded_while_a_run_holds_the_database(monkeypatch, tmp_path):
    """While a run holds the database (its first batch not stored yet, so the page offers the sample),
    the button says so in one line, and creates nothing under that run's lock."""
    database = tmp_path / "busy.db"
    monkeypatch.setenv("TENSION_DB_URL", f"sqlite:///{database}")
    app_io.clear_caches()
    with run_lock_held(f"sqlite:///{database}"):
        at = app("overview")
        at.button[0].click().run()
    assert not at.exception, at.exception
    (warning,) = at.warning
    assert warning.value.startswith("Another run is writing to") and "\n" not in warning.value
    assert not database.exists()


def test_app_an_older_database_is_not_upgraded_while_a_run_holds_it(monkeypatch, tmp_path):
    from tests.app_fixtures import build_outdated_sample_db

    url = build_outdated_sample_db(tmp_path)
    monkeypatch.setenv("TENSION_DB_URL", url)
    app_io.clear_caches()
    with run_lock_held(url):
        at = app("overview")
        at.button[0].click().run()
    assert not at.exception, at.exception
    assert at.warning[-1].value.startswith("Another run is writing to")
    assert store.revision(store.make_engine(url)) == "0009"


def test_app_a_newer_database_is_named_and_left_alone(monkeypatch, tmp_path):
    from tests.app_fixtures import build_sample_db
    from tests.conftest import stamp

    url = build_sample_db(tmp_path)
    stamp(url, "9999")
    monkeypatch.setenv("TENSION_DB_URL", url)
    app_io.clear_caches()
    assert app_io.database_state(url).startswith("newer: its schema (9999) is newer")
    at = app("overview")
    assert not at.exception and not at.button and not at.metric
    assert "update Tension Tracker" in at.warning[0].value


@pytest.mark.parametrize("page", list(PAGES))
def test_app_unreachable_database_shows_one_error_line(monkeypatch, page):
    monkeypatch.setenv("TENSION_DB_URL", UNREACHABLE_URL.replace("nobody@", "nobody:secret@"))
    at = app(page)
    assert not at.exception
    (error,) = at.error
    assert "127.0.0.1:1/none" in error.value and "secret" not in error.value
    assert "\n" not in error.value
