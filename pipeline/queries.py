"""Read-only queries for the app and the exports: SQLAlchemy Core selects -> pandas DataFrames.

The only module holding SQL the app reads with (its shared WHERE conditions are built by
pipeline.query_filters); every value reaches the database as a bound parameter. Each function takes
an Engine or a Connection and plain filters: days as `datetime.date` or ISO strings (`start`/`end`
are inclusive; None leaves that end open), pairs as (source, target) tuples where direction matters.
Results are DataFrames with typed columns, days as datetime64[ns]; a result that is one record
(headline figures, an article) is a one-row DataFrame. Statements without a known day drop out of
any date-filtered query. Syndicated copies (articles.duplicate_of set) are folded wherever they
could count twice; `dyad_daily` has folded them already. Quotes and statement rows leave out an
older version that a run at work is replacing (is_current). `kind` picks the daily index of all
statements ("all", the default), of the words alone or of the deeds alone (pipeline.categories); on
statements it keeps those of that kind's categories.

Example::

    engine = store.make_engine(store.database_url())
    first, last = date_bounds(engine)
    series = dyad_series(engine, "2019-12-01", "2019-12-31", pairs=[("PRK", "USA")])
    quotes = key_quotes(engine, "2019-12-01", "2019-12-31", categories=["THREATEN"], limit=10)
    article, said = article_evidence(engine, quotes.iloc[0]["article_id"])
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

import pandas as pd
from sqlalchemy import case, func, select, true, union_all

from pipeline import frames
from pipeline.categories import ALL
from pipeline.datelines import WIRE_DATELINE
from pipeline.frames import (  # noqa: F401 - the columns each query returns, re-exported
    ARTICLE_COLUMNS,
    DYAD_COLUMNS,
    HEADLINE_COLUMNS,
    MATRIX_COLUMNS,
    MOVER_COLUMNS,
    QUOTE_COLUMNS,
    RANKED_COLUMNS,
    STATEMENT_COLUMNS,
    Bind,
)
from pipeline.query_filters import (
    DayLike,
    Pair,
    as_day,
    in_range,
    of_categories,
    of_kind,
    of_pairs,
    pair_list,
)
from pipeline.store import articles, dyad_daily, is_story, runs, statements

# key_quotes first ranks this many statements per quote asked for, then QUOTE_GROWTH times more
# until they hold enough distinct quotes.
QUOTE_CANDIDATES, QUOTE_GROWTH = 4, 4
# A quote shorter than this is words picked out of its sentence, which says who said them of whom.
QUOTE_MIN_CHARS = 40
# Pairs of a series read one select each, at most: SQLite takes 500 selects in a UNION, and past
# this many the period's rows of the kind are no more than the pairs' anyway.
UNION_PAIRS = 100
# Rows an export holds at a time (the *_chunks readers): about 75 MB of statements as DataFrames.
CHUNK_ROWS = 2000
STATEMENT_ROW_COLUMNS = {**STATEMENT_COLUMNS, "published_at": frames.TIME, "url": "str", "title": "str",
                         "outlet": "str", "duplicate_of": "str", "duplicate": "bool"}

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
    """Pairs (source, target, directed) ranked by their summed tension_index over [start, end].

    Also: statements, articles (summed over days), mean hostility (of statements), max hostility,
    active days and anomalous days.
    """
    d = dyad_daily.c
    tension = func.sum(d.tension_index)
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


def biggest_movers(bind: Bind, start: DayLike, end: DayLike, limit: int = 10,
                   absolute: bool = False, kind: str = ALL) -> pd.DataFrame:
    """Summed tension_index in [start, end] (`current`) against the equally long period just before
    (`previous`), and `delta` = current - previous; ranked by delta, rising first, or by |delta|
    when `absolute`. A pair quiet in one period counts 0 there.
    """
    first, last = as_day(start), as_day(end)
    if first is None or last is None or first > last:
        raise ValueError("biggest_movers needs start <= end, both given")
    before = first - (last - first) - dt.timedelta(days=1)
    d = dyad_daily.c
    current = func.sum(case((d.day >= first, d.tension_index), else_=0.0))
    previous = func.sum(case((d.day < first, d.tension_index), else_=0.0))
    delta = current - previous
    query = (select(d.source, d.target, d.directed, previous.label("previous"),
                    current.label("current"), delta.label("delta"))
             .where(of_kind(d.kind, kind), in_range(d.day, before, last))
             .group_by(d.source, d.target, d.directed)
             .order_by((func.abs(delta) if absolute else delta).desc(), d.source, d.target, d.directed)
             .limit(limit))
    return frames.frame(bind, query, MOVER_COLUMNS)


def headline_figures(bind: Bind, start: DayLike, end: DayLike, kind: str = ALL) -> pd.DataFrame:
    """One row: stories (`articles`, copies folded), folded `duplicates`, `statements` of stories,
    `pairs` (distinct source, target) and `anomalies` (anomalous pair-days) in [start, end]; the
    last three of `kind`, the stories all (the volume every kind is normalised by)."""
    a, d = articles.c, dyad_daily.c
    said_in_range = [in_range(statements.c.day, start, end), of_categories(statements.c.category, None, kind)]
    stories = select(func.count()).select_from(articles).where(
        is_story(), in_range(a.day, start, end))
    copies = select(func.count()).select_from(articles).where(
        a.duplicate_of.is_not(None), in_range(a.day, start, end))
    # Statements of stories = all statements of the range (an index count) minus those of the range's
    # copies, looked up by article id from the few copies (a statement's day is its article's): a
    # join from every statement of the range to its article took 4.3 s over a million statements.
    every = select(func.count()).select_from(statements).where(*said_in_range)
    copies_of_range = select(a.id).where(a.duplicate_of.is_not(None), in_range(a.day, start, end))
    of_copies = select(func.count()).select_from(statements).where(
        statements.c.article_id.in_(copies_of_range), *said_in_range)
    said = select(every.scalar_subquery() - of_copies.scalar_subquery())
    of_range = [of_kind(d.kind, kind), in_range(d.day, start, end)]
    pairs = select(d.source, d.target).where(*of_range).distinct().subquery()
    anomalies = select(func.count()).select_from(dyad_daily).where(d.anomaly == true(), *of_range)
    query = select(stories.scalar_subquery().label("articles"),
                   copies.scalar_subquery().label("duplicates"),
                   said.scalar_subquery().label("statements"),
                   select(func.count()).select_from(pairs).scalar_subquery().label("pairs"),
                   anomalies.scalar_subquery().label("anomalies"))
    return frames.frame(bind, query, HEADLINE_COLUMNS)


def key_quotes(bind: Bind, start: DayLike, end: DayLike, pairs: Iterable[Pair] | None = None,
               categories: Iterable[str] | None = None, min_hostility: float = 0.0,
               limit: int = 50, kind: str = ALL) -> pd.DataFrame:
    """The most hostile statements with their article, copies folded, most hostile first.

    `excerpt` is what an analyst reads: the quote, unless it is a few words picked out of its
    sentence ("a 'crushing' response", under QUOTE_MIN_CHARS), else the sentence, without the wire
    dateline it may open with (the date and outlet have their own columns). Statements of duplicate
    articles are skipped, and of statements with the same source, target and words said (the quote,
    else the sentence) only the most hostile (then earliest) stays.

    Only the statements at least as hostile as the `wanted`-th most hostile of the filtered ones are
    ranked (ties included), `wanted` growing until they hold `limit` quotes: each quote is then the
    most hostile statement of its group, and every group left out ranks below them. Ranking every
    statement of a period took 11.6 s over a million; its most hostile are found in an index.
    """
    s = statements.c
    filters = [s.hostility >= min_hostility, in_range(s.day, start, end),
               of_pairs(s.source, s.target, pairs), of_categories(s.category, categories, kind)]
    wanted = max(limit, 1) * QUOTE_CANDIDATES
    with frames.connection(bind) as conn:
        while True:
            floor = _hostility_floor(conn, filters, wanted)
            among = filters if floor is None else [*filters, s.hostility >= floor]
            quotes = frames.frame(conn, _quotes(among, limit), QUOTE_COLUMNS)
            if floor is None or len(quotes) >= limit:
                return quotes.assign(excerpt=quotes["excerpt"].str.replace(WIRE_DATELINE, "", n=1,
                                                                           regex=True))
            wanted *= QUOTE_GROWTH


def _hostility_floor(conn, filters: list, wanted: int) -> float | None:
    """The hostility of the `wanted`-th most hostile statement passing `filters`; None if fewer pass."""
    hostility = statements.c.hostility
    query = select(hostility).where(*filters).order_by(hostility.desc()).offset(wanted - 1).limit(1)
    return conn.execute(query).scalar()


def _quotes(filters: list, limit: int):
    """The `limit` most hostile statements of stories passing `filters`, one of each excerpt of a pair."""
    s, a = statements.c, articles.c
    said = func.coalesce(func.nullif(s.quote, ""), s.sentence)
    excerpt = case((func.length(s.quote) >= QUOTE_MIN_CHARS, s.quote), else_=s.sentence)
    copy_rank = func.row_number().over(partition_by=(s.source, s.target, said),
                                       order_by=(s.hostility.desc(), s.day, s.id))
    ranked = (select(s.day, s.source, s.target, s.directed, s.category, s.hostility, s.tension,
                     excerpt.label("excerpt"), s.quote, s.sentence, a.source.label("outlet"), a.url,
                     a.title, s.article_id, s.id.label("statement_id"), copy_rank.label("copy_rank"))
              .select_from(statements.join(articles, a.id == s.article_id))
              .where(is_story(), is_current(), *filters)
              .subquery())
    r = ranked.c
    return (select(*(r[name] for name in QUOTE_COLUMNS))
            .where(r.copy_rank == 1)
            .order_by(r.hostility.desc(), r.day.desc(), r.statement_id)
            .limit(limit))


def article_evidence(bind: Bind, article_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the article as a one-row DataFrame, its statements in text order with `cues` decoded).

    Both are empty when no article has that id.
    """
    a, s = articles.c, statements.c
    article = select(*(a.source.label("outlet") if name == "outlet" else a[name]
                       for name in ARTICLE_COLUMNS)).where(a.id == article_id)
    said = select(statements).where(s.article_id == article_id).order_by(s.start, s.source, s.target)
    with frames.connection(bind) as conn:
        return frames.frame(conn, article, ARTICLE_COLUMNS), frames.frame(conn, said, STATEMENT_COLUMNS)


