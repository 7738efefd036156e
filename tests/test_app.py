"""The dashboard headless: every page through AppTest.from_file on a database the pipeline built from
data/sample (tests/app_fixtures.py: how pages are run, and how downloads are read). The filters and
tables without Streamlit are tested in test_dashboard.py and test_tables.py, the downloads in
test_dashboard_exports.py, and databases that are empty, older, newer, busy or unreachable in
test_app_databases.py.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pandas as pd
import pytest

from pipeline import dashboard as dash
from pipeline import dashboard_io as app_io
from pipeline import store
from tests.app_fixtures import (  # noqa: F401  (the *_fixture names are fixtures)
    LATER_START,
    PAGES,
    REPO,
    UNREACHABLE_URL,
    app,
    app_env_fixture,
    build_script_db,
    downloads_fixture,
    metrics,
    sample_db_url_fixture,
)

# --- Pages on the sample database. ---


@pytest.mark.parametrize("page", list(PAGES))
def test_app_page_renders_without_exception(app_env, page):
    at = app(page)
    assert not at.exception, at.exception
    assert not at.error


def test_app_overview_shows_figures_charts_and_links(app_env):
    at = app("overview", preset="custom", start=LATER_START, end="2023-12-31")
    assert set(metrics(at)) == {"Articles", "Statements", "Pairs", "Anomalies"}
    assert int(metrics(at)["Articles"].replace(",", "")) > 0
    assert len(at.get("vega_lite_chart")) == 3  # two rankings and the heatmap
    assert [link.proto.page for link in at.get("page_link")]
    before = dash.previous_period(dt.date.fromisoformat(LATER_START), dt.date(2023, 12, 31))
    assert f"risers against {before[0]} to {before[1]}." in at.caption[0].value


@pytest.mark.parametrize("period", [{}, {"preset": "custom", "start": "2024-10-15", "end": "2024-12-04"}])
def test_app_overview_has_no_risers_without_an_earlier_period(app_env, period):
    """The whole period (the default) has nothing before it, and the sample's last seven weeks none in
    the seven weeks before (its stories pause from July to mid-October 2024): every pair would have
    risen from nothing, the ranking of the most hostile again. The page says so instead."""
    at = app("overview", **period)
    assert not at.exception
    assert len(at.get("vega_lite_chart")) == 2  # the most hostile pairs and the heatmap
    assert any(info.value.startswith("No statements between") for info in at.info)
    assert "risers against" not in at.caption[0].value


def test_app_date_range_changes_headline_figures(app_env):
    everything = metrics(app("overview"))
    at = app("overview", preset="custom", start="2022-01-01", end="2022-12-31")
    assert not at.exception
    assert metrics(at) != everything
    at.sidebar.selectbox[0].set_value("30d").run()  # the Period widget
    assert at.query_params.get("preset") in ("30d", ["30d"])
    assert metrics(at) != everything
    at.sidebar.date_input[0].set_value((dt.date(2020, 1, 1), dt.date(2020, 12, 31))).run()
    assert not at.exception
    assert {k: at.query_params.get(k) for k in ("preset", "start", "end")} in (
        {"preset": "custom", "start": "2020-01-01", "end": "2020-12-31"},
        {"preset": ["custom"], "start": ["2020-01-01"], "end": ["2020-12-31"]})
    assert metrics(at) != everything


def test_app_bad_date_in_url_falls_back(app_env):
    at = app("overview", preset="custom", start="2024-99-99", end="soon")
    assert not at.exception
    assert metrics(at) == metrics(app("overview"))


def test_app_range_without_data_says_so(app_env):
    at = app("overview", preset="custom", start="2010-01-01", end="2010-12-31")
    assert not at.exception
    assert any("No statements" in info.value for info in at.info)


def test_app_timeline_shows_the_words_and_deeds_apart_beside_the_whole(app_env):
    def titles(at):
        return [chart.proto.spec for chart in at.get("vega_lite_chart")]

    whole = app("timeline", pairs="PRK-USA")
    assert not whole.exception, whole.exception
    apart = [spec for spec in titles(whole) if "Words and deeds apart" in spec]
    assert apart and all('"Words"' in spec or '"Deeds"' in spec for spec in apart)
    words = app("timeline", pairs="PRK-USA", kind="words")
    assert not any("Words and deeds apart" in spec for spec in titles(words))  # one kind is one line


def test_app_quotes_table_csv_and_evidence_link(app_env, downloads):
    at = app("quotes", categories="THREATEN")
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert len(table) and set(table["category"]) == {"THREATEN"}
    assert table["rule"].notna().all() and table["confidence"].between(0.3, 0.9).all()  # how each was found
    (data, mime), = downloads.values()
    assert mime == "text/csv" and len(pd.read_csv(io.BytesIO(data))) == len(table)
    (link,) = at.get("page_link")
    assert link.proto.page == "Evidence" and "article=" in link.proto.query_string


def test_app_rhetoric_switch_reads_the_words_or_the_deeds_alone(app_env):
    everything = app("overview")
    at = app("overview")
    at.sidebar.radio[0].set_value("deeds").run()  # the Rhetoric widget
    assert not at.exception, at.exception
    assert at.query_params.get("kind") in ("deeds", ["deeds"])
    deeds, words = metrics(at), metrics(app("overview", kind="words"))
    statements = [int(m["Statements"].replace(",", "")) for m in (metrics(everything), words, deeds)]
    assert 0 < statements[2] < statements[0] and 0 < statements[1] < statements[0]
    assert deeds["Articles"] == metrics(everything)["Articles"]  # the volume is every story's
    assert "Deeds (SANCTION, MOBILIZE, ATTACK, AID)." in at.caption[0].value
    quotes = app("quotes", kind="deeds").dataframe[0].value
    assert len(quotes) and set(quotes["category"]) <= {"SANCTION", "MOBILIZE", "ATTACK", "AID"}


def test_app_rhetoric_drives_the_rankings_heatmap_and_timeline(app_env, downloads):
    """Each view of the overview and the timeline, and each file it hands out, is of the kind chosen:
    the figures behind it are those the queries give for that kind, and differ from the whole's."""
    from pipeline import queries

    engine = store.make_engine(app_env)
    first, last = queries.date_bounds(engine)
    at = app("overview", kind="deeds")
    assert not at.exception, at.exception
    files = {name: pd.read_csv(io.BytesIO(data)) for name, (data, mime) in downloads.items()
             if mime == "text/csv"}
    top = files[f"most-hostile-deeds-{first}-{last}.csv"]
    expected = queries.top_dyads(engine, first, last, kind="deeds", limit=10)
    assert list(top["tension_index"]) == list(expected["tension_index"])
    everything = queries.top_dyads(engine, first, last, limit=10)
    assert list(top["tension_index"]) != list(everything["tension_index"])
    matrix = files[f"who-targets-whom-deeds-{first}-{last}.csv"]
    deeds = queries.tension_matrix(engine, first, last, kind="deeds")
    assert matrix["statements"].sum() == deeds["statements"].sum()

    downloads.clear()
    timeline = app("timeline", kind="words", pairs="PRK-USA")
    assert not timeline.exception, timeline.exception
    (series,) = [pd.read_csv(io.BytesIO(data)) for data, mime in downloads.values() if mime == "text/csv"]
    assert len(series) and set(series["kind"]) == {"words"}
    html = next(data for data, mime in downloads.values() if mime == "text/html")
    assert "Words (THREATEN" in (html.decode() if isinstance(html, bytes) else html)
    engine.dispose()


