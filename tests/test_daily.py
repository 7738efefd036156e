"""The daily index rebuild: windows that bound memory give the rows of one pass."""

from pathlib import Path

from sqlalchemy import func, select

from pipeline import daily, runner, store

REPO = Path(__file__).resolve().parents[1]


def engine_for(url):
    engine = store.make_engine(url)
    store.upgrade(engine)
    return engine


def test_daily_index_rebuilt_in_small_windows_equals_one_pass(sqlite_url, resources):
    """Windows bound memory; the rows they give must not depend on where the windows cut (rolling
    means and anomaly baselines reach across the cuts)."""
    engine = engine_for(sqlite_url)
    runner.run([REPO / "data" / "sample"], engine, resources)
    with engine.begin() as conn:
        one_pass = conn.execute(select(store.dyad_daily).order_by(*store.dyad_daily.primary_key)).all()
        dated = select(store.articles.c.day).where(store.articles.c.day.is_not(None))
        days = set(conn.execute(dated).scalars())
        conn.execute(store.dyad_daily.delete())
        conn.execute(store.dirty_days.insert(), [{"day": day} for day in days])
    assert len(days) > 10 and len(one_pass) > 10
    assert daily.rebuild_daily_index(engine, window_stories=3) == len(one_pass)
    with engine.connect() as conn:
        windowed = conn.execute(select(store.dyad_daily).order_by(*store.dyad_daily.primary_key)).all()
        assert conn.execute(select(func.count()).select_from(store.dirty_days)).scalar_one() == 0
    assert windowed == one_pass