def statement_rows(bind: Bind, start: DayLike, end: DayLike,
                   pairs: Iterable[Pair] | None = None, kind: str = ALL) -> pd.DataFrame:
    """Every statement column plus its article's url, title, outlet and publication time, with
    duplicates marked (`duplicate`, `duplicate_of`), not dropped; ordered by day and text order."""
    return frames.frame(bind, _statement_rows(start, end, pairs, kind), STATEMENT_ROW_COLUMNS)


def statement_row_chunks(bind: Bind, start: DayLike, end: DayLike, pairs: Iterable[Pair] | None = None,
                         rows: int = CHUNK_ROWS, kind: str = ALL) -> Iterator[pd.DataFrame]:
    """statement_rows in DataFrames of at most `rows` rows, read as they are used (for export)."""
    return frames.chunks(bind, _statement_rows(start, end, pairs, kind), STATEMENT_ROW_COLUMNS, rows)


def _statement_rows(start: DayLike, end: DayLike, pairs: Iterable[Pair] | None, kind: str):
    s, a = statements.c, articles.c
    return (select(statements, a.published_at, a.url, a.title, a.source.label("outlet"),
                   a.duplicate_of, a.duplicate_of.is_not(None).label("duplicate"))
            .select_from(statements.join(articles, a.id == s.article_id))
            .where(in_range(s.day, start, end), of_pairs(s.source, s.target, pairs),
                   of_categories(s.category, None, kind), is_current())
            .order_by(s.day, s.article_id, s.start, s.source, s.target))


