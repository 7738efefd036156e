"""pipeline.queries on the daily index (`dyad_daily`) of the hand-made database of
tests/queries_fixtures.py, on SQLite and on PostgreSQL: a pair's daily series and its chunks, the
anomalous days, the pairs ranked by their index over a period, the biggest movers against the previous
period, the source x target matrix, and the first and last day held.

A period's index is its daily rows' tension_index x day_articles, summed, over the stories stored in
the period: each of the fixture's days holds one story (day_articles), START..END 3 (a1, a2, a4; a3
is a copy, a5 has no day) and the 5 days before it 1 (a6).
"""

from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from pipeline import queries, runner, store
from pipeline.store import articles, dyad_daily, make_engine, metadata, refresh_pair_totals, statements
from tests.queries_fixtures import (  # noqa: F401  (engine_fixture is the `engine` fixture)
    CHN_JPN,
    END,
    PRK_USA,
    RUS_UKR,
    START,
    USA_PRK,
    D,
    article,
    daily,
    engine_fixture,
    pairs_of,
)

IRN_ISR = ("IRN", "ISR")
REPO = Path(__file__).resolve().parents[1]


def test_queries_dyad_series_filters_by_days_and_directed_pairs(engine):
    series = queries.dyad_series(engine, START, "2024-01-02", pairs=[PRK_USA])
    assert list(series["day"]) == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-02")]
    assert list(series["tension_index"]) == [45.0, 70.0]
    assert list(series["anomaly"]) == [True, False]
    assert series["day"].dtype == "datetime64[ns]" and series["directed"].dtype == bool
    assert pairs_of(queries.dyad_series(engine, START, END, pairs=[USA_PRK])) == [USA_PRK]
    both = queries.dyad_series(engine, START, END, pairs=[PRK_USA, CHN_JPN])
    assert pairs_of(both) == [PRK_USA, PRK_USA, CHN_JPN]
    assert pairs_of(queries.dyad_series(engine, D[5], D[5], directed_only=True)) == [RUS_UKR]
    assert queries.dyad_series(engine, START, END, pairs=[]).empty


def test_queries_anomalous_days_are_the_flagged_rows_of_the_series(engine):
    series = queries.dyad_series(engine, None, None)
    flagged = queries.anomalous_days(engine, None, None)
    pd.testing.assert_frame_equal(flagged, series[series["anomaly"]].reset_index(drop=True))
    assert pairs_of(flagged) == [PRK_USA, RUS_UKR]
    assert pairs_of(queries.anomalous_days(engine, D[2], END, pairs=[PRK_USA])) == []


def test_queries_dyad_series_empty_result_keeps_typed_columns(engine):
    empty = queries.dyad_series(engine, date(2030, 1, 1), date(2030, 12, 31))
    assert empty.empty and list(empty.columns) == list(queries.DYAD_COLUMNS)
    assert empty["day"].dtype == "datetime64[ns]" and empty["tension_index"].dtype == "float64"


def test_queries_top_dyads_rank_by_the_period_s_index(engine):
    top = queries.top_dyads(engine, START, END)
    assert pairs_of(top) == [PRK_USA, RUS_UKR, CHN_JPN, USA_PRK]  # a tie at 15 / 3 goes by code
    first = top.iloc[0]
    assert first["tension_index"] == pytest.approx((45.0 + 70.0) / 3)
    assert list(top["tension_index"][1:]) == pytest.approx([40.0 / 3, 15.0 / 3, 15.0 / 3])
    assert (first["statements"], first["articles"], first["days"], first["anomalies"]) == (3, 3, 2, 1)
    assert first["mean_hostility"] == pytest.approx((0.9 + 2 * 0.6) / 3)  # per statement, not per day
    assert first["max_hostility"] == pytest.approx(0.9)
    assert pairs_of(queries.top_dyads(engine, START, END, limit=2)) == [PRK_USA, RUS_UKR]
    assert CHN_JPN not in pairs_of(queries.top_dyads(engine, START, END, directed_only=True))


