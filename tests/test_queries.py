"""pipeline.queries on a small database built by hand, on SQLite and on PostgreSQL (`db_url`).

The database: five stories and one syndicated copy over a week around New Year 2024, one story
without a day, their statements, and daily rows whose values are chosen so that every sum, mean
and rank below can be checked by hand.
"""

from datetime import UTC, date, datetime

import pandas as pd
import pytest

from pipeline import queries, query_filters
from pipeline.store import articles, dyad_daily, make_engine, metadata, runs, statements

WHEN = datetime(2024, 1, 6, 12, 0, tzinfo=UTC)
START, END = date(2024, 1, 1), date(2024, 1, 5)


def article(key, day, duplicate_of=None):
    return {"id": key, "record_key": f"rec-{key}", "url": f"https://news.example/{key}",
            "title": f"Story {key}", "source": "news.example", "published_at": None, "day": day,
            "ingested_at": WHEN, "text": f"Text of {key}.", "origin": f"wire.jsonl:{key}",
            "duplicate_of": duplicate_of, "minhash": None, "run_id": None}


def cue(term, category, weight):
    return {"term": term, "category": category, "polarity": "hostile", "weight": weight,
            "start": 0, "end": len(term), "negated": False, "hedged": False, "intensified": False,
            "quoted": True}


def statement(sid, article_id, day, pair, hostility, category, quote=None, directed=True,
              cooperation=0.0, start=0):
    sentence = f"Sentence {sid}: {pair[0]} about {pair[1]}."
    return {"id": sid, "article_id": article_id, "day": day, "start": start, "end": start + len(sentence),
            "sentence": sentence, "source": pair[0], "target": pair[1], "directed": directed,
            "hostility": hostility, "cooperation": cooperation,
            "tension": round(hostility - cooperation, 4), "category": category, "rule": "speaker",
            "confidence": 0.8, "quote": quote, "vader_compound": None,
            "cues": [cue(category.lower(), category, hostility)]}


def daily(day, pair, index, statements=1, hostility=0.5, anomaly=False, directed=True, tension=None):
    return {"day": day, "source": pair[0], "target": pair[1], "directed": directed, "articles": statements,
            "statements": statements, "mean_hostility": hostility, "max_hostility": hostility,
            "mean_cooperation": 0.0, "mean_tension": hostility if tension is None else tension,
            "day_articles": 4, "tension_index": index, "rolling_7d": index / 7, "anomaly": anomaly}


PRK_USA, USA_PRK, RUS_UKR, CHN_JPN = ("PRK", "USA"), ("USA", "PRK"), ("RUS", "UKR"), ("CHN", "JPN")
D = {n: date(2024, 1, n) for n in range(1, 6)}
ARTICLES = [
    article("a1", D[1]), article("a2", D[2]), article("a3", D[2], duplicate_of="a2"),
    article("a4", D[5]), article("a5", None), article("a6", date(2023, 12, 29)),
]
STATEMENTS = [
    statement(1, "a1", D[1], PRK_USA, 0.9, "THREATEN", quote="pay dearly"),
    statement(2, "a1", D[1], USA_PRK, 0.4, "ACCUSE", cooperation=0.1, start=50),
    statement(3, "a2", D[2], PRK_USA, 0.7, "THREATEN", quote="pay dearly"),  # same quote as 1
    statement(4, "a3", D[2], PRK_USA, 0.95, "THREATEN", quote="copy"),  # in the syndicated copy
    statement(5, "a4", D[5], CHN_JPN, 0.5, "DISAPPROVE", directed=False, cooperation=0.2),
    statement(6, "a4", D[5], RUS_UKR, 0.8, "ATTACK", quote="", start=60),  # empty quote: sentence
    statement(7, "a5", None, PRK_USA, 0.99, "THREATEN", quote="no day"),
    statement(8, "a6", date(2023, 12, 29), RUS_UKR, 0.6, "ATTACK"),
]
DAILY = [
    daily(date(2023, 12, 20), RUS_UKR, 99.0),  # before the previous period of START..END
    daily(date(2023, 12, 29), RUS_UKR, 60.0),
    daily(date(2023, 12, 30), PRK_USA, 10.0),
    daily(D[1], PRK_USA, 45.0, statements=1, hostility=0.9, anomaly=True),
    daily(D[1], USA_PRK, 15.0, hostility=0.4),
    daily(D[2], PRK_USA, 70.0, statements=2, hostility=0.6, tension=0.3),
    daily(D[5], CHN_JPN, 15.0, directed=False, tension=0.3),
    daily(D[5], RUS_UKR, 40.0, hostility=0.8, anomaly=True),
]


