"""The database: every write. The only module that writes.

The tables live in pipeline.schema, connecting in pipeline.database and the reads a run needs in
pipeline.lookups; all are re-exported here, so callers need one module. Each article is stored with
its statements in one transaction, so a run killed at any moment leaves whole articles or none, and
the days it touched stay marked dirty until the daily index has been rebuilt for them.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, false, or_, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine

from pipeline import lookups, totals
from pipeline.bulk import insert_rows, insert_values
from pipeline.categories import KINDS

# Connecting lives in pipeline.database and pipeline.settings; store re-exports it so callers need
# one module.
from pipeline.database import (  # noqa: F401
    HEAD,
    NewerSchemaError,
    alembic_config,
    make_engine,
    revision,
    safe_url,
    schema_lag,
    unreachable,
    upgrade,
)
from pipeline.dedupe import article_key, stored_buckets, within_copy_window
from pipeline.lookups import (  # noqa: F401 - the reads a run needs, re-exported
    articles_with_keys,
    dirty_days_list,
    feed_validators,
    known_ids,
    known_inputs,
    known_urls,
    links_gone_for,
    original_matching,
    originals_in_buckets,
    replaced_articles,
    statements_between,
    stories_per_day,
)
from pipeline.lookups import now as _now
from pipeline.schema import (  # noqa: F401 - the tables, re-exported for the readers
    CODE,
    articles,
    dirty_days,
    dyad_daily,
    feed_cache,
    gone_links,
    is_story,
    lsh_buckets,
    metadata,
    pair_totals,
    runs,
    statements,
)
from pipeline.settings import DEFAULT_URL, database_url  # noqa: F401


def start_run(engine: Engine, inputs: list[str], version: str) -> int:
    """Record a new run; runs left 'running' are marked 'interrupted': the caller holds the run lock
    (pipeline.run_lock), so their processes ended before they finished."""
    with engine.begin() as conn:
        conn.execute(runs.update().where(runs.c.status == "running").values(status="interrupted"))
        result = conn.execute(
            runs.insert().values(started_at=_now(), version=version, inputs=inputs, status="running")
        )
        return int(result.inserted_primary_key[0])


def finish_run(engine: Engine, run_id: int, counts: dict, rejects: dict, status: str = "done",
               failures: list[str] | None = None) -> None:
    with engine.begin() as conn:
        conn.execute(
            runs.update().where(runs.c.id == run_id)
            .values(finished_at=_now(), counts=counts, rejects=rejects, status=status, failures=failures)
        )


def save_feed_validators(engine: Engine, validators: dict[str, tuple[str | None, str | None]]) -> None:
    """Remember each feed's validators, replacing older ones (after its items are stored)."""
    if not validators:
        return
    with engine.begin() as conn:
        conn.execute(feed_cache.delete().where(feed_cache.c.url.in_(list(validators))))
        conn.execute(feed_cache.insert(), [
            {"url": url, "etag": etag, "last_modified": modified, "checked_at": _now()}
            for url, (etag, modified) in validators.items()
        ])


def record_gone_links(engine: Engine, gone: dict[str, int], answered: set[str] | None = None,
                      skipped: set[str] | None = None, forget_days: float | None = None) -> None:
    """One more run in a row in which each page of `gone` answered its status (404 or 410); the
    pages that `answered` otherwise start again from none; those `skipped` as gone, which a feed still
    lists, are stamped as seen gone now. With `forget_days`, a page none of these has touched for
    longer (no feed lists it any more) is forgotten. The rows are locked, and new pages counted one
    upsert each, in URL order, so that runs overlapping in time each record theirs without deadlocking."""
    if not gone and not answered and not skipped and forget_days is None:
        return
    g, now = gone_links.c, _now()  # one run, one time
    insert = {"sqlite": sqlite_insert, "postgresql": postgresql_insert}.get(engine.dialect.name)
    forgotten = g.last_gone_at < now - timedelta(days=forget_days) if forget_days is not None else false()
    with engine.begin() as conn:
        # Each statement below locks rows in its own order, so two runs could each hold what the other
        # waits for: the rows are locked first, in URL order. SQLite locks the whole file instead.
        if conn.dialect.name != "sqlite":
            touched = sorted(set(gone) | (answered or set()) | (skipped or set()))
            conn.execute(select(g.url).where(or_(g.url.in_(touched), forgotten)).order_by(g.url)
                         .with_for_update())
        if answered:
            conn.execute(gone_links.delete().where(g.url.in_(list(answered))))
        if skipped:
            conn.execute(gone_links.update().where(g.url.in_(sorted(skipped))).values(last_gone_at=now))
        for url in sorted(gone):
            _count_gone(conn, url, gone[url], now, insert)
        if forget_days is not None:
            conn.execute(gone_links.delete().where(forgotten))


