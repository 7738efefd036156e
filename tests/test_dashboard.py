"""pipeline.dashboard, the app's logic without Streamlit: filters to and from the URL, presets; and
dashboard_io.database_state on real databases. The tables the pages show are in test_tables.py."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from pipeline import dashboard as dash
from pipeline import dashboard_io as app_io
from pipeline import queries
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



def _stored_sample(url: str) -> tuple[dt.date, dt.date]:
    """data/sample run into the database at `url` through the app's own engine -> its first and last day."""
    from pipeline import runner, store
    from pipeline.score import load_resources
    from tests.app_fixtures import SAMPLE

    engine = app_io.engine_for(url)
    store.upgrade(engine)
    runner.run([str(SAMPLE)], engine, load_resources())
    return queries.date_bounds(engine)


@pytest.mark.parametrize("url", ["file", "sqlite://"], ids=["sqlite-file", "sqlite-in-memory"])
def test_dashboard_period_view_reads_what_each_query_reads(url, sqlite_url):
    """The overview's reads, made at once on connections of their own, answer as each query does
    alone; in memory, where each thread's connection would be a database of its own, too."""
    url = sqlite_url if url == "file" else url
    try:
        first, last = _stored_sample(url)
        start = first + (last - first) / 2
        _assert_period_view_is_each_query(url, start, last, "all")
        assert app_io.load_period_view(url, first, last, "all", movers=False).movers is None
    finally:
        app_io.engine_for(url).dispose()
        app_io.engine_for.cache_clear()  # the in-memory database goes with its engine


def _assert_period_view_is_each_query(url: str, start: dt.date, end: dt.date, kind: str) -> None:
    app_io.clear_caches()
    view, engine = app_io.load_period_view(url, start, end, kind, movers=True), app_io.engine_for(url)
    assert int(view.headline["statements"].iloc[0]) > 0 and not view.top.empty and not view.movers.empty
    pd.testing.assert_frame_equal(view.headline, queries.headline_figures(engine, start, end, kind=kind))
    pd.testing.assert_frame_equal(view.top, queries.top_dyads(engine, start, end, limit=50, kind=kind))
    movers = queries.biggest_movers(engine, start, end, limit=50, kind=kind)
    pd.testing.assert_frame_equal(view.movers, movers)
    pd.testing.assert_frame_equal(view.matrix, queries.tension_matrix(engine, start, end, kind=kind))


def test_dashboard_period_view_on_postgresql(pg_server):
    url = pg_server.create_database("period_view")
    try:
        first, last = _stored_sample(url)
        _assert_period_view_is_each_query(url, first + (last - first) / 2, last, "deeds")
    finally:
        app_io.engine_for(url).dispose()
        pg_server.drop_database("period_view")
