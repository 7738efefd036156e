"""The daily index rebuild: windows that bound memory give the rows of one pass."""

import math
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pipeline import aggregate, daily, runner, store
from tests.conftest import pair_totals_kept

REPO = Path(__file__).resolve().parents[1]


def engine_for(url):
    engine = store.make_engine(url)
    store.upgrade(engine)
    return engine


def rows_summed(engine) -> dict:
    """Every daily row summed by pair at once, in Python, its index weighted by its day's stories:
    what pair_totals must hold."""
    d, tensions, said = store.dyad_daily.c, defaultdict(list), Counter()
    with engine.connect() as conn:
        rows = select(d.kind, d.source, d.target, d.directed, d.tension_index, d.day_articles, d.statements)
        for *pair, tension, stories, count in conn.execute(rows):
            tensions[tuple(pair)].append(tension * stories)
            said[tuple(pair)] += count
    return {pair: (round(math.fsum(values), aggregate.DIGITS), said[pair])
            for pair, values in tensions.items()}


def test_daily_index_rebuilt_in_small_windows_equals_one_pass(sqlite_url, resources):
    """Windows bound memory; the rows they give must not depend on where the windows cut (rolling
    means and anomaly baselines reach across the cuts)."""
    engine = engine_for(sqlite_url)
    runner.run([REPO / "data" / "sample"], engine, resources)
    one_pass_totals = pair_totals_kept(engine)
    with engine.begin() as conn:  # the whole index cleared: its rows and the pairs' totals
        one_pass = conn.execute(select(store.dyad_daily).order_by(*store.dyad_daily.primary_key)).all()
        dated = select(store.articles.c.day).where(store.articles.c.day.is_not(None))
        days = set(conn.execute(dated).scalars())
        conn.execute(store.dyad_daily.delete())
        conn.execute(store.pair_totals.delete())
        conn.execute(store.dirty_days.insert(), [{"day": day} for day in days])
    assert len(days) > 10 and len(one_pass) > 10
    assert daily.rebuild_daily_index(engine, window_stories=3) == len(one_pass)
    with engine.connect() as conn:
        windowed = conn.execute(select(store.dyad_daily).order_by(*store.dyad_daily.primary_key)).all()
        assert conn.execute(select(func.count()).select_from(store.dirty_days)).scalar_one() == 0
    assert windowed == one_pass and pair_totals_kept(engine) == one_pass_totals != {}


def test_daily_pair_totals_follow_every_rebuild(sqlite_url, resources, tmp_path):
    """pair_totals holds each pair's daily rows summed over all days, after a run and after a later
    run changes them (a record replaced: its days rebuilt, its pair's totals with them)."""
    import json

    from pipeline import queries

    def totals_match(engine) -> int:
        for kind in ("all", "words", "deeds"):
            whole = queries.top_dyads(engine, None, None, limit=500, kind=kind)
            ranked = queries.ranked_pairs(engine, kind)
            assert list(zip(ranked["source"], ranked["target"], ranked["statements"], strict=True)) == list(
                zip(whole["source"], whole["target"], whole["statements"], strict=True))
            assert list(ranked["tension_index"]) == pytest.approx(list(whole["tension_index"]))
        assert pair_totals_kept(engine) == rows_summed(engine)
        return int(queries.ranked_pairs(engine)["statements"].sum())

    engine = engine_for(sqlite_url)
    runner.run([REPO / "data" / "sample"], engine, resources)
    before = totals_match(engine)
    story = {"id": "later", "date": "2024-03-04",
             "text": "Pyongyang warned Washington that it would pay dearly for the drills."}
    later = tmp_path / "later.jsonl"
    later.write_text(json.dumps(story) + "\n")
    runner.run([later], engine, resources)
    assert totals_match(engine) == before + 1
    later.write_text(json.dumps(story | {"text": "The weather in the capital was mild for March."}) + "\n")
    runner.run([later], engine, resources)  # replaced: its threat, and its day's rows, are gone
    assert totals_match(engine) == before


def test_daily_pair_totals_of_a_run_killed_between_windows_match_its_rows(sqlite_url, resources, monkeypatch):
    """Each window moves its pairs' totals in its own transaction: a run killed between windows
    leaves totals that are its daily rows summed, and the next run, though it stores nothing,
    rebuilds the dirty days and leaves them so again."""
    from functools import partial

    engine = engine_for(sqlite_url)
    windows, replace_daily = [], store.replace_daily

    def killed_at_the_third(*args):
        windows.append(args[1:3])
        if len(windows) == 3:
            raise KeyboardInterrupt
        replace_daily(*args)

    with monkeypatch.context() as patch:
        patch.setattr(store, "replace_daily", killed_at_the_third)
        patch.setattr(daily, "rebuild_daily_index", partial(daily.rebuild_daily_index, window_stories=3))
        with pytest.raises(KeyboardInterrupt):
            runner.run([REPO / "data" / "sample"], engine, resources)
    assert len(windows) == 3 and store.dirty_days_list(engine)
    assert len(pair_totals_kept(engine)) > 0 and pair_totals_kept(engine) == rows_summed(engine)
    again = runner.run([REPO / "data" / "sample"], engine, resources)
    assert again.counts["stored"] == 0 and not store.dirty_days_list(engine)
    assert len(pair_totals_kept(engine)) > len(windows) and pair_totals_kept(engine) == rows_summed(engine)


def test_daily_upgrade_sums_the_pair_totals_anew(sqlite_url, resources):
    """Runs only move the totals; `upgrade` sums them again from the daily rows, so totals put out
    of step by hand (one pair gone, another changed, one made up) come back to the rows' sums."""
    engine = engine_for(sqlite_url)
    runner.run([REPO / "data" / "sample"], engine, resources)
    summed = rows_summed(engine)
    t = store.pair_totals.c
    with engine.begin() as conn:
        first, second = sorted(summed)[:2]
        conn.execute(store.pair_totals.delete().where(t.source == first[1], t.target == first[2]))
        conn.execute(store.pair_totals.update().where(t.source == second[1], t.target == second[2])
                     .values(weighted_index=-1.0, statements=99))
        conn.execute(store.pair_totals.insert(), {"kind": "all", "source": "XXX", "target": "YYY",
                                                 "directed": True, "weighted_index": 1.0, "statements": 1})
    assert pair_totals_kept(engine) != summed
    summary = daily.upgrade(engine)
    assert pair_totals_kept(engine) == summed and summary.endswith(f"; {len(summed)} pair totals summed")
