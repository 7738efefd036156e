"""pipeline.dashboard, the app's logic without Streamlit: filters to and from the URL, presets; and
dashboard_io.database_state on real databases. The tables the pages show are in test_tables.py."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from pipeline import dashboard as dash
from pipeline import dashboard_io as app_io
from tests.app_fixtures import UNREACHABLE_URL, sample_db_url_fixture  # noqa: F401  (a fixture)


@pytest.mark.parametrize("filters", [
    dash.Filters(),
    dash.Filters(preset="30d", countries=("PRK",), categories=("THREATEN", "ACCUSE"), min_hostility=0.35),
    dash.Filters(kind="deeds", categories=("ATTACK",)),
    dash.Filters(start=dt.date(2020, 1, 1), end=dt.date(2020, 3, 31), preset="custom",
                 pairs=(("PRK", "USA"), ("USA", "PRK"))),
])
def test_dashboard_filters_round_trip_through_params(filters):
    assert dash.filters_from_params(dash.filters_to_params(filters)) == filters


@pytest.mark.parametrize("params", [
    {"start": "2024-13-45", "end": "yesterday", "preset": "custom"},
    {"preset": "fortnight", "min_hostility": "lots", "pairs": "PRK-PRK,xx-yy,PRK"},
    {"countries": "<script>", "categories": "HUG", "min_hostility": "nan", "kind": "acts"},
])
def test_dashboard_filters_bad_params_fall_back_to_defaults(params):
    f = dash.filters_from_params(params)
    assert (f.start, f.end, f.pairs, f.countries, f.categories, f.min_hostility) == (None, None, (), (), (),
                                                                                      0.0)
    assert f.kind == "all"
    assert f.preset in dash.PRESET_LABELS


def test_dashboard_presets_count_back_from_last_day_with_data():
    first, last = dt.date(2019, 2, 16), dt.date(2024, 12, 4)
    assert dash.resolve_range(dash.Filters(preset="90d"), first, last) == (dt.date(2024, 9, 6), last)
    assert dash.resolve_range(dash.Filters(preset="all"), first, last) == (first, last)
    late = dash.Filters(preset="custom", start=dt.date(2025, 1, 1), end=dt.date(2024, 12, 1))
    assert dash.resolve_range(late, first, last) == (dt.date(2024, 12, 1), last)


def test_dashboard_database_state(sample_db_url, tmp_path):
    assert app_io.database_state(sample_db_url) == "ok"
    assert app_io.database_state(f"sqlite:///{tmp_path / 'none.db'}") == "empty"
    assert not (tmp_path / "none.db").exists()
    assert app_io.database_state(UNREACHABLE_URL).startswith("unreachable: ")


def test_dashboard_data_version_holds_while_runs_are_done_and_moves_each_minute_of_one_running(
        tmp_path, monkeypatch):
    """What the pages' caches are read under: a finished run's version holds, so a view is read
    once; while a run writes, the minute joins it, so its batches show within a minute."""
    from pipeline import store

    url = f"sqlite:///{tmp_path / 'tension.db'}"
    engine = store.make_engine(url)
    store.upgrade(engine)
    run = store.start_run(engine, ["a.jsonl"], "0.1.0")
    now = [1_000_000.0]
    monkeypatch.setattr(app_io.time, "time", lambda: now[0])
    writing = app_io.data_version(url)
    now[0] += dash.RUNNING_SECONDS
    assert app_io.data_version(url) != writing
    store.finish_run(engine, run, {"stored": 1}, {})
    done = app_io.data_version(url)
    now[0] += dash.KEEP_SECONDS
    assert app_io.data_version(url) == done and done[:2] == (run, "done")
    engine.dispose()


def test_dashboard_loaders_keep_caches_of_their_own(sample_db_url):
    """Each loader is cached apart, though all go through one wrapper (dashboard_io._cached): loaders
    of the same arguments never answer with each other's rows."""
    app_io.clear_caches()
    first, last = app_io.load_bounds(sample_db_url)
    run = app_io.load_last_run(sample_db_url)
    sources = app_io.load_sources(sample_db_url)
    assert isinstance(first, dt.date) and first <= last
    assert isinstance(run, dict) and run["status"] == "done"
    assert isinstance(sources, pd.DataFrame) and "articles" in sources.columns
    assert app_io.load_bounds(sample_db_url) == (first, last)  # from its own cache

