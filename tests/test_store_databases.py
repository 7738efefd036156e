"""The schema in pipeline/store.py on real databases: a SQLite file and a PostgreSQL server.

Every test taking `db_url` runs twice (ids `sqlite` and `postgresql`) on a fresh, empty database;
see the fixtures in conftest.py and the throw-away server in tests/pg.py.
"""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, insert, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from pipeline.store import (
    articles,
    dirty_days,
    dyad_daily,
    lsh_buckets,
    make_engine,
    metadata,
    runs,
    statements,
)

SEOUL = timezone(timedelta(hours=9))
STARTED = datetime(2019, 12, 21, 9, 30, 15, 123456, tzinfo=SEOUL)  # 00:30:15 UTC
ARTICLE_ID = "a" * 64

RUN = {
    "id": 1,
    "started_at": STARTED,
    "finished_at": None,
    "version": "0.1.0",
    "inputs": ["data/sample/kcna.txt"],
    "counts": {"articles": 1, "statements": 1, "by_category": {"THREATEN": 1}},
    "rejects": [],
    "status": "done",
}
ARTICLE = {
    "id": ARTICLE_ID,
    "record_key": "kcna-2019-12-21",
    "url": "https://example.org/kcna",
    "title": "Pyongyang warns Washington",
    "source": "example.org",
    "published_at": STARTED,
    "day": date(2019, 12, 21),
    "ingested_at": STARTED,
    "text": "Pyongyang said Washington could 'pay dearly'.",
    "origin": "data/sample/kcna.txt:1",
    "duplicate_of": None,
    "minhash": bytes(range(256)),
    "run_id": 1,
}
STATEMENT = {
    "article_id": ARTICLE_ID,
    "day": date(2019, 12, 21),
    "start": 0,
    "end": 45,
    "sentence": "Pyongyang said Washington could 'pay dearly'.",
    "source": "PRK",
    "target": "USA",
    "directed": True,
    "hostility": 0.8,
    "cooperation": 0.0,
    "tension": 0.8,
    "category": "THREATEN",
    "rule": "said_subject",
    "confidence": 0.9,
    "quote": "pay dearly",
    "vader_compound": -0.1027,
    "cues": [{"cue": "pay dearly", "weight": 0.8, "category": "THREATEN"}, {"cue": "é—ünïcode", "weight": 0}],
}
DYAD_DAY = {
    "day": date(2019, 12, 21),
    "source": "PRK",
    "target": "USA",
    "directed": True,
    "articles": 1,
    "statements": 1,
    "mean_hostility": 0.8,
    "max_hostility": 0.8,
    "mean_cooperation": 0.0,
    "mean_tension": 0.8,
    "day_articles": 3,
    "tension_index": 0.2667,
    "rolling_7d": 0.2667,
    "anomaly": False,
}
DIRTY_DAY = {"day": date(2019, 12, 21)}
# The smallest signed 64-bit value: buckets use the whole range.
BUCKET = {"bucket": -(2**63), "article_key": 2**63 - 1}
ROWS = [(runs, RUN), (articles, ARTICLE), (statements, STATEMENT), (dyad_daily, DYAD_DAY),
        (dirty_days, DIRTY_DAY), (lsh_buckets, BUCKET)]  # parents first
TABLE_NAMES = ["articles", "dirty_days", "dyad_daily", "feed_cache", "gone_links", "lsh_buckets",
               "pair_totals", "runs", "statements"]


@pytest.fixture
def engine(db_url):
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def schema(engine):
    metadata.create_all(engine)
    return engine


def insert_one_of_each(engine) -> None:
    """One row per table, in one transaction."""
    with engine.begin() as conn:
        for table, row in ROWS:
            conn.execute(insert(table), row)


def test_store_backend_is_the_one_named(engine, request):
    backend = request.node.callspec.params["db_url"]
    assert engine.dialect.name == backend
    if backend == "postgresql":
        with engine.begin() as conn:
            assert conn.execute(text("SELECT version()")).scalar().startswith("PostgreSQL ")


def test_store_create_all_makes_every_table(engine):
    assert inspect(engine).get_table_names() == []  # each test gets an empty database
    metadata.create_all(engine)
    inspector = inspect(engine)
    assert sorted(inspector.get_table_names()) == TABLE_NAMES
    assert {c["name"] for c in inspector.get_columns("statements")} == set(statements.c.keys())
    unique = {u["name"]: u["column_names"] for u in inspector.get_unique_constraints("statements")}
    assert unique["uq_statement"] == ["article_id", "start", "source", "target"]
    assert "ix_statements_pair_day" in {i["name"] for i in inspector.get_indexes("statements")}


def test_store_create_all_twice_is_harmless(schema):
    metadata.create_all(schema)
    assert sorted(inspect(schema).get_table_names()) == TABLE_NAMES


@pytest.mark.parametrize(("table", "row"), ROWS, ids=[table.name for table, _ in ROWS])
def test_store_row_round_trips(schema, table, row):
    """Every value but the aware datetimes comes back equal: JSON, bytes, dates, floats, booleans."""
    insert_one_of_each(schema)
    with schema.begin() as conn:
        stored = conn.execute(select(table)).mappings().one()
    for column, value in row.items():
        if isinstance(value, datetime):
            continue  # test_store_aware_datetime_* below
        assert stored[column] == value, column