def build_database(url: str):
    """The hand-made database at `url` (empty before); returns its engine."""
    engine = make_engine(url)
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(articles.insert(), ARTICLES)
        connection.execute(statements.insert(), STATEMENTS)
        connection.execute(dyad_daily.insert(), DAILY)
    return engine


@pytest.fixture
def engine(db_url):
    engine = build_database(db_url)
    yield engine
    engine.dispose()


def pairs_of(frame):
    return list(zip(frame["source"], frame["target"], strict=True))


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


def test_queries_top_dyads_rank_by_summed_index(engine):
    top = queries.top_dyads(engine, START, END)
    assert pairs_of(top) == [PRK_USA, RUS_UKR, CHN_JPN, USA_PRK]  # a tie at 15 goes by code
    first = top.iloc[0]
    assert first["tension_index"] == pytest.approx(115.0)
    assert (first["statements"], first["articles"], first["days"], first["anomalies"]) == (3, 3, 2, 1)
    assert first["mean_hostility"] == pytest.approx((0.9 + 2 * 0.6) / 3)  # per statement, not per day
    assert first["max_hostility"] == pytest.approx(0.9)
    assert pairs_of(queries.top_dyads(engine, START, END, limit=2)) == [PRK_USA, RUS_UKR]
    assert CHN_JPN not in pairs_of(queries.top_dyads(engine, START, END, directed_only=True))


def test_queries_biggest_movers_compare_with_the_previous_period(engine):
    movers = queries.biggest_movers(engine, START, END)  # previous: 2023-12-27 .. 2023-12-31
    assert pairs_of(movers) == [PRK_USA, CHN_JPN, USA_PRK, RUS_UKR]
    rows = {pair: row for pair, row in zip(pairs_of(movers), movers.to_dict("records"), strict=True)}
    assert (rows[PRK_USA]["previous"], rows[PRK_USA]["current"]) == (10.0, 115.0)
    assert rows[PRK_USA]["delta"] == pytest.approx(105.0)
    assert (rows[RUS_UKR]["previous"], rows[RUS_UKR]["delta"]) == (60.0, -20.0)  # 2023-12-20 is out
    assert rows[CHN_JPN]["previous"] == 0.0
    by_size = queries.biggest_movers(engine, START, END, limit=2, absolute=True)
    assert pairs_of(by_size) == [PRK_USA, RUS_UKR]


def test_queries_biggest_movers_need_both_days(engine):
    with pytest.raises(ValueError, match="start <= end"):
        queries.biggest_movers(engine, None, END)


def test_queries_headline_figures_fold_duplicates(engine):
    figures = queries.headline_figures(engine, START, END)
    assert figures.to_dict("records") == [
        {"articles": 3, "duplicates": 1, "statements": 5, "pairs": 4, "anomalies": 2}]
    assert queries.headline_figures(engine, D[5], D[5]).iloc[0].to_dict() == {
        "articles": 1, "duplicates": 0, "statements": 2, "pairs": 2, "anomalies": 1}


def test_queries_key_quotes_fold_copies_and_rank_by_hostility(engine):
    quotes = queries.key_quotes(engine, START, END)
    assert list(quotes["statement_id"]) == [1, 6, 5, 2]  # 3 repeats 1's quote, 4 is in a copy
    first = quotes.iloc[0]
    assert (first["excerpt"], first["quote"], first["article_id"], first["outlet"]) == (
        "pay dearly", "pay dearly", "a1", "news.example")
    assert (first["url"], first["title"], first["day"]) == (
        "https://news.example/a1", "Story a1", pd.Timestamp("2024-01-01"))
    assert quotes.iloc[1]["excerpt"] == STATEMENTS[5]["sentence"]  # empty quote -> the sentence
    assert list(quotes.columns) == list(queries.QUOTE_COLUMNS)


