"""What a run reads back from the database: whether its input, articles and pages are stored, the
near-duplicate candidates of a batch, the feeds' state, the daily index's inputs and the selects
its pairs' totals are moved with (pipeline.totals). Read-only:
pipeline.store, the only writer, re-exports these so that the pipeline needs one module.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from pipeline.aggregate import STATEMENT_FIELDS
from pipeline.bulk import distinct_rows, in_column
from pipeline.dedupe import THRESHOLD, from_bytes, jaccard, stored_buckets, within_copy_window
from pipeline.schema import (
    WEIGHTED_INDEX,
    articles,
    dirty_days,
    dyad_daily,
    feed_cache,
    gone_links,
    is_story,
    lsh_buckets,
    pair_totals,
    runs,
    statements,
)


def now() -> datetime:
    return datetime.now(UTC)


def known_urls(engine: Engine, urls: list[str]) -> set[str]:
    """Which of these page URLs are stored already (one query)."""
    return _stored(engine, articles.c.url, urls)


def feed_validators(engine: Engine) -> dict[str, tuple[str | None, str | None]]:
    """url -> (ETag, Last-Modified) of every feed's last good answer."""
    with engine.connect() as conn:
        rows = conn.execute(select(feed_cache.c.url, feed_cache.c.etag, feed_cache.c.last_modified))
        return {row.url: (row.etag, row.last_modified) for row in rows}


def links_gone_for(engine: Engine, urls: list[str], runs: int, days: float) -> set[str]:
    """Which of these item pages answered 404 or 410 in at least `runs` runs in a row, the first at
    least `days` ago (one query)."""
    if not urls:
        return set()
    g = gone_links.c
    query = select(g.url).where(g.url.in_(set(urls)), g.runs >= runs,
                                g.first_gone_at <= now() - timedelta(days=days))
    with engine.connect() as conn:
        return set(conn.execute(query).scalars())


def known_inputs(engine: Engine, digests: list[str]) -> dict[str, set[tuple[date | None, str | None]]]:
    """The stored input hashes (`articles.input_sha`) among these, each with the (day, record key) of
    the articles stored from it (one query per batch): the same text stored on another day, or
    under another record, is not this input."""
    found: dict[str, set[tuple[date | None, str | None]]] = {}
    if digests:
        a = articles.c
        with engine.connect() as conn:
            rows = distinct_rows(conn, a.input_sha, [a.input_sha, a.day, a.record_key], sorted(set(digests)))
        for digest, day, key in rows:
            found.setdefault(digest, set()).add((_as_date(day), key))
    return found


def known_ids(engine: Engine, ids: list[str]) -> set[str]:
    """Which of these article ids are stored already (one query per batch)."""
    return _stored(engine, articles.c.id, ids)


def _stored(engine: Engine, column, values: list[str]) -> set[str]:
    """The values of `column` among these (one query, the keys as one parameter: see bulk.in_column)."""
    if not values:
        return set()
    with engine.connect() as conn:
        return set(in_column(conn, column, column, sorted(set(values))))


def articles_with_keys(engine: Engine, keys: list[str]) -> dict[str, list[tuple]]:
    """Stored articles by input record key: key -> [(id, day, run id, input hash, superseded_run)],
    for replacing changed ones."""
    found: dict[str, list[tuple]] = {}
    if keys:
        a = articles.c
        query = select(a.record_key, a.id, a.day, a.run_id, a.input_sha, a.superseded_run)
        with engine.connect() as conn:
            for row in conn.execute(query.where(a.record_key.in_(set(keys)))):
                found.setdefault(row.record_key, []).append(tuple(row)[1:])
    return found


def originals_in_buckets(engine: Engine, wanted: set[int]) -> list:
    """(id, day, minhash) of the stored originals indexed under any of these LSH buckets."""
    if not wanted:
        return []
    with engine.connect() as conn:
        keys = in_column(conn, lsh_buckets.c.bucket, lsh_buckets.c.article_key, sorted(wanted))
        query = select(articles.c.id, articles.c.day, articles.c.minhash).where(
            articles.c.lsh_key.in_(keys), is_story())
        return conn.execute(query).all() if keys else []