def test_store_json_keeps_nesting_and_unicode(schema):
    insert_one_of_each(schema)
    with schema.begin() as conn:
        joined = statements.join(articles).join(runs)
        cues, counts = conn.execute(select(statements.c.cues, runs.c.counts).select_from(joined)).one()
    assert cues[1]["cue"] == "é—ünïcode"
    assert counts["by_category"] == {"THREATEN": 1}


def test_store_aware_datetime_round_trip(schema, request):
    """What each backend really does with DateTime(timezone=True):

    - PostgreSQL (timestamptz) keeps the instant and returns an aware datetime, expressed in the
      session's TimeZone (UTC on the throw-away cluster), not in the offset that was written.
    - SQLite has no zone type: SQLAlchemy writes the wall-clock digits and drops the offset, so
      09:30+09:00 comes back as naive 09:30. Writers must therefore convert to UTC first, or rows
      written from different zones no longer compare or sort correctly.
    """
    insert_one_of_each(schema)
    with schema.begin() as conn:
        started = conn.execute(select(runs.c.started_at)).scalar_one()
    if request.node.callspec.params["db_url"] == "postgresql":
        assert started.tzinfo is not None
        assert started == STARTED  # the same instant
    else:
        assert started.tzinfo is None
        assert started == STARTED.replace(tzinfo=None)  # wall clock kept, offset lost
        assert started != STARTED.astimezone(UTC).replace(tzinfo=None)


def test_store_uq_statement_rejects_a_duplicate(schema):
    insert_one_of_each(schema)
    duplicate = {**STATEMENT, "hostility": 0.1, "sentence": "the same place, scored again"}
    with pytest.raises(IntegrityError), schema.begin() as conn:
        conn.execute(insert(statements), duplicate)
    with schema.begin() as conn:  # the failed transaction left the first row alone
        assert conn.execute(select(func.count()).select_from(statements)).scalar_one() == 1
        assert conn.execute(select(statements.c.hostility)).scalar_one() == 0.8


def test_store_statement_needs_its_article(schema):
    """Foreign keys are enforced on both (SQLite only because make_engine turns them on)."""
    with pytest.raises(IntegrityError), schema.begin() as conn:
        conn.execute(insert(statements), {**STATEMENT, "article_id": "b" * 64})


def test_store_sqlite_uses_wal(sqlite_url):
    engine = make_engine(sqlite_url)
    try:
        with engine.begin() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA cache_size")).scalar() == -16 * 1024  # KiB
            assert conn.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 10_000
    finally:
        engine.dispose()


def test_store_plain_postgresql_url_connects(pg_server):
    """`TENSION_DB_URL=postgresql://...` is the form users write; it must reach the server."""
    plain = make_url(pg_server.url).set(drivername="postgresql").render_as_string(hide_password=False)
    engine = make_engine(plain)
    try:
        with engine.begin() as conn:
            assert conn.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()


def test_store_reads_of_stories_narrow_by_day_or_key_not_by_duplicate_of(sqlite_url):
    """97 articles in 100 are originals: a read of the originals of a few days, or of a few LSH
    keys, that walked ix_articles_duplicate_of would read every original (once per batch, for the
    near-duplicate search). SQLite has no statistics to know better, so the queries must not let it."""
    from pipeline import store
    from tests.conftest import sqlite_plans

    engine = make_engine(sqlite_url)
    store.upgrade(engine)
    try:
        with sqlite_plans(engine) as sent:
            store.statements_between(engine, date(2024, 1, 1), date(2024, 2, 1))
            store.stories_per_day(engine, date(2024, 1, 1), date(2024, 2, 1))
            with engine.begin() as conn:  # two keys: with one, SQLite takes the lsh_key index anyway
                conn.execute(insert(lsh_buckets), [{"bucket": 7, "article_key": key} for key in (11, 12)])
            store.originals_in_buckets(engine, {7})
    finally:
        engine.dispose()
    reads = [(sql, plan) for sql, plan in sent if "FROM articles" in sql or "JOIN articles" in sql]
    plans = [plan for _, plan in reads]
    assert len(plans) == 3, reads
    wanted = ("ix_statements_day", "ix_articles_day", "ix_articles_lsh_key")
    for plan, index in zip(plans, wanted, strict=True):
        assert index in plan and "ix_articles_duplicate_of" not in plan, plans


def test_store_is_story_is_null_where_the_database_keeps_statistics():
    """PostgreSQL estimates `IS NULL` from its statistics; the coalesce form SQLite needs would make
    it guess that almost no article passes."""
    from sqlalchemy.dialects import postgresql, sqlite

    from pipeline.store import is_story

    query = select(func.count()).where(is_story())
    on_postgresql = str(query.compile(dialect=postgresql.dialect()))
    on_sqlite = str(query.compile(dialect=sqlite.dialect()))
    assert "FROM articles" in on_postgresql and "articles.duplicate_of IS NULL" in on_postgresql
    assert "FROM articles" in on_sqlite and "coalesce(articles.duplicate_of" in on_sqlite
    assert "IS NULL" not in on_sqlite


def test_store_the_articles_a_run_replaced_are_found_by_their_index(tmp_path):
    """Read at the end of every run, however many articles are stored: through the index of marks,
    not a walk of the table."""
    from pipeline import store
    from tests.conftest import sqlite_plans

    engine = store.make_engine(f"sqlite:///{tmp_path}/marks.db")
    store.upgrade(engine)
    with sqlite_plans(engine) as plans:
        assert store.replaced_articles(engine) == []
    assert "SEARCH articles USING INDEX ix_articles_superseded_run" in plans[0][1], plans
    engine.dispose()