def _count_gone(conn, url: str, status: int, now: datetime, insert=None) -> None:
    """One more run for `url`: by the dialect's upsert (`insert`, with on_conflict_do_update), or,
    where there is none, by an update or else an insert."""
    g = gone_links.c
    first = {"url": url, "status": status, "runs": 1, "first_gone_at": now, "last_gone_at": now}
    again = {"status": status, "runs": g.runs + 1, "last_gone_at": now}
    if insert is not None:
        upsert = insert(gone_links).values(first).on_conflict_do_update(index_elements=[g.url], set_=again)
        conn.execute(upsert)
    elif not conn.execute(gone_links.update().where(g.url == url).values(again)).rowcount:
        conn.execute(gone_links.insert().values(first))  # no upsert here: overlapping runs may collide


def save_batch(engine: Engine, new_articles: list[dict], new_statements: list[dict],
               replaced: list[str], buckets: dict | None = None, run_id: int | None = None) -> None:
    """One transaction for a batch: articles (each row with its `lsh_key`) and statements inserted
    in order (bulk), originals indexed by their LSH `buckets` (by article id; computed here when
    missing), their days marked dirty, and the older versions they `replaced` marked with the run
    (`finish_replacing` decides on them when it ends). Each article is stored whole, or the batch
    not at all."""
    if not new_articles and not replaced:
        return
    with engine.begin() as conn:
        if replaced:
            conn.execute(articles.update().where(articles.c.id.in_(replaced)).values(superseded_run=run_id))
        insert_rows(conn, articles, new_articles)
        insert_rows(conn, statements, new_statements)
        _index_originals(conn, new_articles, [], buckets or {})
        _mark_dirty(conn, {row["day"] for row in new_articles if row["day"] is not None})


def finish_replacing(engine: Engine, deleted: list[str], kept: list[str], handed: list[dict]) -> None:
    """One transaction at a run's end for the older versions its records replaced: the `deleted`
    go, their copies promoted in their place and their days marked dirty; the `kept` (their input
    states them still) and those `handed` over to another record that states them (each dict: the
    id and the provenance columns to set) lose their mark."""
    if not deleted and not kept and not handed:
        return
    with engine.begin() as conn:
        days = set(conn.execute(select(articles.c.day).where(articles.c.id.in_(deleted))).scalars())
        promoted = _promote_copies(conn, deleted) if deleted else []
        if deleted:
            _unindex(conn, deleted)
            conn.execute(statements.delete().where(statements.c.article_id.in_(deleted)))
            conn.execute(articles.delete().where(articles.c.id.in_(deleted)))
        for row in handed:
            conn.execute(articles.update().where(articles.c.id == row["id"])
                         .values({name: value for name, value in row.items() if name != "id"}
                                 | {"superseded_run": None}))
        if kept:
            conn.execute(articles.update().where(articles.c.id.in_(kept)).values(superseded_run=None))
        _index_originals(conn, [], promoted, {})
        _mark_dirty(conn, {day for day in days | {p.day for p in promoted} if day is not None})


def _promote_copies(conn, old_ids: list[str]) -> list:
    """Copies of an article about to be deleted stay one story where they can: in day order, each
    points at the stored original it matches as a run would link it (the new version of a replaced
    record, say), or else at the first of them filed within dedupe.COPY_WINDOW_DAYS of it, or
    becomes an original itself. Copies that are about to be deleted too (a killed run's version
    filed as a copy of the version before) stay as they are. Returns the copies that became
    originals (id, day, minhash)."""
    copies = conn.execute(
        select(articles.c.id, articles.c.day, articles.c.minhash, articles.c.duplicate_of)
        .where(articles.c.duplicate_of.in_(old_ids), articles.c.id.not_in(old_ids))
        .order_by(articles.c.duplicate_of, articles.c.day.asc().nulls_last(), articles.c.id)
    ).all()
    promoted: dict[str, list] = {}  # replaced original -> the copies that took its place
    for copy in copies:
        originals = promoted.setdefault(copy.duplicate_of, [])
        original = original_matching(conn, copy.minhash, copy.day, old_ids) or next(
            (o.id for o in originals if within_copy_window(copy.day, o.day)), None)
        if original is None:
            originals.append(copy)
        conn.execute(articles.update().where(articles.c.id == copy.id).values(duplicate_of=original))
    return [copy for originals in promoted.values() for copy in originals]