def is_current():
    """The article is no older version that a run has replaced and will delete when it ends (or a
    killed run did, which the next decides on): while it is at work, quotes and exports show the
    record's newer version alone, not both. Counts still hold both until the run ends, and the
    daily index holds neither change until it is rebuilt then."""
    return articles.c.superseded_run.is_(None)


def tension_matrix(bind: Bind, start: DayLike, end: DayLike, directed_only: bool = False,
                   kind: str = ALL) -> pd.DataFrame:
    """Long form source x target: mean tension of the pair's statements in [start, end], their
    number and the summed tension_index; undirected pairs sit in code order (source < target)."""
    d = dyad_daily.c
    query = (select(d.source, d.target, _weighted_mean(d.mean_tension).label("mean_tension"),
                    func.sum(d.statements).label("statements"),
                    func.sum(d.tension_index).label("tension_index"))
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


def data_version(bind: Bind) -> tuple:
    """What changes whenever the stored data may have: the newest run's id, state and end. Runs store
    the data; an upgrade rewrites the daily index, but pages read nothing while the schema lags, and
    the days a killed run left to rebuild come with that run still "running". A run writes batch by
    batch while it is "running": the caller decides how long what it reads then holds."""
    newest = select(runs.c.id, runs.c.status, runs.c.finished_at).order_by(runs.c.id.desc()).limit(1)
    with frames.connection(bind) as connection:
        return tuple(connection.execute(newest).first() or ())


def last_run(bind: Bind) -> dict | None:
    """The newest run: id, started_at, finished_at, status, inputs, counts, rejects, failures."""
    query = select(runs).order_by(runs.c.id.desc()).limit(1)
    with frames.connection(bind) as connection:
        row = connection.execute(query).mappings().first()
    return None if row is None else dict(row)


def articles_per_source(bind: Bind, limit: int = 25) -> pd.DataFrame:
    """Stories stored by outlet (copies folded), the most first, with each outlet's newest day;
    articles without an outlet count as "(unknown)"."""
    a = articles.c
    # Grouped by the stored outlet, in the order of ix_articles_source, which holds all the count
    # reads; the few groups are then named, so that no outlet and one called "(unknown)" merge, as
    # before. Grouping every article by the named outlet sorts them all first (0.15 s, not 0.06 s,
    # over a million statements' articles).
    per_outlet = (select(a.source, func.count().label("articles"), func.max(a.day).label("last_day"))
                  .where(is_story()).group_by(a.source).subquery())
    p = per_outlet.c
    source = func.coalesce(p.source, "(unknown)").label("source")
    stories = func.sum(p.articles)
    query = (select(source, stories.label("articles"), func.max(p.last_day).label("last_day"))
             .group_by(source).order_by(stories.desc(), source).limit(limit))
    return frames.frame(bind, query, {"source": "str", "articles": "int64", "last_day": frames.DAY})


def _weighted_mean(daily_mean):
    """A statement-weighted mean over days of a daily mean column of dyad_daily."""
    return func.sum(daily_mean * dyad_daily.c.statements) / func.sum(dyad_daily.c.statements)