@pytest.mark.parametrize("kind, flagged", [("all", ["RUS → UKR", "PRK → USA"]), ("words", ["PRK → USA"]),
                                           ("deeds", ["RUS → UKR"])])
def test_app_anomalies_flagged_are_those_of_the_kind(monkeypatch, tmp_path, kind, flagged):
    """On the hand-made database of the query tests, whose threats and attacks each spike once (the
    attack later, listed first)."""
    from tests.queries_fixtures import build_database

    url = f"sqlite:///{tmp_path / 'hand.db'}"
    build_database(url).dispose()
    monkeypatch.setenv("TENSION_DB_URL", url)
    app_io.clear_caches()
    at = app("overview", kind=kind)
    assert not at.exception, at.exception
    (table,) = [t.value for t in at.dataframe if "rolling_7d" in t.value.columns]
    assert list(table["pair"]) == flagged


# --- Empty, broken and hostile inputs. ---


def test_app_evidence_escapes_article_html(monkeypatch, tmp_path):
    url, article_id = build_script_db(tmp_path)
    monkeypatch.setenv("TENSION_DB_URL", url)
    app_io.clear_caches()
    at = app("evidence", article=article_id)
    assert not at.exception, at.exception
    text = next(m.value for m in at.markdown if "Pyongyang" in m.value)
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "<mark>" in text
    assert len(at.dataframe[0].value) >= 1


def test_app_country_filter_keeps_pairs_of_that_country(app_env):
    at = app("overview", countries="PRK")
    assert not at.exception, at.exception
    ranked = next(table.value for table in at.dataframe if "pair" in table.value.columns)  # after freshness
    assert len(ranked) and all("PRK" in pair for pair in ranked["pair"])


# --- The real demo corpus (issue 4: every page on demo_articles.jsonl.gz plus the seed). ---


