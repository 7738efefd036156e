"""The app's reads of statements and their articles: the headline figures, the key quotes (copies and
repeated words folded), one article's evidence, and every statement row for export. Part of
pipeline.queries, which says what every query takes and returns."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pandas as pd
from sqlalchemy import case, func, select, true

from pipeline import frames
from pipeline.categories import ALL
from pipeline.datelines import WIRE_DATELINE
from pipeline.frames import (
    ARTICLE_COLUMNS,
    CHUNK_ROWS,
    HEADLINE_COLUMNS,
    QUOTE_COLUMNS,
    STATEMENT_COLUMNS,
    Bind,
)
from pipeline.query_filters import DayLike, Pair, in_range, of_categories, of_kind, of_pairs
from pipeline.store import articles, dyad_daily, is_story, statements

# key_quotes first ranks this many statements per quote asked for, then QUOTE_GROWTH times more
# until they hold enough distinct quotes.
QUOTE_CANDIDATES, QUOTE_GROWTH = 4, 4
# A quote shorter than this is words picked out of its sentence, which says who said them of whom.
QUOTE_MIN_CHARS = 40
STATEMENT_ROW_COLUMNS = {**STATEMENT_COLUMNS, "published_at": frames.TIME, "url": "str", "title": "str",
                         "outlet": "str", "duplicate_of": "str", "duplicate": "bool"}


def headline_figures(bind: Bind, start: DayLike, end: DayLike, kind: str = ALL) -> pd.DataFrame:
    """One row: stories (`articles`, copies folded), folded `duplicates`, `statements` of stories,
    `pairs` (distinct source, target) and `anomalies` (anomalous pair-days) in [start, end]; the
    last three of `kind`, the stories all (the volume every kind is normalised by)."""
    a, d, s = articles.c, dyad_daily.c, statements.c
    in_days, copy = in_range(a.day, start, end), a.duplicate_of.is_not(None)
    said_in_range = [in_range(s.day, start, end), of_categories(s.category, None, kind)]
    # Statements of stories = all statements of the range (an index count) minus those of the range's
    # copies, looked up by article id from the few copies (a statement's day is its article's): a
    # join from every statement of the range to its article took 4.3 s over a million statements.
    said = (_count(statements, *said_in_range)
            - _count(statements, s.article_id.in_(select(a.id).where(copy, in_days)), *said_in_range))
    of_range = [of_kind(d.kind, kind), in_range(d.day, start, end)]
    pairs = select(d.source, d.target).where(*of_range).distinct().subquery()
    query = select(_count(articles, is_story(), in_days).label("articles"),
                   _count(articles, copy, in_days).label("duplicates"), said.label("statements"),
                   _count(pairs).label("pairs"),
                   _count(dyad_daily, d.anomaly == true(), *of_range).label("anomalies"))
    with frames.connection(bind) as conn:
        figures = frames.frame(conn, query, HEADLINE_COLUMNS)
        replaced = _being_replaced(conn, in_days, said_in_range)
    return figures.assign(**{name: figures[name] - count for name, count in replaced.items()})


def _being_replaced(conn, in_days, said_in_range: list) -> dict[str, int]:
    """What the older versions a run at work is replacing add to the headline figures' articles,
    duplicates and statements: the quotes leave them out (is_current), so the counts do too. They
    are found by their partial index first: asked for beside the day's range, SQLite went through
    every story of the range instead (0.1 s became 0.4 s over a million statements)."""
    a = articles.c
    marked = conn.execute(select(a.id).where(a.superseded_run.is_not(None))).scalars().all()
    if not marked:
        return {}
    ids = a.id.in_(marked)
    stories = select(a.id).where(ids, is_story(), in_days)
    query = select(_count(articles, ids, is_story(), in_days),
                   _count(articles, ids, a.duplicate_of.is_not(None), in_days),
                   _count(statements, statements.c.article_id.in_(stories), *said_in_range))
    return dict(zip(("articles", "duplicates", "statements"), conn.execute(query).one(), strict=True))


def _count(table, *conditions):
    """SELECT count(*) of `table`'s rows meeting `conditions`, as a value of an outer select."""
    return select(func.count()).select_from(table).where(*conditions).scalar_subquery()


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
                     s.rule, s.confidence, excerpt.label("excerpt"), s.quote, s.sentence,
                     a.source.label("outlet"), a.url, a.title, s.article_id, s.id.label("statement_id"),
                     copy_rank.label("copy_rank"))
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
    record's newer version alone, not both, and the headline figures count it alone (see
    _being_replaced); the daily index holds neither change until it is rebuilt then."""
    return articles.c.superseded_run.is_(None)
