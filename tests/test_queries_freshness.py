"""pipeline.queries behind the app's freshness panel, on the hand-made database of
tests/queries_fixtures.py: the newest run with its failures, and the stories stored per outlet
(copies folded), with the query plan SQLite must use to count them.
"""

from datetime import UTC, datetime

import pandas as pd

from pipeline import queries
from pipeline.store import articles, runs
from tests.queries_fixtures import (  # noqa: F401  (engine_fixture is the `engine` fixture)
    ARTICLES,
    D,
    article,
    build_database,
    engine_fixture,
)


def test_queries_last_run_is_the_newest_with_its_failures(engine):
    assert queries.last_run(engine) is None
    with engine.begin() as connection:
        for number in (1, 2):
            connection.execute(runs.insert(), {
                "started_at": datetime(2026, 11, number, 9, tzinfo=UTC), "version": "0.1.0",
                "inputs": ["https://example.org/rss"], "status": "done", "counts": {"stored": number},
                "rejects": {}, "failures": [f"https://example.org/{number}: HTTP 404"]})
    newest = queries.last_run(engine)
    assert newest["counts"] == {"stored": 2} and newest["failures"] == ["https://example.org/2: HTTP 404"]
    assert newest["inputs"] == ["https://example.org/rss"] and newest["status"] == "done"


def test_queries_data_version_moves_as_runs_start_and_finish(engine):
    """The version the dashboard's caches are read under: the newest run's id, state and end."""
    from pipeline import store

    assert queries.data_version(engine) == ()
    first = store.start_run(engine, ["a.jsonl"], "0.1.0")
    running = queries.data_version(engine)
    assert running == (first, "running", None)
    store.finish_run(engine, first, {"stored": 1}, {})
    done = queries.data_version(engine)
    assert done[:2] == (first, "done") and done[2] is not None
    second = store.start_run(engine, ["b.jsonl"], "0.1.0")
    assert queries.data_version(engine) == (second, "running", None) and second != first


def test_queries_articles_per_source_fold_copies(engine):
    """Copies are not counted; articles without an outlet count under "(unknown)", with any outlet
    stored under that very name."""
    with engine.begin() as connection:
        connection.execute(articles.insert(), [article("x1", D[1]) | {"source": None},
                                               article("x2", None) | {"source": "feeds.example"},
                                               article("x3", D[2], "x2") | {"source": "feeds.example"},
                                               article("x4", D[3]) | {"source": "(unknown)"}])
    frame = queries.articles_per_source(engine)
    stories = [a for a in ARTICLES if not a["duplicate_of"]]
    newest = max(a["day"] for a in stories if a["day"])
    assert frame.to_dict("records") == [
        {"source": "news.example", "articles": len(stories), "last_day": pd.Timestamp(newest)},
        {"source": "(unknown)", "articles": 2, "last_day": pd.Timestamp(D[3])},
        {"source": "feeds.example", "articles": 1, "last_day": pd.NaT},
    ]
    assert frame["articles"].dtype == "int64"  # PostgreSQL sums counts as numeric
    assert list(queries.articles_per_source(engine, limit=2)["source"]) == ["news.example", "(unknown)"]


def test_queries_articles_per_source_reads_an_index_alone(sqlite_url):
    """Over a million statements, the stories per outlet took 0.64 s read from every article's row:
    SQLite must count them from ix_articles_source, in its order (no sort of every article)."""
    from tests.conftest import sqlite_plans

    engine = build_database(sqlite_url)
    try:
        with sqlite_plans(engine) as sent:
            queries.articles_per_source(engine)
    finally:
        engine.dispose()
    ((_, plan),) = sent
    steps = plan.split(" / ")
    assert "SCAN articles USING COVERING INDEX ix_articles_source" in steps, plan
    scan = steps.index("SCAN articles USING COVERING INDEX ix_articles_source")
    assert "TEMP B-TREE FOR GROUP BY" not in steps[scan + 1], plan  # grouped in the index's order