def test_queries_top_dyads_weigh_a_day_by_its_stories(engine):
    """A day of one story, its index 200 (one hostile story in one), ranks below PRK->USA's busy day
    of 10 stories at 45: a period's index is its stories' tension over its stories, and one story's
    tension is less than four and a half's. Summed, the day's index of 200 came first."""
    busy = [article(f"busy{n}", D[1]) for n in range(9)]  # D[1] holds 10 stories, a1 among them
    with engine.begin() as connection:
        connection.execute(articles.insert(), [*busy, article("sparse", D[3])])
        connection.execute(dyad_daily.update().where(dyad_daily.c.day == D[1]).values(day_articles=10))
        connection.execute(dyad_daily.insert(), daily(D[3], IRN_ISR, 200.0))
    top = queries.top_dyads(engine, START, END)
    stories = 3 + 9 + 1
    assert pairs_of(top)[:3] == [PRK_USA, IRN_ISR, USA_PRK]
    assert list(top["tension_index"][:3]) == pytest.approx([(45.0 * 10 + 70.0) / stories, 200.0 / stories,
                                                            15.0 * 10 / stories])
    refresh_pair_totals(engine)  # the pair pickers' order, over every day, is the same
    ranked = queries.ranked_pairs(engine)
    assert pairs_of(ranked) == pairs_of(queries.top_dyads(engine, None, None, limit=500))
    assert pairs_of(ranked)[0] == PRK_USA


def test_queries_ranked_pairs_are_the_whole_period_s_top_dyads(engine):
    """What the pair pickers list, read from pair_totals, is top_dyads over every day, of each kind."""
    for kind in ("all", "words", "deeds"):
        whole = queries.top_dyads(engine, None, None, limit=500, kind=kind)
        ranked = queries.ranked_pairs(engine, kind)
        assert pairs_of(ranked) == pairs_of(whole) and list(ranked["directed"]) == list(whole["directed"])
        assert list(ranked["tension_index"]) == pytest.approx(list(whole["tension_index"]))
        assert list(ranked["statements"]) == list(whole["statements"])
    assert pairs_of(queries.ranked_pairs(engine, limit=2)) == pairs_of(queries.top_dyads(engine, None, None,
                                                                                         limit=2))


def test_queries_biggest_movers_compare_with_the_previous_period(engine):
    movers = queries.biggest_movers(engine, START, END)  # previous: 2023-12-27 .. 2023-12-31
    assert pairs_of(movers) == [PRK_USA, CHN_JPN, USA_PRK, RUS_UKR]
    rows = {pair: row for pair, row in zip(pairs_of(movers), movers.to_dict("records"), strict=True)}
    # Each period over its own stories: 3 in START..END, 1 in the 5 days before.
    assert (rows[PRK_USA]["previous"], rows[PRK_USA]["current"]) == pytest.approx((10.0, 115.0 / 3))
    assert rows[PRK_USA]["delta"] == pytest.approx(115.0 / 3 - 10.0)
    # 2023-12-20's RUS-UKR row (99) is out of both periods
    assert (rows[RUS_UKR]["previous"], rows[RUS_UKR]["delta"]) == pytest.approx((60.0, 40.0 / 3 - 60.0))
    assert rows[CHN_JPN]["previous"] == 0.0
    by_size = queries.biggest_movers(engine, START, END, limit=2, absolute=True)
    assert pairs_of(by_size) == [RUS_UKR, PRK_USA]


def test_queries_biggest_movers_need_both_days(engine):
    with pytest.raises(ValueError, match="start <= end"):
        queries.biggest_movers(engine, None, END)


def test_queries_dyad_series_chunks_are_the_series_a_few_at_a_time(engine):
    whole = queries.dyad_series(engine, None, None, pairs=[PRK_USA, RUS_UKR])
    chunks = list(queries.dyad_series_chunks(engine, None, None, pairs=[PRK_USA, RUS_UKR], rows=2))
    assert [len(chunk) for chunk in chunks] == [2, 2, 2]
    pd.testing.assert_frame_equal(pd.concat(chunks, ignore_index=True), whole)


