"""The daily dyad index, rebuilt where a run made it stale: every dirty day and the days its rolling
and baseline windows reach, a window of stories at a time so that memory stays bounded.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from pipeline import aggregate, store

# Stories whose days of the daily index are rebuilt at once: bounds the statements held in memory in
# the same way (in ../shared/data/news/benchmark.jsonl.gz the densest year, 2011, holds 22,104).
WINDOW_STORIES = 10_000


def rebuild_daily_index(engine, window_stories: int = WINDOW_STORIES) -> int:
    """Recompute the daily rows every dirty day reaches (its rolling and baseline windows too), in
    windows of about `window_stories` stories, each pair's totals moved with each window; the dirty
    marks are cleared once all are rebuilt, so a run killed meanwhile rebuilds them again."""
    dirty = store.dirty_days_list(engine)
    if not dirty:
        return 0
    reach = timedelta(days=aggregate.REACH_DAYS)
    # One count of stories a day for every window and its context: it sizes the windows too.
    volume = store.stories_per_day(engine, dirty[0] - reach, dirty[-1] + reach)
    rebuilt = 0
    for start, end in index_windows(dirty, aggregate.REACH_DAYS, volume, window_stories):
        said = store.statements_between(engine, start - reach, end)
        rows = [row for row in aggregate.daily_rows(said, volume) if start <= row["day"] <= end]
        store.replace_daily(engine, start, end, rows)
        rebuilt += len(rows)
    store.clear_dirty(engine, until=dirty[-1])
    return rebuilt


def upgrade(engine) -> str:
    """The schema brought to this version's (store.upgrade: NewerSchemaError for a later version's)
    and the days of the daily index its migrations marked rebuilt, what a run does first and last,
    without input; then the pairs' totals summed anew from the daily rows, which mends totals a
    hand edit put out of step (runs only move them). The caller holds the run lock. -> a one-line
    summary."""
    store.upgrade(engine)
    rebuilt = rebuild_daily_index(engine)
    pairs = store.refresh_pair_totals(engine)
    return f"schema at {store.HEAD}; {rebuilt} daily rows rebuilt; {pairs} pair totals summed"


def index_windows(days: list[date], reach: int, per_day: dict, budget: int) -> Iterator[tuple[date, date]]:
    """Windows covering each of the sorted `days` and the `reach` days after it, in order, each
    holding at most `budget` stories by `per_day` (unless one day alone holds more). A window may
    span days no dirty day reaches; rebuilding those recomputes the rows they have.

    >>> d = lambda n: date(2024, 1, n)
    >>> stories = {d(1): 2, d(2): 2, d(3): 2, d(20): 1}
    >>> [(a.day, b.day) for a, b in index_windows([d(1), d(20)], 2, stories, budget=5)]
    [(1, 2), (3, 22)]
    """
    start, last, load = None, None, 0
    for day in _reached_days(days, reach):
        count = per_day.get(day, 0)
        if start is not None and load + count > budget:
            yield start, last
            start, load = None, 0
        start, last, load = start or day, day, load + count
    if start is not None:
        yield start, last


def _reached_days(days: list[date], reach: int) -> Iterator[date]:
    """Each calendar day that one of the sorted `days` reaches (itself and `reach` days after), once."""
    following = date.min  # the day after the last one yielded
    for dirty in days:
        day, end = max(dirty, following), dirty + timedelta(days=reach)
        while day <= end:
            yield day
            day += timedelta(days=1)
        following = max(following, day)
