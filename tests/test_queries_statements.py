"""pipeline.queries on the statements and articles of the hand-made database of
tests/queries_fixtures.py, on SQLite and on PostgreSQL: the headline figures and the key quotes
(syndicated copies folded), the statement rows and their chunks with publication times, an
article's evidence, and the query plans SQLite must use for a period's figures and quotes.
"""

from datetime import date

import pandas as pd
import pytest

from pipeline import queries, query_filters
from pipeline.store import articles, make_engine, metadata, statements
from tests.queries_fixtures import (  # noqa: F401  (engine_fixture is the `engine` fixture)
    END,
    PRK_USA,
    START,
    STATEMENTS,
    USA_PRK,
    D,
    article,
    build_database,
    engine_fixture,
    statement,
    with_publication_times,
)


def test_queries_headline_figures_fold_duplicates(engine):
    figures = queries.headline_figures(engine, START, END)
    assert figures.to_dict("records") == [
        {"articles": 3, "duplicates": 1, "statements": 5, "pairs": 4, "anomalies": 2}]
    assert queries.headline_figures(engine, D[5], D[5]).iloc[0].to_dict() == {
        "articles": 1, "duplicates": 0, "statements": 2, "pairs": 2, "anomalies": 1}


def test_queries_headline_figures_leave_out_an_older_version_being_replaced(engine):
    """While a run replaces a1 and the copy a3 (marked with the run until it ends), they and a1's two
    statements count no more, as in the quotes; the daily index is the run's to rebuild."""
    with engine.begin() as conn:
        conn.execute(articles.update().where(articles.c.id.in_(["a1", "a3"])).values(superseded_run=9))
    assert queries.headline_figures(engine, START, END).to_dict("records") == [
        {"articles": 2, "duplicates": 0, "statements": 3, "pairs": 4, "anomalies": 2}]
    assert queries.headline_figures(engine, D[5], D[5]).iloc[0].to_dict() == {
        "articles": 1, "duplicates": 0, "statements": 2, "pairs": 2, "anomalies": 1}  # a1 is not there


def test_queries_key_quotes_fold_copies_and_rank_by_hostility(engine):
    quotes = queries.key_quotes(engine, START, END)
    assert list(quotes["statement_id"]) == [1, 6, 5, 2]  # 3 repeats 1's quote, 4 is in a copy
    first = quotes.iloc[0]
    assert (first["excerpt"], first["quote"], first["article_id"], first["outlet"]) == (
        STATEMENTS[0]["sentence"], "pay dearly", "a1", "news.example")  # a short quote: its sentence
    assert (first["url"], first["title"], first["day"]) == (
        "https://news.example/a1", "Story a1", pd.Timestamp("2024-01-01"))
    assert quotes.iloc[1]["excerpt"] == STATEMENTS[5]["sentence"]  # empty quote -> the sentence
    assert list(quotes.columns) == list(queries.QUOTE_COLUMNS)


def test_queries_key_quotes_read_as_the_quote_or_its_sentence_without_the_dateline(db_url):
    """A quote that says something on its own is the excerpt; a word or two picked out of a sentence
    gives way to that sentence, which says who said them of whom, less the wire dateline that opens
    it. The same words quoted twice are still one quote."""
    engine = make_engine(db_url)
    metadata.create_all(engine)
    said = "We will answer any attack on our soil with a force the world has never seen"
    rows = [statement(1, "a1", D[1], PRK_USA, 0.9, "THREATEN", quote=said),
            statement(2, "a1", D[1], PRK_USA, 0.8, "THREATEN", quote="crushing", start=100),
            statement(3, "a2", D[2], PRK_USA, 0.7, "THREATEN", quote="crushing", start=50)]
    rows[1]["sentence"] = 'TEHRAN, May 14 (Sample Wire) - Iran warned of a "crushing" response.'
    rows[2]["sentence"] = 'ISLAMABAD - Pakistan warned of a "crushing" response too.'
    rows[1]["rule"], rows[1]["confidence"] = "article-pair", 0.35
    with engine.begin() as connection:
        connection.execute(articles.insert(), [article("a1", D[1]), article("a2", D[2])])
        connection.execute(statements.insert(), rows)
    quotes = queries.key_quotes(engine, START, END)
    assert list(quotes["excerpt"]) == [said, 'Iran warned of a "crushing" response.']
    assert list(quotes["sentence"])[1] == rows[1]["sentence"]  # the sentence as stored, in its column
    found_by = list(zip(quotes["rule"], quotes["confidence"], strict=True))
    assert found_by == [("speaker", 0.8), ("article-pair", 0.35)]
    engine.dispose()


