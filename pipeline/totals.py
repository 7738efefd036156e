"""Each pair's totals over every day of the daily index (the `pair_totals` table, which the pair
pickers read), kept up to date as a rebuild replaces a window of days: a pair's totals move by what
its rows in the window sum to now less what they summed to before. A rebuild then costs what it
changes, not a sum over every daily row (1.2-1.6 s over a million statements: docs/measurements.md).

What is summed of a row is its index weighted by its day's stories, tension_index x day_articles
(100 x the summed tension of the pair's stories that day): over every story stored, that sum is the
pair's index of the whole period (queries.daily.period_index), where a plain sum of the daily index
would count a day of 2 stories as much as a day of 400. Every daily tension_index is rounded to
aggregate.DIGITS decimals, so its product with a whole number of stories is too, and so is any sum
of them; the totals are kept rounded to as many, which drops the float noise of adding in another
order. Moved by any number of windows, they equal exactly the daily rows summed at once (`summed`).

    >>> before = [("all", "PRK", "USA", True, 25.0, 2), ("all", "RUS", "UKR", True, 10.0, 1)]
    >>> after = [{"kind": "all", "source": "PRK", "target": "USA", "directed": True,
    ...           "tension_index": 2.5, "day_articles": 10, "statements": 2},
    ...          {"kind": "all", "source": "CHN", "target": "TWN", "directed": True,
    ...           "tension_index": 0.3, "day_articles": 10, "statements": 1}]
    >>> changes = window_changes(before, after)
    >>> changes  # the unchanged pair is left out
    {('all', 'RUS', 'UKR', True): (-10.0, -1), ('all', 'CHN', 'TWN', True): (3.0, 1)}
    >>> current = {("all", "RUS", "UKR", True): (10.0, 1), ("all", "CHN", "TWN", True): (1.0, 1)}
    >>> kept, emptied = moved(current, changes)
    >>> [(row["source"], row["weighted_index"], row["statements"]) for row in kept], emptied
    ([('CHN', 4.0, 2)], [('all', 'RUS', 'UKR', True)])
"""

from __future__ import annotations

from collections.abc import Iterable

from pipeline.aggregate import DIGITS

# (kind, source, target, directed): the key of pair_totals.
PairKey = tuple[str, str, str, bool]
# What is kept of a pair: (summed weighted index, summed statements).
Total = tuple[float, int]
COLUMNS = ("kind", "source", "target", "directed", "weighted_index", "statements")


def window_changes(before: Iterable[tuple], after: Iterable[dict]) -> dict[PairKey, Total]:
    """How each pair's totals change when a window's daily rows are replaced, for the pairs whose
    totals do (a rebuild mostly recomputes unchanged context days: those pairs are left out).

    `before`: (kind, source, target, directed, weighted_index, statements) of the old rows, summed
    by pair; `after`: the new daily rows (dicts of aggregate.DAILY_COLUMNS).
    """
    change: dict[PairKey, Total] = {}
    for kind, source, target, directed, weighted, said in before:
        change[(kind, source, target, bool(directed))] = (-weighted, -said)
    for row in after:
        key = (row["kind"], row["source"], row["target"], bool(row["directed"]))
        weighted, said = change.get(key, (0.0, 0))
        change[key] = (weighted + weighted_index(row), said + row["statements"])
    rounded = {key: (_rounded(weighted), said) for key, (weighted, said) in change.items()}
    return {key: total for key, total in rounded.items() if total != (0.0, 0)}


def weighted_index(row: dict) -> float:
    """What a daily row adds to its pair's total: its index times its day's stories.

    >>> weighted_index({"tension_index": 12.5, "day_articles": 4})
    50.0
    """
    return row["tension_index"] * row["day_articles"]


def picked(found: Iterable[tuple], changes: dict[PairKey, Total]) -> dict[PairKey, Total]:
    """The current totals of the changed pairs, from (kind, source, target, directed, weighted_index,
    statements) rows read by kind and source (a superset: a few short IN lists, where one of every
    key took SQLAlchemy 0.1 s to expand for 2,000 pairs)."""
    return {pair: (weighted, said) for *key, weighted, said in found if (pair := tuple(key)) in changes}


def moved(current: dict[PairKey, Total], changes: dict[PairKey, Total]) -> tuple[list[dict], list[PairKey]]:
    """The new totals rows of the changed pairs that still have statements, from their `current`
    totals (a pair without any is new), and the pairs left with none: every daily row holds one or
    more, so those have no rows left (unless their totals were out of step with the rows)."""
    kept, emptied = [], []
    for key, (weighted, said) in changes.items():
        was_weighted, was_said = current.get(key, (0.0, 0))
        if was_said + said > 0:
            kept.append(_row(key, was_weighted + weighted, was_said + said))
        else:
            emptied.append(key)
    return kept, emptied


def summed(sums: Iterable[tuple]) -> list[dict]:
    """Totals rows from (kind, source, target, directed, weighted_index, statements) sums of every
    daily row, rounded as moved totals are.

    >>> summed([("words", "IRN", "ISR", True, 0.30000000000000004, 3)])[0]["weighted_index"]
    0.3
    """
    return [_row((kind, source, target, bool(directed)), weighted, said)
            for kind, source, target, directed, weighted, said in sums]


def _row(key: PairKey, weighted: float, said: int) -> dict:
    """A pair_totals row, its weighted index rounded as every total is."""
    return dict(zip(COLUMNS, (*key, _rounded(weighted), said), strict=True))


def _rounded(weighted: float) -> float:
    """To the daily rows' DIGITS decimals, which drops the noise of adding in another order; + 0.0
    turns -0.0 (a total moved to nothing) into 0.0."""
    return round(weighted, DIGITS) + 0.0
