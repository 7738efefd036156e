"""Pair totals moved window by window (pipeline.totals): exactly the daily rows summed at once, each
row's index weighted by its day's stories."""

import random
from datetime import date, timedelta

from pipeline import totals


def row(kind, day, source, target, tension, said, directed=True, stories=1):
    return {"kind": kind, "day": day, "source": source, "target": target, "directed": directed,
            "tension_index": tension, "day_articles": stories, "statements": said}


def sums_of(rows):
    """What the database's GROUP BY gives for `rows`: (kind, source, target, directed, Σ index x
    stories, Σ statements)."""
    grouped = {}
    for r in rows:
        key = (r["kind"], r["source"], r["target"], r["directed"])
        tension, said = grouped.get(key, (0.0, 0))
        grouped[key] = (tension + r["tension_index"] * r["day_articles"], said + r["statements"])
    return [(*key, tension, said) for key, (tension, said) in grouped.items()]


def test_totals_rows_recomputed_alike_change_nothing_whatever_the_order_they_are_added_in():
    """A rebuild mostly recomputes unchanged context days; their pairs must not be rewritten, though
    0.1 + 0.2 summed by the database is not 0.2 + 0.1 summed again."""
    day = date(2024, 3, 1)
    old = [row("all", day, "IRN", "ISR", 0.1, 1), row("all", day + timedelta(1), "IRN", "ISR", 0.2, 1),
           row("all", day + timedelta(2), "IRN", "ISR", 0.3, 2)]
    assert totals.window_changes(sums_of(old), reversed(old)) == {}
    assert totals.window_changes(sums_of(old), old[1:]) == {("all", "IRN", "ISR", True): (-0.1, -1)}


def test_totals_weight_each_day_by_its_stories():
    """A day's index of a few stories weighs less than the same index of a day of many: what the
    rankings of a whole period order by."""
    day = date(2024, 3, 1)
    sparse, busy = ("all", "USA", "SYR", True), ("all", "PRK", "USA", True)
    changes = totals.window_changes([], [row("all", day, "USA", "SYR", 40.0, 1, stories=2),
                                         row("all", day + timedelta(1), "USA", "SYR", 40.0, 1, stories=2),
                                         row("all", day, "PRK", "USA", 0.5, 3, stories=400)])
    assert changes == {sparse: (160.0, 2), busy: (200.0, 3)}


def test_totals_a_pair_whose_rows_are_all_gone_is_emptied_not_kept():
    day = date(2024, 3, 1)
    key = ("deeds", "RUS", "UKR", False)
    changes = totals.window_changes(sums_of([row("deeds", day, "RUS", "UKR", 4.25, 3, directed=False)]), [])
    assert totals.moved({key: (4.25, 3)}, changes) == ([], [key])


def test_totals_moved_to_zero_are_never_minus_zero():
    """A total summed unrounded (0.29999999999999993) moved by -0.3 is 0.0, not -0.0, which would
    be stored and shown as "-0"."""
    key = ("all", "IRN", "ISR", True)
    kept, _ = totals.moved({key: (0.29999999999999993, 2)}, {key: (-0.3, -1)})
    assert [str(row["weighted_index"]) for row in kept] == ["0.0"]


def test_totals_picked_are_the_changed_pairs_among_those_read():
    """Read by kind and source, a superset: the pairs of the same source that did not change are
    left out, so that they are neither deleted nor rewritten."""
    found = [("all", "PRK", "USA", True, 1.5, 2), ("all", "PRK", "KOR", True, 9.0, 4)]
    changed = ("all", "PRK", "USA", True)
    assert totals.picked(found, {changed: (0.5, 1)}) == {changed: (1.5, 2)}


def test_totals_moved_by_many_windows_equal_the_rows_summed_at_once():
    """Rows replaced window after window, in random windows with random values of four decimals
    (as every stored tension_index is) on days of 1-499 stories: the moved totals equal summing the
    final rows exactly."""
    rng = random.Random(7)
    pairs = [("all", "PRK", "USA", True), ("words", "PRK", "USA", True), ("all", "CHN", "TWN", True),
             ("deeds", "IND", "PAK", False), ("all", "IRN", "ISR", True)]
    first = date(2020, 1, 1)
    stored = {}  # (day, pair) -> row
    kept: dict = {}
    for _ in range(200):
        start = first + timedelta(rng.randrange(60))
        end = start + timedelta(rng.randrange(10))
        old = [r for (day, _), r in stored.items() if start <= day <= end]
        new = [row(*pair[:1], start + timedelta(offset), *pair[1:3], round(rng.uniform(-50, 300), 4),
                   rng.randrange(1, 9), pair[3], stories=rng.randrange(1, 500))
               for offset in range((end - start).days + 1) for pair in pairs if rng.random() < 0.4]
        moved, emptied = totals.moved(kept, totals.window_changes(sums_of(old), new))
        kept |= {tuple(r[column] for column in totals.COLUMNS[:4]): (r["weighted_index"], r["statements"])
                 for r in moved}
        for key in emptied:
            del kept[key]
        stored = {k: r for k, r in stored.items() if not start <= k[0] <= end}
        stored |= {(r["day"], (r["kind"], r["source"], r["target"], r["directed"])): r for r in new}
    at_once = {tuple(r[c] for c in totals.COLUMNS[:4]): (r["weighted_index"], r["statements"])
               for r in totals.summed(sums_of(stored.values()))}
    assert kept == at_once and len(at_once) == len(pairs)