@pytest.mark.parametrize("sentence, shown", [
    ("SEOUL, Dec 21 (Reuters) - North Korea warned of a 'crushing' response.",
     "North Korea warned of a 'crushing' response."),
    ("KYIV, Ukraine (AP) — Russia warned of a 'crushing' response.",
     "Russia warned of a 'crushing' response."),
    ("BEIJING, Aug. 8 - China warned of a 'crushing' response.", "China warned of a 'crushing' response."),
    # Capitals opening a sentence without a date or an agency are who acts or speaks: kept.
    ("U.S. - North Korea talks are 'dead', Pyongyang said.", None),
    ("NATO - the 'cancer' of Europe - will answer for its crimes, Moscow said.", None),
    ("KCNA, the North's official news agency, said: the US would pay a 'heavy price'.", None),
    ("IRAN - US tensions soared as Tehran vowed a 'crushing' response.", None),
])
def test_queries_key_quotes_drop_only_what_has_a_dateline_s_shape(db_url, sentence, shown):
    engine = make_engine(db_url)
    metadata.create_all(engine)
    row = statement(1, "a1", D[1], PRK_USA, 0.9, "THREATEN", quote="crushing") | {"sentence": sentence}
    with engine.begin() as connection:
        connection.execute(articles.insert(), [article("a1", D[1])])
        connection.execute(statements.insert(), [row])
    assert list(queries.key_quotes(engine, START, END)["excerpt"]) == [shown or sentence]
    engine.dispose()


def test_queries_key_quotes_filters(engine):
    def ids(**filters):
        return list(queries.key_quotes(engine, filters.pop("start", START), END, **filters)["statement_id"])

    assert ids(pairs=[PRK_USA]) == [1]
    assert ids(pairs=[USA_PRK]) == [2]
    assert ids(start=D[2], pairs=[PRK_USA]) == [3]  # 1 is out of range: 3 stands for the quote
    assert ids(categories=["ATTACK", "ACCUSE"]) == [6, 2]
    assert ids(kind="deeds") == [6]
    assert ids(kind="words") == [1, 5, 2]
    assert ids(categories=["ATTACK", "ACCUSE"], kind="words") == [2]  # both filters hold
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
    monkeypatch.setattr(queries.statements, "QUOTE_CANDIDATES", candidates)
    s = statements.c
    for limit in (1, 2, 3, 5, 8, 12, 20):
        for start, pairs in ((days[0], None), (None, [USA_PRK]), (None, None)):
            everything = [s.hostility >= 0.0, query_filters.in_range(s.day, start, None),
                          query_filters.of_pairs(s.source, s.target, pairs)]
            ranked = queries.statements._quotes(everything, limit)
            ranked_all = frames.frame(engine, ranked, queries.QUOTE_COLUMNS)
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
            queries.headline_figures(engine, START, END, kind="deeds")
            queries.key_quotes(engine, START, END, limit=1, kind="deeds")
    finally:
        engine.dispose()
    (_, headline), (_, marked), (_, floor), (_, ranked) = sent[0:4]
    (_, deeds_headline), (_, deeds_floor) = sent[4], sent[6]
    # The older versions a run is replacing are looked up alone, in their partial index (a handful).
    assert marked == "SEARCH articles USING INDEX ix_articles_superseded_run (superseded_run>?)", marked
    assert sent[5][1] == marked
    # A kind's statements are counted and ranked by their category, held in the same index.
    assert deeds_headline.count("COVERING INDEX ix_statements_day") == 1, deeds_headline
    assert "COVERING INDEX ix_statements_day" in deeds_floor, deeds_floor
    assert headline.count("COVERING INDEX ix_articles_day") == 2, headline  # stories and copies counted
    assert "SEARCH statements USING INDEX ix_statements_article" in headline, headline  # copies' statements
    assert "SCAN articles" not in headline and "SCAN statements" not in headline, headline
    assert "COVERING INDEX ix_statements_day" in floor, floor
    # The quotes go from the period's most hostile statements to their articles, not from every
    # current article (superseded_run IS NULL) to its statements: 1.1-1.5 s over a million.
    assert "ix_articles_superseded_run" not in ranked and "SCAN articles" not in ranked, ranked
    assert "SEARCH statements USING INDEX ix_statements_day" in ranked, ranked


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


def test_queries_quotes_and_statement_rows_leave_out_an_older_version_being_replaced(engine):
    """While a run replaces a1 (marked with the run until it ends), a1's statements leave the quotes
    and the statement rows: 3, which repeats a1's quote, stands for it."""
    before = list(queries.statement_rows(engine, START, END)["id"])
    with engine.begin() as conn:
        conn.execute(articles.update().where(articles.c.id == "a1").values(superseded_run=9))
    assert list(queries.key_quotes(engine, START, END)["statement_id"]) == [6, 3, 5]
    assert list(queries.statement_rows(engine, START, END)["id"]) == [i for i in before if i not in (1, 2)]
    assert sorted(pd.concat(queries.statement_row_chunks(engine, START, END, rows=2))["id"]) == [3, 4, 5, 6]


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


def test_queries_chunks_of_nothing_are_one_empty_typed_frame(engine):
    (only,) = queries.statement_row_chunks(engine, date(2030, 1, 1), date(2030, 12, 31), rows=2)
    assert only.empty and list(only.columns) == list(queries.STATEMENT_ROW_COLUMNS)
    assert only["day"].dtype == "datetime64[ns]" and only["hostility"].dtype == "float64"