def original_matching(conn, minhash: bytes | None, day: date | None, leaving: list[str]) -> str | None:
    """The earliest stored original, but those `leaving`, that an article with this signature and
    day is a copy of (filed within the copy window and as similar as a copy must be), found through
    the LSH index as a run finds one; None when there is none. In the caller's transaction."""
    if minhash is None:
        return None
    keys = in_column(conn, lsh_buckets.c.bucket, lsh_buckets.c.article_key, stored_buckets(minhash))
    if not keys:
        return None
    a = articles.c
    rows = conn.execute(select(a.id, a.day, a.minhash).where(a.lsh_key.in_(keys), is_story(),
                                                            a.id.not_in(leaving))).all()
    signature = from_bytes(minhash)
    found = [(row.day or date.max, row.id) for row in rows
             if row.minhash is not None and within_copy_window(day, row.day)
             and jaccard(signature, from_bytes(row.minhash)) >= THRESHOLD]
    return min(found)[1] if found else None


def running_run(engine: Engine) -> tuple[int, datetime] | None:
    """(id, start) of the newest run recorded as running: while a run holds the run lock, that one."""
    query = (select(runs.c.id, runs.c.started_at).where(runs.c.status == "running")
             .order_by(runs.c.id.desc()).limit(1))
    with engine.connect() as conn:
        row = conn.execute(query).first()
    return (row.id, row.started_at) if row else None


def replaced_articles(engine: Engine) -> list:
    """(id, day, record_key, input_sha, superseded_run) of the articles marked as replaced
    (store.save_batch) by this run, or by an earlier one that was killed before it decided on them:
    the run holds the database's run lock (pipeline.run_lock), so no other is at work."""
    a = articles.c
    query = (select(a.id, a.day, a.record_key, a.input_sha, a.superseded_run)
             .where(a.superseded_run > 0)  # > 0: by the index
             .order_by(a.superseded_run, a.id))
    with engine.connect() as conn:
        return conn.execute(query).all()


def dirty_days_list(engine: Engine) -> list[date]:
    """Every day whose index must be rebuilt, oldest first."""
    with engine.connect() as conn:
        return list(conn.execute(select(dirty_days.c.day).order_by(dirty_days.c.day)).scalars())


def _as_date(value) -> date | None:
    """A day as a driver returns it without SQLAlchemy's types: ISO text from SQLite."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def statements_between(engine: Engine, start: date, end: date):
    """Statements of original (non-duplicate) articles in [start, end], for the daily index: tuples
    of aggregate.STATEMENT_FIELDS."""
    query = (
        select(*(statements.c[name] for name in STATEMENT_FIELDS))
        .join(articles, articles.c.id == statements.c.article_id)
        .where(statements.c.day.between(start, end), is_story())
    )
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(query)]  # tuples: a third of the memory of mappings


def stories_per_day(engine: Engine, start: date, end: date) -> dict[date, int]:
    """How many original stories were stored for each day in [start, end] (the index's volume)."""
    query = (
        select(articles.c.day, func.count())
        .where(articles.c.day.between(start, end), is_story())
        .group_by(articles.c.day)
    )
    with engine.connect() as conn:
        return dict(conn.execute(query).all())


def daily_sums_by_pair(*where):
    """A select of (kind, source, target, directed, weighted_index, statements): the daily rows
    `where` holds, summed by pair (weighted_index: tension_index x day_articles, pipeline.totals)."""
    d = dyad_daily.c
    return select(*pair_columns(d), func.sum(WEIGHTED_INDEX), func.sum(d.statements)).where(
        *where).group_by(*pair_columns(d))


def totals_near(changes: dict):
    """A select of the pair_totals rows of the changed pairs' kinds and sources (a superset, which
    pipeline.totals.picked narrows: a few short IN lists, in a stable order)."""
    t = pair_totals.c
    return select(*pair_columns(t), t.weighted_index, t.statements).where(
        t.kind.in_(sorted({key[0] for key in changes})), t.source.in_(sorted({key[1] for key in changes})))


def is_pair(columns, pair) -> list:
    """Conditions: a table's (kind, source, target, directed) columns equal to `pair`'s values."""
    return [column == value for column, value in zip(pair_columns(columns), pair, strict=True)]


def pair_columns(columns) -> tuple:
    """The key of pair_totals, (kind, source, target, directed), from a table's columns."""
    return columns.kind, columns.source, columns.target, columns.directed
