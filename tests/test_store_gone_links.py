"""store.record_gone_links over time, on SQLite and PostgreSQL: a gone page a feed still lists is
kept, one no feed has listed for `forget_days` is forgotten. Times are written by hand, days ago."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

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
