"""Shared fixtures. The real labelled data and corpora live in ../shared/data beside the checkout;
tests that need them skip, saying why, where that folder is absent."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.pg import postgres_server

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SEED_ARTICLE = SHARED_DATA / "seed" / "north-korea-us-pay-dearly-2019-12-21.txt"
GOLD_DEV = SHARED_DATA / "gold" / "dev.jsonl"


def shared(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"shared data not found at {path} (CI and sessions have ../shared/data)")
    return path


@pytest.fixture(scope="session")
def resources():
    from pipeline.score import load_resources

    return load_resources()


# --- Databases: every storage test runs on a real SQLite file and a real PostgreSQL server. ---


@pytest.fixture(scope="session")
def pg_server():
    """One PostgreSQL server for the session: TENSION_TEST_PG_URL, else a throw-away cluster
    (tests/pg.py). Skips where PostgreSQL is not installed; fails instead under CI."""
    with postgres_server() as server:
        yield server


@pytest.fixture
def sqlite_url(tmp_path):
    """The URL of a fresh, empty SQLite file."""
    return f"sqlite:///{tmp_path / 'tension.db'}"


@pytest.fixture
def stored_at_once(monkeypatch) -> list[int]:
    """The number of articles each `store.save_batch` call (one transaction) is given, in order."""
    from pipeline import store

    counts: list[int] = []
    save_batch = store.save_batch
    monkeypatch.setattr(store, "save_batch", lambda engine, articles, *rest:
                        counts.append(len(articles)) or save_batch(engine, articles, *rest))
    return counts


@contextmanager
def sqlite_plans(engine, kinds: tuple[str, ...] = ("SELECT",)) -> Iterator[list[tuple[str, str]]]:
    """SQLite's plan of each statement of these `kinds` run on `engine` inside the block, as (sql,
    plan) pairs in order, a plan's lines joined by " / " (of the first rows of an executemany);
    filled when the block ends."""
    from sqlalchemy import event

    sent: list[tuple[str, object]] = []

    def record(conn, cursor, sql, params, context, many):
        if sql.lstrip().upper().startswith(kinds):
            sent.append((sql, params[0] if many else params))

    plans: list[tuple[str, str]] = []
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield plans
    finally:
        event.remove(engine, "before_cursor_execute", record)
    with engine.connect() as conn:
        for sql, params in sent:
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)
            plans.append((sql, " / ".join(row[3] for row in rows)))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request):
    """The URL of a fresh, empty database; a test using it runs once per backend
    (ids `sqlite` and `postgresql`). The PostgreSQL server starts only when a test needs it."""
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_url")
        return
    server = request.getfixturevalue("pg_server")
    name = f"test_{uuid.uuid4().hex[:16]}"
    yield server.create_database(name)
    server.drop_database(name)  # closes connections a test left open


def downgrade(engine, revision: str) -> None:
    """Take the database back to an older migration, as that version of the code left it. SQLite
    copies tables to alter them: nothing may cascade meanwhile."""
    from alembic import command

    from pipeline import store

    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
        with conn.begin():
            command.downgrade(store.alembic_config(conn), revision)
        if sqlite:
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
            conn.commit()


def stamp(url: str, revision: str) -> None:
    """Mark the database as made by the code of `revision` (a later version's, say), schema unchanged."""
    from sqlalchemy import text

    from pipeline import store

    engine = store.make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :revision"), {"revision": revision})
    engine.dispose()


def stored_rows(engine):
    """What a run leaves that must not depend on how it ran (workers, cluster, backend): articles and
    their links, statements, the daily index, its pairs' totals and the near-duplicate buckets, in a
    stable order."""
    from sqlalchemy import func, select

    from pipeline import store

    a, s, d = store.articles.c, store.statements.c, store.dyad_daily.c
    with engine.connect() as conn:
        articles = conn.execute(select(a.id, a.input_sha, a.record_key, a.day, a.title, a.source, a.text,
                                       a.duplicate_of, a.minhash).order_by(a.id)).all()
        statements = conn.execute(select(s.article_id, s.start, s.end, s.source, s.target, s.directed,
                                         s.tension, s.category, s.rule, s.quote, s.cues)
                                  .order_by(s.article_id, s.start, s.source, s.target)).all()
        daily = conn.execute(select(store.dyad_daily)
                             .order_by(d.kind, d.day, d.source, d.target, d.directed)).all()
        buckets = conn.execute(select(store.lsh_buckets).order_by(*store.lsh_buckets.primary_key)).all()
        dirty = conn.execute(select(func.count()).select_from(store.dirty_days)).scalar_one()
        totals = conn.execute(select(store.pair_totals).order_by(*store.pair_totals.primary_key)).all()
    return articles, statements, daily, buckets, dirty, totals


def pair_totals_kept(engine) -> dict:
    """pair_totals as {(kind, source, target, directed): (weighted_index, statements)}."""
    from sqlalchemy import select

    from pipeline import store

    with engine.connect() as conn:
        return {tuple(found[:4]): tuple(found[4:]) for found in conn.execute(select(store.pair_totals))}
