"""Statements -> the daily dyad index.

For a day d and a pair (directed A -> B, or an undirected pair kept in code order):

    tension_index(d) = 100 × Σ_a t_a / N_d

where a runs over the articles of d that hold statements for the pair (syndicated copies folded:
each story once), t_a is the mean tension of the pair's statements in article a, and N_d is the
number of stories stored for day d. Like the Geopolitical Risk index, it grows with intensity (t_a)
and with volume (more articles), and it is normalised by the day's news volume, so a day with twice
the news is not twice as tense. It is signed: cooperative days are negative.

rolling_7d is the mean of the index over the seven calendar days ending d (days without statements
count as 0). A day is an anomaly when its index exceeds the pair's own trailing baseline, the
mean plus ANOMALY_SIGMAS standard deviations of the previous BASELINE_DAYS calendar days, and the
pair was active on at least MIN_BASELINE_ACTIVE_DAYS of them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

ROLLING_DAYS = 7
BASELINE_DAYS = 28
ANOMALY_SIGMAS = 3.0
MIN_BASELINE_ACTIVE_DAYS = 3
# How far a change on one day reaches into later days' values.
REACH_DAYS = ROLLING_DAYS + BASELINE_DAYS

DAILY_COLUMNS = [
    "day", "source", "target", "directed", "articles", "statements", "mean_hostility",
    "max_hostility", "mean_cooperation", "mean_tension", "day_articles", "tension_index",
    "rolling_7d", "anomaly",
]


def tension_index(article_tension_sum, day_articles):
    """The formula of the module docstring: 100 × Σ_a t_a / N_d (numbers or arrays alike).

    >>> float(tension_index(0.8 + 0.4, 4))
    30.0
    """
    return np.round(100.0 * np.asarray(article_tension_sum, dtype=float)
                    / np.maximum(np.asarray(day_articles, dtype=float), 1.0), 4)


def daily_index(statements: pd.DataFrame, volume: pd.Series) -> pd.DataFrame:
    """Daily rows for every (day, pair) present in `statements`.

    `statements`: one row per statement of a non-duplicate article, with columns day, article_id,
    source, target, directed, hostility, cooperation, tension. `volume`: stories stored per day
    (index: day). Returns DAILY_COLUMNS, sorted by pair and day.
    """
    if statements.empty:
        return pd.DataFrame(columns=DAILY_COLUMNS)
    frame = _canonical_pairs(statements)
    keys = ["day", "source", "target", "directed"]
    daily = frame.groupby(keys, as_index=False).agg(
        articles=("article_id", "nunique"), statements=("tension", "size"),
        mean_hostility=("hostility", "mean"), max_hostility=("hostility", "max"),
        mean_cooperation=("cooperation", "mean"), mean_tension=("tension", "mean"),
    )
    per_article = frame.groupby([*keys, "article_id"], as_index=False)["tension"].mean()
    sums = per_article.groupby(keys, as_index=False)["tension"].sum()
    daily = daily.merge(sums.rename(columns={"tension": "tension_sum"}), on=keys)
    volume_of_day = daily["day"].map(volume).fillna(0).astype(int)
    daily["day_articles"] = volume_of_day.where(volume_of_day > 0, daily["articles"])
    daily["tension_index"] = tension_index(daily["tension_sum"], daily["day_articles"])
    for column in ("mean_hostility", "max_hostility", "mean_cooperation", "mean_tension"):
        daily[column] = daily[column].round(4)
    return _with_rolling_and_anomalies(daily)[DAILY_COLUMNS]


def _canonical_pairs(statements: pd.DataFrame) -> pd.DataFrame:
    """Undirected pairs are one pair whichever way they were found: kept in code order."""
    frame = statements.copy()
    swap = ~frame["directed"].astype(bool) & (frame["source"] > frame["target"])
    frame.loc[swap, ["source", "target"]] = frame.loc[swap, ["target", "source"]].to_numpy()
    frame["directed"] = frame["directed"].astype(bool)
    return frame


def _with_rolling_and_anomalies(daily: pd.DataFrame) -> pd.DataFrame:
    """rolling_7d and the anomaly flag for every pair at once, with time-based windows: a day
    missing from a pair's rows adds nothing to a sum, which is the same as counting it as 0."""
    pair = ["source", "target", "directed"]
    daily = daily.sort_values([*pair, "day"]).reset_index(drop=True)
    frame = daily.assign(
        moment=pd.to_datetime(daily["day"]),
        squared=daily["tension_index"] ** 2,
        active=(daily["tension_index"] != 0).astype(float),
    ).set_index("moment")
    groups = frame.groupby(pair, sort=False)

    def window(column: str, days: int, closed: str = "right") -> np.ndarray:
        rolled = groups[column].rolling(f"{days}D", closed=closed).sum()
        return rolled.fillna(0.0).to_numpy()  # groups come back in the frame's (sorted) order

    value = daily["tension_index"].to_numpy()
    mean = window("tension_index", BASELINE_DAYS, "left") / BASELINE_DAYS
    variance = window("squared", BASELINE_DAYS, "left") / BASELINE_DAYS - mean**2
    threshold = mean + ANOMALY_SIGMAS * np.sqrt(np.clip(variance, 0.0, None))
    active = window("active", BASELINE_DAYS, "left")
    daily["rolling_7d"] = np.round(window("tension_index", ROLLING_DAYS) / ROLLING_DAYS, 4)
    daily["anomaly"] = (value > threshold + 1e-9) & (active >= MIN_BASELINE_ACTIVE_DAYS) & (value > 0)
    return daily
