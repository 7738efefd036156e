"""store.replace_daily keeps pair_totals with the daily rows, on a SQLite file and a PostgreSQL
server (`db_url` runs each test on both). Every row's day holds 10 stories, so that a pair's total,
its rows' index weighted by their day's stories, is 10 times their summed index."""

from datetime import date, timedelta

from pipeline import store
from tests.conftest import pair_totals_kept

DAY = date(2024, 3, 1)


def daily_row(kind, offset, source, target, tension, said, directed=True):
    return {"kind": kind, "day": DAY + timedelta(offset), "source": source, "target": target,
            "directed": directed, "articles": said, "statements": said, "mean_hostility": 0.5,
            "max_hostility": 0.5, "mean_cooperation": 0.0, "mean_tension": 0.5, "day_articles": 10,
            "tension_index": tension, "rolling_7d": tension, "anomaly": False}


def replace(engine, first, last, rows):
    store.replace_daily(engine, DAY + timedelta(first), DAY + timedelta(last), rows)


def test_store_replacing_daily_rows_moves_the_totals_of_their_pairs(db_url):
    engine = store.make_engine(db_url)
    store.upgrade(engine)
    replace(engine, 0, 2, [daily_row("all", 0, "PRK", "USA", 1.5, 2),
                           daily_row("all", 1, "PRK", "USA", 0.25, 1),
                           daily_row("words", 1, "PRK", "USA", 0.25, 1),
                           daily_row("all", 2, "RUS", "UKR", 1.0, 1, directed=False),
                           daily_row("all", 2, "PRK", "KOR", 0.75, 1)])
    replace(engine, 5, 6, [daily_row("all", 5, "CHN", "TWN", 3.0, 4)])
    assert pair_totals_kept(engine) == {
        ("all", "PRK", "USA", True): (17.5, 3), ("words", "PRK", "USA", True): (2.5, 1),
        ("all", "RUS", "UKR", False): (10.0, 1), ("all", "PRK", "KOR", True): (7.5, 1),
        ("all", "CHN", "TWN", True): (30.0, 4)}
    # Days 1-2 again: PRK->USA's day 1 changed, its words and RUS-UKR gone, PRK->KOR (of the same
    # kind and source) as it was; days 0 and 5 untouched.
    replace(engine, 1, 2, [daily_row("all", 1, "PRK", "USA", 0.5, 1),
                           daily_row("all", 2, "PRK", "KOR", 0.75, 1)])
    moved = {("all", "PRK", "USA", True): (20.0, 3), ("all", "PRK", "KOR", True): (7.5, 1),
             ("all", "CHN", "TWN", True): (30.0, 4)}
    assert pair_totals_kept(engine) == moved
    store.refresh_pair_totals(engine)  # summing every row at once agrees
    assert pair_totals_kept(engine) == moved
    engine.dispose()


def test_store_replacing_the_rows_of_many_pairs_moves_every_one(db_url):
    """1,560 pairs in one window, moved, then all gone: each pair's totals found, rewritten and
    deleted, whatever the number of keys."""
    engine = store.make_engine(db_url)
    store.upgrade(engine)
    codes = [f"C{n:03d}" for n in range(40)]
    rows = [daily_row("all", 0, a, b, 0.5, 1) for a in codes for b in codes if a != b]
    replace(engine, 0, 0, rows)
    replace(engine, 1, 1, [daily_row("all", 1, r["source"], r["target"], 0.25, 1) for r in rows])
    kept = pair_totals_kept(engine)
    assert len(rows) > 1000 and len(kept) == len(rows) and set(kept.values()) == {(7.5, 2)}
    replace(engine, 0, 1, [])
    assert pair_totals_kept(engine) == {}
    engine.dispose()


def test_store_totals_out_of_step_with_the_rows_are_mended_not_made_negative(db_url):
    """Totals that do not match the rows (an older version's, or written by hand): a pair moved to
    no statements is summed again from its rows, so that a move never stores a negative total."""
    engine = store.make_engine(db_url)
    store.upgrade(engine)
    replace(engine, 0, 1, [daily_row("all", 0, "PRK", "USA", 1.5, 2),
                           daily_row("all", 1, "PRK", "USA", 0.5, 1),
                           daily_row("all", 1, "IRN", "ISR", 2.0, 1)])
    with engine.begin() as conn:  # out of step: PRK->USA missing, IRN->ISR too small
        conn.execute(store.pair_totals.delete().where(store.pair_totals.c.source == "PRK"))
        conn.execute(store.pair_totals.update().values(weighted_index=10.0, statements=0))
    replace(engine, 1, 1, [])
    assert pair_totals_kept(engine) == {("all", "PRK", "USA", True): (15.0, 2)}
    engine.dispose()