def test_queries_tension_matrix_weights_by_statements(engine):
    matrix = queries.tension_matrix(engine, START, END)
    assert pairs_of(matrix) == [CHN_JPN, PRK_USA, RUS_UKR, USA_PRK]
    cell = matrix.set_index(["source", "target"]).loc[PRK_USA]
    assert cell["mean_tension"] == pytest.approx((0.9 + 2 * 0.3) / 3)
    assert (cell["statements"], cell["tension_index"]) == (3, pytest.approx(115.0 / 3))
    assert CHN_JPN not in pairs_of(queries.tension_matrix(engine, START, END, directed_only=True))


def test_queries_has_daily_rows_in_a_period(engine):
    assert queries.has_daily_rows(engine, D[2], D[2])
    assert queries.has_daily_rows(engine, None, date(2023, 12, 20))
    assert not queries.has_daily_rows(engine, D[3], D[4])
    assert not queries.has_daily_rows(engine, date(2023, 12, 21), date(2023, 12, 28))


def test_queries_date_bounds(engine):
    assert queries.date_bounds(engine) == (date(2023, 12, 20), D[5])
    with engine.connect() as connection:  # a Connection serves as well as an Engine
        assert queries.date_bounds(connection) == (date(2023, 12, 20), D[5])


def test_queries_date_bounds_of_an_empty_database(sqlite_url):
    engine = make_engine(sqlite_url)
    metadata.create_all(engine)
    assert queries.date_bounds(engine) == (None, None)
    engine.dispose()


def test_queries_each_kind_of_the_index_is_read_alone(engine):
    assert set(queries.dyad_series(engine, None, None)["kind"]) == {"all"}
    assert pairs_of(queries.top_dyads(engine, START, END, kind="deeds")) == [RUS_UKR]
    assert pairs_of(queries.top_dyads(engine, START, END, kind="words")) == [PRK_USA, CHN_JPN, USA_PRK]
    words = queries.dyad_series(engine, START, END, pairs=[PRK_USA], kind="words")
    assert set(words["kind"]) == {"words"} and list(words["tension_index"]) == [45.0, 70.0]
    assert pairs_of(queries.anomalous_days(engine, None, None, kind="deeds")) == [RUS_UKR]
    movers = queries.biggest_movers(engine, START, END, kind="deeds").set_index("source")
    rus = (movers.loc["RUS", "previous"], movers.loc["RUS", "current"])
    assert rus == pytest.approx((60.0, 40.0 / 3))
    assert list(queries.tension_matrix(engine, START, END, kind="deeds")["source"]) == ["RUS"]
    assert queries.has_daily_rows(engine, D[5], D[5], kind="deeds")
    assert not queries.has_daily_rows(engine, D[1], D[2], kind="deeds")


def test_queries_headline_figures_of_a_kind_count_its_statements_and_pairs(engine):
    deeds = queries.headline_figures(engine, START, END, kind="deeds").iloc[0]
    everything = queries.headline_figures(engine, START, END).iloc[0]
    assert deeds["articles"] == everything["articles"]  # the day's news volume, whatever the kind
    assert (deeds["statements"], deeds["pairs"], deeds["anomalies"]) == (1, 1, 1)  # statement 6
    words = queries.headline_figures(engine, START, END, kind="words").iloc[0]
    assert (words["statements"], words["pairs"]) == (4, 3)  # 1, 2, 3, 5 (the copy's 4 folded); 3 pairs


def test_queries_an_unknown_kind_is_refused(engine):
    with pytest.raises(ValueError, match="kind must be one of all, words, deeds"):
        queries.top_dyads(engine, START, END, kind="acts")


def test_queries_daily_rows_are_found_by_pair_or_by_period(sqlite_url):
    """SQLite keeps no statistics: a series of several pairs must still be read pair by pair through
    the pair index (not as every row of the kind in the period), and a period's pairs through the
    primary key (not every row of the kind in pair order)."""
    from tests.conftest import sqlite_plans
    from tests.queries_fixtures import build_database

    engine = build_database(sqlite_url)
    try:
        with sqlite_plans(engine) as sent:
            queries.dyad_series(engine, START, END, pairs=[PRK_USA, USA_PRK, RUS_UKR], kind="words")
            queries.headline_figures(engine, START, END, kind="words")
    finally:
        engine.dispose()
    (_, series), (_, headline), (_, marked) = sent
    assert series.count("USING INDEX ix_dyad_daily_pair_day (source=? AND target=? AND kind=?") == 3, series
    assert "ix_dyad_daily_pair_day" not in headline, headline
    assert marked == "SEARCH articles USING INDEX ix_articles_superseded_run (superseded_run>?)", marked