@pytest.fixture(scope="module")
def demo_db_url(tmp_path_factory):
    from pipeline import runner, store
    from pipeline.score import load_resources
    from tests.conftest import SEED_ARTICLE, SHARED_DATA, shared

    demo = shared(SHARED_DATA / "news" / "demo_articles.jsonl.gz")
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    engine = store.make_engine(url)
    store.upgrade(engine)
    runner.run([demo, shared(SEED_ARTICLE)], engine, load_resources(), workers=2)
    engine.dispose()
    return url


@pytest.mark.slow
def test_app_overview_lists_every_anomaly_it_counts_newest_first(demo_db_url, monkeypatch):
    """Years of news flag hundreds of pair-days: the table opens on the latest, not the oldest."""
    monkeypatch.setenv("TENSION_DB_URL", demo_db_url)
    app_io.clear_caches()
    at = app("overview")
    counted = int(metrics(at)["Anomalies"].replace(",", ""))
    listed = next(table.value for table in at.dataframe if "day" in table.value.columns)
    assert counted > 1 and len(listed) == counted
    assert listed["day"].is_monotonic_decreasing and listed["day"].iloc[0] > listed["day"].iloc[-1]
    assert f"{counted:,} pair-days, the newest first." in [caption.value for caption in at.caption]


@pytest.mark.slow
@pytest.mark.parametrize("page", list(PAGES))
def test_app_every_page_renders_on_the_demo_corpus(demo_db_url, monkeypatch, downloads, page):
    monkeypatch.setenv("TENSION_DB_URL", demo_db_url)
    app_io.clear_caches()
    params = {"pairs": "PRK-USA"} if page in ("timeline", "quotes") else {}
    at = app(page, **params)
    assert not at.exception, at.exception
    assert not at.error
    if page in ("overview", "timeline"):
        assert at.get("vega_lite_chart")
    if page == "timeline":
        by_type = {mime: data for data, mime in downloads.values()}
        assert by_type["image/png"].startswith(b"\x89PNG") and by_type["text/csv"]


def test_app_overview_shows_freshness_with_failures_as_data(monkeypatch, tmp_path):
    url, _ = build_script_db(tmp_path)  # one run over a hand-made file
    engine = store.make_engine(url)
    with engine.begin() as connection:  # a newer run, from feeds, some of which failed
        connection.execute(store.runs.insert(), {
            "started_at": dt.datetime(2026, 11, 28, 9, 0), "finished_at": dt.datetime(2026, 11, 28, 9, 1),
            "version": "0.1.0", "inputs": ["http://feeds.example/rss"], "status": "done",
            "counts": {"stored": 3}, "rejects": {},
            "failures": ["http://feeds.example/<b>x</b>: HTTP 404", "http://feeds.example/rss2: not a feed"]})
    engine.dispose()
    monkeypatch.setenv("TENSION_DB_URL", url)
    app_io.clear_caches()
    at = app("overview")
    assert not at.exception, at.exception
    label = at.expander[0].label
    assert label == "Last run 2 finished 2026-11-28 09:01 UTC (done): 3 stored, 2 fetch failures, 0 rejected"
    failures, sources = at.expander[0].dataframe
    assert list(failures.value["failure"]) == ["http://feeds.example/<b>x</b>: HTTP 404",
                                               "http://feeds.example/rss2: not a feed"]  # data, not markup
    assert sources.value["articles"].sum() >= 1


def test_app_a_finished_run_shows_at_once_and_an_unchanged_view_is_not_read_again(monkeypatch, tmp_path):
    """The pages' caches are read under the data's version (the newest run): what a finished run
    stored shows on the next render of the same view, not up to a minute later; and a view is not
    read again while the data stays as it is."""
    from pipeline import dashboard_io, runner
    from pipeline.score import load_resources

    url, _ = build_script_db(tmp_path)  # one article of 2019-12-21, from one run
    later = tmp_path / "later.jsonl"
    text = "Moscow warned Kyiv on Saturday that it would pay dearly for the attack."
    record = {"id": "later-1", "date": "2019-12-21", "source": "Test Wire", "text": text}
    later.write_text(json.dumps(record) + "\n")
    monkeypatch.setenv("TENSION_DB_URL", url)
    app_io.clear_caches()
    at = app("overview", preset="custom", start="2019-12-21", end="2019-12-21")  # the same view throughout
    before = int(metrics(at)["Articles"].replace(",", ""))
    reads, headline = [], dashboard_io.queries.headline_figures
    monkeypatch.setattr(dashboard_io.queries, "headline_figures",
                        lambda *a, **k: reads.append(1) or headline(*a, **k))
    at.run()
    assert reads == [] and int(metrics(at)["Articles"].replace(",", "")) == before  # cached
    engine = store.make_engine(url)
    runner.run([str(later)], engine, load_resources())
    engine.dispose()
    at.run()
    assert not at.exception, at.exception
    assert reads == [1] and int(metrics(at)["Articles"].replace(",", "")) == before + 1
