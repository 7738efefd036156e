"""store.record_gone_links over time, on SQLite and PostgreSQL: a gone page a feed still lists is
kept, one no feed has listed for `forget_days` is forgotten. Times are written by hand, days ago."""

import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select, text

from pipeline import store

OLD, RECENT, LISTED = (f"https://news.example/{name}" for name in ("old", "recent", "listed"))


@pytest.fixture
def schema(db_url):
    engine = store.make_engine(db_url)
    store.metadata.create_all(engine)
    yield engine
    engine.dispose()


def gone_since(url: str, days_ago: float) -> dict:
    """A page gone for three runs, the last `days_ago` days ago (the first a day before)."""
    last = datetime.now(UTC) - timedelta(days=days_ago)
    return {"url": url, "status": 404, "runs": 3, "first_gone_at": last - timedelta(days=1),
            "last_gone_at": last}


def last_gone(engine) -> dict[str, datetime]:
    """url -> last_gone_at in UTC (SQLite returns the UTC wall clock it was given, without a zone)."""
    g = store.gone_links.c
    with engine.connect() as conn:
        rows = conn.execute(select(g.url, g.last_gone_at)).all()
    return {url: at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC) for url, at in rows}


def test_store_gone_links_skipped_as_gone_are_stamped_with_the_runs_time_and_kept(schema):
    """A page a run skipped as gone (a feed still lists it) is seen now, however long ago it last
    answered 404: its row stays, and its count and first time with it."""
    with schema.begin() as conn:
        conn.execute(insert(store.gone_links), [gone_since(LISTED, 31)])
    before = datetime.now(UTC)
    store.record_gone_links(schema, {}, skipped={LISTED}, forget_days=30)
    assert last_gone(schema)[LISTED] >= before
    assert store.links_gone_for(schema, [LISTED], 3, 1) == {LISTED}


def test_store_gone_links_untouched_for_forget_days_are_deleted_at_the_next_record(schema):
    """A run with nothing gone, answered or skipped still forgets the pages no feed has listed for
    longer than `forget_days`, and keeps the others."""
    with schema.begin() as conn:
        conn.execute(insert(store.gone_links), [gone_since(OLD, 31), gone_since(RECENT, 29)])
    store.record_gone_links(schema, {}, forget_days=30)
    assert sorted(last_gone(schema)) == [RECENT]


@pytest.fixture
def pg_schema(pg_server):
    """A fresh PostgreSQL database with the schema: row locks, which SQLite does not have."""
    name = f"test_{uuid.uuid4().hex[:16]}"
    engine = store.make_engine(pg_server.create_database(name))
    store.metadata.create_all(engine)
    yield engine
    engine.dispose()
    pg_server.drop_database(name)


def waiting_for_locks(engine) -> int:
    """How many other sessions of this database wait for a lock."""
    query = text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                 "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()")
    with engine.connect() as conn:
        return conn.execute(query).scalar_one()


def in_thread(call) -> tuple[threading.Thread, list[BaseException]]:
    failures: list[BaseException] = []

    def target():
        try:
            call()
        except BaseException as error:  # reported by the test
            failures.append(error)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, failures


def test_store_gone_links_overlapping_records_do_not_deadlock(pg_schema):
    """Two runs recording at once on PostgreSQL, the first counting pages A and B (both 404 to it),
    the second skipping B as gone and counting A. Each statement locking rows in its own order, the
    second held B (its UPDATE) and waited for A, which the first held while it waited for B: a
    deadlock. A third session holds A until both wait, so that they meet mid-record however fast."""
    page_a, page_b = "https://news.example/a", "https://news.example/b"  # A before B in URL order
    with pg_schema.begin() as conn:
        conn.execute(insert(store.gone_links), [gone_since(page_a, 0), gone_since(page_b, 0)])
    holder = pg_schema.connect()
    holder.begin()
    holder.execute(select(store.gone_links.c.url).where(store.gone_links.c.url == page_a).with_for_update())
    first, first_failed = in_thread(lambda: store.record_gone_links(pg_schema, {page_a: 404, page_b: 404},
                                                                    forget_days=30))
    try:
        until(lambda: waiting_for_locks(pg_schema) == 1)
        second, second_failed = in_thread(lambda: store.record_gone_links(
            pg_schema, {page_a: 404}, skipped={page_b}, forget_days=30))
        until(lambda: waiting_for_locks(pg_schema) == 2)
    finally:
        holder.rollback()
        holder.close()
    for thread in (first, second):
        thread.join(timeout=60)
    assert first_failed + second_failed == []
    g = store.gone_links.c
    with pg_schema.connect() as conn:
        assert dict(conn.execute(select(g.url, g.runs)).all()) == {page_a: 5, page_b: 4}


def until(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the sessions never came to wait"
        time.sleep(0.02)


def test_store_gone_links_count_runs_in_a_row_and_forget_pages_that_answer(schema):
    gone, moved, fine = "https://news.example/gone", "https://news.example/moved", "https://news.example/fine"
    store.record_gone_links(schema, {gone: 404, moved: 404})
    store.record_gone_links(schema, {gone: 410})
    asked = [gone, moved, fine]
    assert store.links_gone_for(schema, asked, 2, 0) == {gone}
    assert store.links_gone_for(schema, asked, 1, 0) == {gone, moved}
    assert store.links_gone_for(schema, asked, 1, 1) == set()  # gone since less than a day
    assert store.links_gone_for(schema, [], 1, 0) == set()
    g = store.gone_links.c
    with schema.connect() as conn:
        assert conn.execute(select(g.status).where(g.url == gone)).scalar() == 410  # the last answer
    store.record_gone_links(schema, {}, {moved})  # it answered something else: counted afresh
    assert store.links_gone_for(schema, asked, 1, 0) == {gone}


def test_store_gone_links_are_counted_without_an_upsert_too(schema):
    """Where the database has no upsert, a page is counted by an update, or else an insert."""
    with schema.begin() as conn:
        for _ in range(2):
            store._count_gone(conn, "https://news.example/gone", 404, datetime.now(UTC))
    assert store.links_gone_for(schema, ["https://news.example/gone"], 2, 0) == {"https://news.example/gone"}
