"""Statements -> the daily dyad index.

For a day d and a pair (directed A -> B, or an undirected pair kept in code order):

    tension_index(d) = 100 × Σ_a t_a / N_d

where a runs over the articles of d that hold statements for the pair (syndicated copies folded:
each story once), t_a is the mean tension of the pair's statements in article a, and N_d is the
number of stories stored for day d. Like the Geopolitical Risk index, it grows with intensity (t_a)
and with volume (more articles), and it is normalised by the day's news volume, so a day with twice
the news is not twice as tense. It is signed: cooperative days are negative.

The index is kept three ways (`kind`): "all" statements, and apart the "words" (threats,
accusations, talks: verbal categories) and the "deeds" (sanctions, mobilisation, attacks, aid:
material ones), by pipeline.categories. Each is the formula over that kind's statements alone.

rolling_7d is the mean of the index over the seven calendar days ending d (days without statements
count as 0). A day is an anomaly when its index exceeds the pair's own trailing baseline, the
mean plus ANOMALY_SIGMAS standard deviations of the previous BASELINE_DAYS calendar days, and the
pair was active on at least MIN_BASELINE_ACTIVE_DAYS of them.

Plain Python, no pandas: a run rebuilds the index of the days it touched, and importing pandas alone
would cost it a quarter of a second. Sums are exact (math.fsum), so a row does not depend on which
other rows were computed with it (the rebuild goes a window of days at a time).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from itertools import groupby

from pipeline.categories import ALL, kind_of

ROLLING_DAYS = 7
BASELINE_DAYS = 28
ANOMALY_SIGMAS = 3.0
MIN_BASELINE_ACTIVE_DAYS = 3
# How far a change on one day reaches into later days' values.
REACH_DAYS = ROLLING_DAYS + BASELINE_DAYS
DIGITS = 4  # stored values are rounded to this many decimals

DAILY_COLUMNS = [
    "kind", "day", "source", "target", "directed", "articles", "statements", "mean_hostility",
    "max_hostility", "mean_cooperation", "mean_tension", "day_articles", "tension_index",
    "rolling_7d", "anomaly",
]
# What daily_rows reads from each statement, in this order.
STATEMENT_FIELDS = ("day", "article_id", "source", "target", "directed", "hostility", "cooperation",
                    "tension", "category")


def tension_index(article_tension_sum: float, day_articles: int) -> float:
    """The formula of the module docstring: 100 × Σ_a t_a / N_d.

    >>> tension_index(0.8 + 0.4, 4)
    30.0
    """
    return round(100.0 * article_tension_sum / max(day_articles, 1), DIGITS)


def daily_rows(statements: Iterable[tuple], volume: dict[date, int]) -> list[dict]:
    """Daily rows (DAILY_COLUMNS) for every kind and (day, pair) present in `statements`, sorted
    by kind, pair and day.

    `statements`: one tuple of STATEMENT_FIELDS per statement of a non-duplicate article.
    `volume`: stories stored per day.
    """
    by_pair_day: dict[tuple, list[tuple]] = defaultdict(list)
    for day, article_id, source, target, directed, hostility, cooperation, tension, category in statements:
        if not directed and source > target:  # undirected pairs are one pair whichever way found
            source, target = target, source
        said = (article_id, hostility, cooperation, tension)
        by_pair_day[(ALL, source, target, bool(directed), day)].append(said)
        if kind := kind_of(category):
            by_pair_day[(kind, source, target, bool(directed), day)].append(said)
    rows = [_day_row(key, by_pair_day[key], volume) for key in sorted(by_pair_day)]
    _add_rolling_and_anomalies(rows)
    return rows


def _day_row(key: tuple, said: list[tuple], volume: dict[date, int]) -> dict:
    kind, source, target, directed, day = key
    article_ids, hostility, cooperation, tension = zip(*said, strict=True)  # columns, in C
    if len(said) == 1:  # most pair-days hold one statement (47,436 of the corpus's 65,419 rows)
        per_article = {article_ids[0]: tension}
    else:
        per_article = defaultdict(list)
        for article_id, value in zip(article_ids, tension, strict=True):
            per_article[article_id].append(value)
    day_articles = volume.get(day, 0) or len(per_article)
    return {
        "kind": kind, "day": day, "source": source, "target": target, "directed": directed,
        "articles": len(per_article), "statements": len(said),
        "mean_hostility": _mean(hostility), "max_hostility": round(max(hostility), DIGITS),
        "mean_cooperation": _mean(cooperation), "mean_tension": _mean(tension),
        "day_articles": day_articles,
        "tension_index": tension_index(math.fsum(math.fsum(t) / len(t) for t in per_article.values()),
                                       day_articles),
    }


def _mean(values: tuple[float, ...]) -> float:
    return round(math.fsum(values) / len(values), DIGITS)


def _add_rolling_and_anomalies(rows: list[dict]) -> None:
    """rolling_7d and the anomaly flag of each row (sorted by kind and pair, then day): a day missing
    from a pair's rows adds nothing to a sum, which is the same as counting it as 0."""
    for _, pair_rows in groupby(rows, key=lambda row: (row["kind"], row["source"], row["target"],
                                                        row["directed"])):
        _pair_windows(list(pair_rows))


def _pair_windows(rows: list[dict]) -> None:
    days = [row["day"] for row in rows]
    values = [row["tension_index"] for row in rows]
    for index, row in enumerate(rows):
        week = _window(days, values, index, ROLLING_DAYS, include_day=True)
        baseline = _window(days, values, index, BASELINE_DAYS, include_day=False)
        row["rolling_7d"] = round(math.fsum(week) / ROLLING_DAYS, DIGITS)
        mean = math.fsum(baseline) / BASELINE_DAYS
        variance = math.fsum(v * v for v in baseline) / BASELINE_DAYS - mean**2
        threshold = mean + ANOMALY_SIGMAS * math.sqrt(max(variance, 0.0))
        active = sum(1 for v in baseline if v != 0)
        value = values[index]
        row["anomaly"] = value > threshold + 1e-9 and active >= MIN_BASELINE_ACTIVE_DAYS and value > 0


def _window(days: list[date], values: list[float], index: int, length: int, include_day: bool) -> list[float]:
    """The values of the `length` calendar days ending at days[index] (include_day) or just before it."""
    last = days[index] if include_day else days[index] - timedelta(days=1)
    first = last - timedelta(days=length - 1)
    found, at = [], index if include_day else index - 1
    while at >= 0 and days[at] >= first:
        if days[at] <= last:
            found.append(values[at])
        at -= 1
    return found


def daily_index(statements, volume):
    """daily_rows for pandas users (scripts, notebooks): a frame of STATEMENT_FIELDS columns and a
    Series of stories per day in, a DataFrame of DAILY_COLUMNS out."""
    import pandas as pd

    records = statements[list(STATEMENT_FIELDS)].itertuples(index=False, name=None)
    return pd.DataFrame(daily_rows(records, volume.to_dict()), columns=DAILY_COLUMNS)