def test_queries_key_quotes_filters(engine):
    def ids(**filters):
        return list(queries.key_quotes(engine, filters.pop("start", START), END, **filters)["statement_id"])

    assert ids(pairs=[PRK_USA]) == [1]
    assert ids(pairs=[USA_PRK]) == [2]
    assert ids(start=D[2], pairs=[PRK_USA]) == [3]  # 1 is out of range: 3 stands for the quote
    assert ids(categories=["ATTACK", "ACCUSE"]) == [6, 2]
    assert ids(min_hostility=0.6) == [1, 6]
    assert ids(limit=1) == [1]
    assert ids(start=None)[0] == 1  # 8 (2023) joins, 7 (no day) never passes an end day
    assert 7 in list(queries.key_quotes(engine, None, None)["statement_id"])


def many_quotes(engine):
    """60 more statements in two stories and a copy: four hostility levels (ties), six excerpts of
    two pairs, the most hostile ones repeating two excerpts or in the copy. Returns their days."""
    days = [date(2024, 2, n) for n in range(1, 4)]
    with engine.begin() as connection:
        connection.execute(articles.insert(), [article("b1", days[0]), article("b2", days[1]),
                                               article("b3", days[2], duplicate_of="b1")])
        rows = []
        for n in range(60):
            home = ("b3", "b1", "b2")[n % 3]
            rows.append(statement(100 + n, home, days[n % 3], (PRK_USA, USA_PRK)[n % 2],
                                  (0.95, 0.9, 0.8, 0.5)[n % 4] if n >= 12 else 0.99,
                                  "THREATEN", quote=f"excerpt {n % 6 if n >= 12 else n % 2}", start=n * 100))
        connection.execute(statements.insert(), rows)
    return days


@pytest.mark.parametrize("candidates", [1, 4])
def test_queries_key_quotes_from_the_most_hostile_equal_ranking_them_all(engine, monkeypatch, candidates):
    """However few statements per quote are ranked first, the quotes are those of ranking every
    statement: here the 12 most hostile repeat two excerpts and a third of them are in a copy."""
    from pipeline import frames

    days = many_quotes(engine)
    monkeypatch.setattr(queries, "QUOTE_CANDIDATES", candidates)
    s = statements.c
    for limit in (1, 2, 3, 5, 8, 12, 20):
        for start, pairs in ((days[0], None), (None, [USA_PRK]), (None, None)):
            everything = [s.hostility >= 0.0, query_filters.in_range(s.day, start, None),
                          query_filters.of_pairs(s.source, s.target, pairs)]
            ranked_all = frames.frame(engine, queries._quotes(everything, limit), queries.QUOTE_COLUMNS)
            quotes = queries.key_quotes(engine, start, None, pairs=pairs, limit=limit)
            pd.testing.assert_frame_equal(quotes, ranked_all)
            assert len(quotes) == min(limit, len(ranked_all))


def test_queries_period_figures_are_read_from_indexes_alone(sqlite_url):
    """Over a million statements, a period's story counts and its most hostile statements took
    seconds when read row by row (1.1-11.6 s): SQLite must find them in an index alone."""
    from tests.conftest import sqlite_plans

    engine = build_database(sqlite_url)
    try:
        with sqlite_plans(engine) as sent:
            queries.headline_figures(engine, START, END)
            queries.key_quotes(engine, START, END, limit=1)
    finally:
        engine.dispose()
    (_, headline), (_, floor) = sent[0], sent[1]
    assert headline.count("COVERING INDEX ix_articles_day") == 2, headline  # stories and copies counted
    assert "SEARCH statements USING INDEX ix_statements_article" in headline, headline  # copies' statements
    assert "SCAN articles" not in headline and "SCAN statements" not in headline, headline
    assert "COVERING INDEX ix_statements_day" in floor, floor


def test_queries_article_evidence_decodes_cues(engine):
    article_row, said = queries.article_evidence(engine, "a1")
    assert len(article_row) == 1
    row = article_row.iloc[0]
    assert (row["id"], row["outlet"], row["title"], row["day"]) == (
        "a1", "news.example", "Story a1", pd.Timestamp("2024-01-01"))
    assert pd.isna(row["duplicate_of"])
    assert list(said["id"]) == [1, 2]
    assert said.iloc[0]["cues"] == STATEMENTS[0]["cues"]
    assert isinstance(said.iloc[1]["cues"][0], dict)
    missing_article, missing_statements = queries.article_evidence(engine, "nope")
    assert missing_article.empty and missing_statements.empty


def test_queries_statement_rows_mark_duplicates(engine):
    rows = queries.statement_rows(engine, START, END)
    assert list(rows["id"]) == [1, 2, 3, 4, 5, 6]
    copy = rows.set_index("id").loc[4]
    assert copy["duplicate"] and copy["duplicate_of"] == "a2"
    assert not rows.set_index("id").loc[3, "duplicate"]
    assert set(queries.statement_rows(engine, None, None)["id"]) == set(range(1, 9))