def test_queries_a_series_of_many_pairs_equals_the_pairs_read_one_by_one(engine):
    pairs = [PRK_USA, USA_PRK, CHN_JPN]
    together = queries.dyad_series(engine, None, None, pairs=[*pairs, PRK_USA], kind="words")  # one twice
    one_by_one = (pd.concat([queries.dyad_series(engine, None, None, pairs=[p], kind="words") for p in pairs])
                  .sort_values(["day", "source", "target", "directed"], kind="stable").reset_index(drop=True))
    pd.testing.assert_frame_equal(together, one_by_one)
    assert len(together) == 4
    # Past UNION_PAIRS, one OR: SQLite takes no more than 500 selects in a compound one.
    many = [(f"X{i:03d}", "USA") for i in range(600)] + pairs
    pd.testing.assert_frame_equal(queries.dyad_series(engine, None, None, pairs=many, kind="words"), together)


def test_queries_top_dyads_of_a_run_are_its_stories_tension_over_its_stories(sqlite_url, resources):
    """The README's formula, checked against the statements a run of the sample stored: a pair's
    index over a period is 100 x the summed mean tension of its statements in each story, over the
    stories stored in the period (copies folded), whatever the daily rows between them."""
    engine = make_engine(sqlite_url)
    store.upgrade(engine)
    runner.run([REPO / "data" / "sample"], engine, resources)
    first, last = queries.date_bounds(engine)
    middle = first + (last - first) / 2
    for start, end in ((first, last), (first, middle), (middle, last)):
        found = queries.top_dyads(engine, start, end, limit=10_000)
        ranked = dict(zip(zip(found["source"], found["target"], found["directed"], strict=True),
                          found["tension_index"], strict=True))
        expected = _story_tension_over_stories(engine, start, end)
        assert len(expected) > 5 and ranked.keys() == expected.keys()
        assert list(ranked.values()) == pytest.approx([expected[pair] for pair in ranked], abs=1e-3)
    # The risers: each period over its own stories, the one before as long as the one after.
    movers = queries.biggest_movers(engine, middle + timedelta(days=1), last, limit=10_000)
    before = _story_tension_over_stories(engine, middle - (last - middle) + timedelta(days=1), middle)
    after = _story_tension_over_stories(engine, middle + timedelta(days=1), last)
    for row in movers.itertuples():
        pair = (row.source, row.target, row.directed)
        assert (row.previous, row.current) == pytest.approx((before.get(pair, 0.0), after.get(pair, 0.0)),
                                                            abs=1e-3)
    assert len(movers) == len(before.keys() | after.keys()) > 5
    engine.dispose()


def _story_tension_over_stories(engine, start, end) -> dict:
    """{(source, target, directed): 100 x Σ over stories of the mean tension there / stories}, from
    the statements and articles tables alone."""
    a, s = articles.c, statements.c
    story = (a.duplicate_of.is_(None), a.day.is_not(None), a.day.between(start, end))
    with engine.connect() as conn:
        stories = conn.execute(select(func.count()).select_from(articles).where(*story)).scalar_one()
        said = conn.execute(select(s.article_id, s.source, s.target, s.directed, s.tension)
                            .join(articles, a.id == s.article_id).where(*story)).all()
    tensions = defaultdict(list)
    for article_id, source, target, directed, tension in said:
        pair = (source, target) if directed or source < target else (target, source)
        tensions[(*pair, bool(directed), article_id)].append(tension)
    summed = defaultdict(float)
    for (*pair, _), values in tensions.items():
        summed[tuple(pair)] += sum(values) / len(values)
    return {pair: 100 * total / stories for pair, total in summed.items()}