def _index_originals(conn, new_articles: list[dict], promoted: list, known: dict[str, list[int]]) -> None:
    """Index the new originals and the copies promoted to original by their LSH buckets (`known`
    holds those already computed, by article id); copies are not indexed. Rows go in bucket order:
    neighbours in the index are written together."""
    originals = [(row["id"], row["lsh_key"], row["minhash"])
                 for row in new_articles if row["duplicate_of"] is None]
    originals += [(copy.id, article_key(copy.id), copy.minhash) for copy in promoted]
    rows = sorted({(bucket, key) for article_id, key, minhash in originals if minhash is not None
                   for bucket in known.get(article_id) or stored_buckets(minhash)})
    insert_values(conn, lsh_buckets, ["bucket", "article_key"], rows)


def _unindex(conn, old_ids: list[str]) -> None:
    """Remove articles about to be deleted from the near-duplicate index (found by their buckets)."""
    old = conn.execute(select(articles.c.id, articles.c.minhash).where(articles.c.id.in_(old_ids))).all()
    for article_id, minhash in old:
        if minhash is not None:
            conn.execute(lsh_buckets.delete().where(lsh_buckets.c.bucket.in_(stored_buckets(minhash)),
                                                    lsh_buckets.c.article_key == article_key(article_id)))


def replace_daily(engine: Engine, start: date, end: date, rows: list[dict]) -> None:
    """One transaction: the daily rows of [start, end], of every kind, replaced, and the totals of
    each pair whose rows there changed moved with them, so that a run killed between windows leaves
    totals that match the rows (pipeline.totals)."""
    d = dyad_daily.c
    window = (d.kind.in_(KINDS), d.day.between(start, end))  # each kind named: the key's leading column
    with engine.begin() as conn:
        before = conn.execute(lookups.daily_sums_by_pair(*window)).all()
        conn.execute(dyad_daily.delete().where(*window))
        insert_rows(conn, dyad_daily, rows)
        _move_pair_totals(conn, totals.window_changes(before, rows))


def _move_pair_totals(conn, changes: dict[totals.PairKey, totals.Total]) -> None:
    """Each changed pair's totals rewritten, moved by its change (pipeline.totals)."""
    if not changes:
        return
    current = totals.picked(conn.execute(lookups.totals_near(changes)), changes)
    if current:  # one DELETE by key, executed for each: a tuple IN of every key is slow to build
        names = [f"{column.name}_" for column in lookups.pair_columns(pair_totals.c)]
        by_key = lookups.is_pair(pair_totals.c, [bindparam(name) for name in names])
        conn.execute(pair_totals.delete().where(*by_key),
                     [dict(zip(names, key, strict=True)) for key in current])
    kept, emptied = totals.moved(current, changes)
    insert_rows(conn, pair_totals, kept + _summed_again(conn, emptied))


def _summed_again(conn, pairs: list[totals.PairKey]) -> list[dict]:
    """The totals of pairs a move left with no statements, summed from their rows: none as a rule
    (their last rows are gone). Some only where the totals were out of step with the rows (written
    by hand, or by a migration that did not sum them again): a move never stores a negative count.
    Other totals out of step stay so until summed anew (refresh_pair_totals)."""
    of_pairs = (lookups.daily_sums_by_pair(*lookups.is_pair(dyad_daily.c, pair)) for pair in pairs)
    return totals.summed(found for of_pair in of_pairs for found in conn.execute(of_pair))


def refresh_pair_totals(engine: Engine) -> int:
    """One transaction: pair_totals summed anew from every daily row (1.2-1.6 s over the 898,000 of
    a million statements), for daily rows written without replace_daily, or totals edited by hand.
    -> how many pairs (of every kind) it holds."""
    with engine.begin() as conn:
        rows = totals.summed(conn.execute(lookups.daily_sums_by_pair()))
        conn.execute(pair_totals.delete())
        insert_rows(conn, pair_totals, rows)
    return len(rows)


def clear_dirty(engine: Engine, until: date) -> None:
    """The days up to `until` are rebuilt: no longer dirty."""
    with engine.begin() as conn:
        conn.execute(dirty_days.delete().where(dirty_days.c.day <= until))


def _mark_dirty(conn, days: set[date]) -> None:
    known = set(conn.execute(select(dirty_days.c.day).where(dirty_days.c.day.in_(days))).scalars())
    fresh = [{"day": day} for day in days - known]
    if fresh:
        conn.execute(dirty_days.insert(), fresh)