def with_publication_times(engine, ids):
    """Give some articles a publication time, so that a result's times are partly missing."""
    with engine.begin() as connection:
        connection.execute(articles.update().where(articles.c.id.in_(ids)).values(published_at=WHEN))
    return engine


def test_queries_statement_row_chunks_are_statement_rows_a_few_at_a_time(engine):
    with_publication_times(engine, ["a2", "a4"])  # chunks of rows with and without a time
    whole = queries.statement_rows(engine, None, None)
    chunks = list(queries.statement_row_chunks(engine, None, None, rows=3))
    assert [len(chunk) for chunk in chunks] == [3, 3, 2]
    pd.testing.assert_frame_equal(pd.concat(chunks, ignore_index=True), whole)
    for chunk in chunks:  # one dtype a column, whatever its values in each chunk
        assert chunk.dtypes.to_dict() == whole.dtypes.to_dict()
    assert str(whole["published_at"].dtype).startswith("datetime64[us")


def test_queries_times_of_a_sqlite_file_are_naive_in_every_chunk(sqlite_url):
    """Times other software wrote into a SQLite file with offsets come back in UTC, without a zone,
    like the file's own: one dtype in every chunk, whichever times each holds."""
    from sqlalchemy import text

    engine = build_database(sqlite_url)
    with engine.begin() as connection:
        for article_id, written in (("a1", "2024-01-06 12:00:00"), ("a2", "2024-01-06 12:00:00+09:00"),
                                    ("a4", "2024-01-06 12:00:00-05:00")):
            connection.execute(text("UPDATE articles SET published_at = :at WHERE id = :id"),
                               {"at": written, "id": article_id})
    chunks = list(queries.statement_row_chunks(engine, None, None, rows=1))
    engine.dispose()
    assert {str(chunk["published_at"].dtype) for chunk in chunks} == {"datetime64[us]"}
    times = {row.article_id: row.published_at for chunk in chunks for row in chunk.itertuples()}
    assert (times["a1"], times["a2"], times["a4"]) == (
        pd.Timestamp("2024-01-06 12:00"), pd.Timestamp("2024-01-06 03:00"), pd.Timestamp("2024-01-06 17:00"))


def test_queries_dyad_series_chunks_are_the_series_a_few_at_a_time(engine):
    whole = queries.dyad_series(engine, None, None, pairs=[PRK_USA, RUS_UKR])
    chunks = list(queries.dyad_series_chunks(engine, None, None, pairs=[PRK_USA, RUS_UKR], rows=2))
    assert [len(chunk) for chunk in chunks] == [2, 2, 2]
    pd.testing.assert_frame_equal(pd.concat(chunks, ignore_index=True), whole)


def test_queries_chunks_of_nothing_are_one_empty_typed_frame(engine):
    (only,) = queries.statement_row_chunks(engine, date(2030, 1, 1), date(2030, 12, 31), rows=2)
    assert only.empty and list(only.columns) == list(queries.STATEMENT_ROW_COLUMNS)
    assert only["day"].dtype == "datetime64[ns]" and only["hostility"].dtype == "float64"


def test_queries_tension_matrix_weights_by_statements(engine):
    matrix = queries.tension_matrix(engine, START, END)
    assert pairs_of(matrix) == [CHN_JPN, PRK_USA, RUS_UKR, USA_PRK]
    cell = matrix.set_index(["source", "target"]).loc[PRK_USA]
    assert cell["mean_tension"] == pytest.approx((0.9 + 2 * 0.3) / 3)
    assert (cell["statements"], cell["tension_index"]) == (3, 115.0)
    assert CHN_JPN not in pairs_of(queries.tension_matrix(engine, START, END, directed_only=True))


def test_queries_date_bounds(engine):
    assert queries.date_bounds(engine) == (date(2023, 12, 20), D[5])
    with engine.connect() as connection:  # a Connection serves as well as an Engine
        assert queries.date_bounds(connection) == (date(2023, 12, 20), D[5])


def test_queries_date_bounds_of_an_empty_database(sqlite_url):
    engine = make_engine(sqlite_url)
    metadata.create_all(engine)
    assert queries.date_bounds(engine) == (None, None)
    engine.dispose()


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
