"""The app's reads of the daily dyad index (`dyad_daily`): a pair's series, its anomalous days, pairs
ranked or compared between periods, the source x target matrix, and the days that hold data. Part of
pipeline.queries, which says what every query takes and returns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

import pandas as pd
from sqlalchemy import case, func, select, true, union_all

from pipeline import frames
from pipeline.categories import ALL
from pipeline.frames import CHUNK_ROWS, DYAD_COLUMNS, MATRIX_COLUMNS, MOVER_COLUMNS, RANKED_COLUMNS, Bind
from pipeline.query_filters import DayLike, Pair, as_day, in_range, of_kind, of_pairs, pair_list
from pipeline.schema import WEIGHTED_INDEX, is_story
from pipeline.store import articles, dyad_daily, pair_totals, statements

# Pairs of a series read one select each, at most: SQLite takes 500 selects in a UNION, and past
# this many the period's rows of the kind are no more than the pairs' anyway.
UNION_PAIRS = 100
PAIR_TOTAL_COLUMNS = {"source": "str", "target": "str", "directed": "bool", "tension_index": "float64",
                      "statements": "int64"}


def dyad_series(bind: Bind, start: DayLike, end: DayLike, pairs: Iterable[Pair] | None = None,
                directed_only: bool = False, kind: str = ALL) -> pd.DataFrame:
    """`dyad_daily` rows of `pairs` (all pairs when None) in [start, end], ordered by day."""
    return frames.frame(bind, _dyad_series(start, end, pairs, kind, directed_only), DYAD_COLUMNS)


def dyad_series_chunks(bind: Bind, start: DayLike, end: DayLike, pairs: Iterable[Pair] | None = None,
                       rows: int = CHUNK_ROWS, kind: str = ALL) -> Iterator[pd.DataFrame]:
    """dyad_series in DataFrames of at most `rows` rows, read as they are used (for export)."""
    return frames.chunks(bind, _dyad_series(start, end, pairs, kind), DYAD_COLUMNS, rows)


def anomalous_days(bind: Bind, start: DayLike, end: DayLike,
                   pairs: Iterable[Pair] | None = None, kind: str = ALL) -> pd.DataFrame:
    """The rows of dyad_series flagged as anomalies: read alone, not picked out of every pair's series
    (397,000 rows and 7.5 s over a million statements, for a few thousand anomalies)."""
    return frames.frame(bind, _dyad_series(start, end, pairs, kind, anomalies=True), DYAD_COLUMNS)


def _dyad_series(start: DayLike, end: DayLike, pairs: Iterable[Pair] | None, kind: str,
                 directed_only: bool = False, anomalies: bool = False):
    d = dyad_daily.c
    rows = [of_kind(d.kind, kind), in_range(d.day, start, end),
            d.directed.is_(True) if directed_only else true(), d.anomaly == true() if anomalies else true()]
    listed = pair_list(pairs)
    if listed is None or not 2 <= len(listed) <= UNION_PAIRS:
        found = select(dyad_daily).where(*rows, of_pairs(d.source, d.target, listed)).subquery()
    else:  # one select a pair, each by the pair index: SQLite, which keeps no statistics, read an OR of
        # pairs as every row of the kind in the period, through the primary key (kind, day, ...)
        found = union_all(*(select(dyad_daily).where(*rows, d.source == a, d.target == b)
                            for a, b in listed)).subquery()
    f = found.c
    return select(found).order_by(f.day, f.source, f.target, f.directed)


def top_dyads(bind: Bind, start: DayLike, end: DayLike, limit: int = 10,
              directed_only: bool = False, kind: str = ALL) -> pd.DataFrame:
    """Pairs (source, target, directed) ranked by their index over [start, end] as a whole
    (`tension_index`: period_index).

    Also: statements, articles (summed over days), mean hostility (of statements), max hostility,
    active days and anomalous days.
    """
    d = dyad_daily.c
    tension = period_index(start, end)
    query = (select(d.source, d.target, d.directed, tension.label("tension_index"),
                    func.sum(d.statements).label("statements"), func.sum(d.articles).label("articles"),
                    _weighted_mean(d.mean_hostility).label("mean_hostility"),
                    func.max(d.max_hostility).label("max_hostility"), func.count().label("days"),
                    func.sum(case((d.anomaly == true(), 1), else_=0)).label("anomalies"))
             .where(of_kind(d.kind, kind), in_range(d.day, start, end),
                    d.directed.is_(True) if directed_only else true())
             .group_by(d.source, d.target, d.directed)
             .order_by(tension.desc(), d.source, d.target, d.directed)
             .limit(limit))
    return frames.frame(bind, query, RANKED_COLUMNS)


def period_index(start: DayLike, end: DayLike, counted=None):
    """A pair's index over [start, end] as a whole, from each day's index times its stories
    (WEIGHTED_INDEX) of the rows grouped, or of those `counted` holds for: summed, over the period's
    stories,

        100 x sum_a t_a / N  =  sum_d (tension_index_d x N_d) / sum_d N_d

    the daily index's mean weighted by each day's news volume, as the Geopolitical Risk index makes
    its monthly figure of a month's articles. A sum of the daily index instead counts a day of 2
    stories as much as a day of 400: over the benchmark corpus, the one or two stories a day of
    2017-2019 put the US -> Syria and Turkey -> Syria (174 and 129 statements) above North Korea ->
    the US (1,450)."""
    weighted = WEIGHTED_INDEX if counted is None else case((counted, WEIGHTED_INDEX), else_=0.0)
    return func.sum(weighted) / stories_between(start, end)


def stories_between(start: DayLike, end: DayLike):
    """The stories stored for [start, end] (copies folded), as a scalar subquery; 1 when none, so
    that it can divide (NULLIF and COALESCE, which both databases have, count them once)."""
    a = articles.c
    stories = (select(func.count()).select_from(articles)
               .where(is_story(), a.day.is_not(None), in_range(a.day, start, end)).scalar_subquery())
    return func.coalesce(func.nullif(stories, 0), 1)


def ranked_pairs(bind: Bind, kind: str = ALL, limit: int = 500) -> pd.DataFrame:
    """Every pair with daily rows of `kind`, by its index over every day (period_index), most tense
    first: top_dyads over the whole period, without summing every daily row (pair_totals keeps each
    pair's weighted_index summed)."""
    t = pair_totals.c
    query = (select(t.source, t.target, t.directed,
                    (t.weighted_index / stories_between(None, None)).label("tension_index"), t.statements)
             .where(of_kind(t.kind, kind))
             .order_by(t.weighted_index.desc(), t.source, t.target, t.directed)
             .limit(limit))
    return frames.frame(bind, query, PAIR_TOTAL_COLUMNS)


def biggest_movers(bind: Bind, start: DayLike, end: DayLike, limit: int = 10,
                   absolute: bool = False, kind: str = ALL) -> pd.DataFrame:
    """The index of [start, end] as a whole (`current`, period_index) against that of the equally
    long period just before (`previous`), and `delta` = current - previous; ranked by delta, rising
    first, or by |delta| when `absolute`. A pair quiet in one period counts 0 there. Each period is
    normalised by its own stories, so a period with twice the news is not twice as tense.
    """
    first, last = as_day(start), as_day(end)
    if first is None or last is None or first > last:
        raise ValueError("biggest_movers needs start <= end, both given")
    before = first - (last - first) - dt.timedelta(days=1)
    d = dyad_daily.c
    # Both periods in one scan of their rows, each row counted in its own.
    current = period_index(first, last, counted=d.day >= first)
    previous = period_index(before, first - dt.timedelta(days=1), counted=d.day < first)
    delta = (current - previous).label("delta")
    # Ordered by the label where it can be (ORDER BY delta), so that SQLite does not count each
    # period's stories again for the order; PostgreSQL takes a label alone, not inside abs().
    query = (select(d.source, d.target, d.directed, previous.label("previous"),
                    current.label("current"), delta)
             .where(of_kind(d.kind, kind), in_range(d.day, before, last))
             .group_by(d.source, d.target, d.directed)
             .order_by((func.abs(delta.element) if absolute else delta).desc(), d.source, d.target,
                       d.directed)
             .limit(limit))
    return frames.frame(bind, query, MOVER_COLUMNS)


def tension_matrix(bind: Bind, start: DayLike, end: DayLike, directed_only: bool = False,
                   kind: str = ALL) -> pd.DataFrame:
    """Long form source x target: mean tension of the pair's statements in [start, end], their
    number and the pair's index over the period (period_index); undirected pairs sit in code order
    (source < target)."""
    d = dyad_daily.c
    query = (select(d.source, d.target, _weighted_mean(d.mean_tension).label("mean_tension"),
                    func.sum(d.statements).label("statements"),
                    period_index(start, end).label("tension_index"))
             .where(of_kind(d.kind, kind), in_range(d.day, start, end),
                    d.directed.is_(True) if directed_only else true())
             .group_by(d.source, d.target)
             .order_by(d.source, d.target))
    return frames.frame(bind, query, MATRIX_COLUMNS)


def has_daily_rows(bind: Bind, start: DayLike, end: DayLike, kind: str = ALL) -> bool:
    """Whether the daily index holds any pair-day of `kind` in [start, end] (what biggest_movers
    compares against): one row sought by the primary key, which leads with the kind and the day."""
    d = dyad_daily.c
    query = select(d.day).where(of_kind(d.kind, kind), in_range(d.day, start, end)).limit(1)
    with frames.connection(bind) as connection:
        return connection.execute(query).first() is not None


def date_bounds(bind: Bind) -> tuple[dt.date | None, dt.date | None]:
    """(first, last) day holding statements or daily rows; (None, None) for an empty database."""
    s, d = statements.c, dyad_daily.c
    query = select(*(bound for agg in (func.min, func.max) for bound in (
        select(agg(s.day)).scalar_subquery(), select(agg(d.day)).where(d.kind == ALL).scalar_subquery())))
    with frames.connection(bind) as connection:
        first_s, first_d, last_s, last_d = connection.execute(query).one()
    firsts = [as_day(v) for v in (first_s, first_d) if v is not None]
    lasts = [as_day(v) for v in (last_s, last_d) if v is not None]
    return (min(firsts) if firsts else None, max(lasts) if lasts else None)


def _weighted_mean(daily_mean):
    """A statement-weighted mean over days of a daily mean column of dyad_daily."""
    return func.sum(daily_mean * dyad_daily.c.statements) / func.sum(dyad_daily.c.statements)
