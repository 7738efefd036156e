"""`run`: ingest, clean, score, fold duplicates, store, and rebuild the daily index; incremental.

Each article is stored whole or not at all, keyed by a hash of its day and its cleaned text: an
input already stored (by the hash of its text as read, under its record, on its day) is skipped
before cleaning, so the same input twice adds nothing, and a run killed at any point and run again
ends in the state of one clean run. An input record whose text or day changed (same record key -
`Article.key`: the record's own `id`, or the file's path - and a new hash) replaces its older
version (pipeline.replacing settles them as the run ends). Articles are prepared (pipeline.preparing)
in parallel; this process alone writes, through pipeline.store.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Iterable
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import chain

from pipeline import __version__, daily, database, dedupe, replacing, store
from pipeline.clean import day_of
from pipeline.ingest import read_paths
from pipeline.models import Article, Reject
from pipeline.preparing import (
    BATCHES_AHEAD,
    HeadStart,
    Prepared,
    batches_of,
    in_parallel,
    input_digest,
    only_new,
    preparer,
    tapered,
)
from pipeline.recall import PairSet, RunRecall
from pipeline.run_lock import ensure_held, exclusive_run
from pipeline.score import Resources
from pipeline.settings import BATCH_SIZE
from pipeline.stages import OFF


@dataclass
class RunSummary:
    run_id: int
    counts: Counter = field(default_factory=Counter)
    rejects: Counter = field(default_factory=Counter)
    messages: list[str] = field(default_factory=list)


def run(paths: Iterable[str], engine, resources: Resources,
        on_article: Callable[[Counter], None] | None = None, workers: int = 1,
        scheduler: str | None = None, sources: Iterable[Article | Reject] = (),
        inputs: list[str] | None = None, failures: list[str] | None = None, clock=OFF,
        head: HeadStart | None = None, batch_size: int = BATCH_SIZE) -> RunSummary:
    """Process every input under `paths`, then the articles of `sources` (e.g. fetched from feeds),
    into the database behind `engine`. `inputs` names what was read, for the run's record (default:
    the paths); `failures` (filled by `sources` as they are read) is recorded with it.

    With `workers` > 1, cleaning, hashing, scoring and signing run in that many processes while
    this one alone writes, in input order: the stored rows are those of one worker. With a Dask
    `scheduler` address they run on that cluster instead, and this process still writes. A
    `clock` (pipeline.stages) times each stage of a one-worker run. A `head` start (the command
    line's) is the input of `paths` already being prepared by workers the caller started, in
    batches of its own size; without one, the input is read in batches of `batch_size` articles.
    Each batch is stored in one transaction; with workers or a cluster, the input's last batch, when
    short, goes in shrinking pieces (preparing.pieces_of). One run writes at a time:
    RunInProgressError, before anything is stored or recorded, while another holds the database
    (pipeline.run_lock).
    """
    paths = [str(p) for p in paths]
    record = _RunRecord(inputs if inputs is not None else paths, failures, on_article, clock)
    with exclusive_run(engine), closing(RunRecall()) as recall:
        if head is not None:
            return _write(chain(head.rest, sources), head, engine, record, recall)
        with preparer(resources, workers, scheduler, clock) as submit:  # a cluster is reached first
            head = HeadStart(submit, size=batch_size, taper=in_parallel(workers, scheduler))
            return _write(chain(read_paths(paths), sources), head, engine, record, recall)


@dataclass(frozen=True)
class _RunRecord:
    inputs: list[str]
    failures: list[str] | None
    on_article: Callable[[Counter], None] | None
    clock: object


def _write(items: Iterable, head: HeadStart, engine, record: _RunRecord, recall: RunRecall) -> RunSummary:
    """Read `items` in batches, each prepared by `head.submit` (after the head start's own batches),
    and store them in input order; then rebuild the daily index and record the run."""
    clock, on_article = record.clock, record.on_article
    summary = RunSummary(store.start_run(engine, record.inputs, __version__))
    waiting: deque = deque()  # batches being prepared while an earlier one is stored
    while head.batches:
        batch, ready = head.batches.popleft()
        pending = _pending(batch, engine, recall)
        waiting.append((pending, only_new(ready, batch, pending.new)))
    batches = batches_of(items, head.size)
    for batch in tapered(batches, head.size) if head.taper else batches:
        clock.lap("read")
        pending = _pending(batch, engine, recall)
        new = [item for item, is_new in zip(batch, pending.new, strict=True) if is_new]
        waiting.append((pending, head.submit(new)))
        clock.lap("store")
        if len(waiting) > BATCHES_AHEAD:
            _store_batch(*waiting.popleft(), engine, summary, on_article, recall)
            clock.lap("store")
    while waiting:
        _store_batch(*waiting.popleft(), engine, summary, on_article, recall)
        clock.lap("store")
    ensure_held(engine)
    replacing.finish_replacing(engine, recall, summary.run_id, summary.counts)
    with database.folding_log(engine):
        summary.counts["daily_rows"] = daily.rebuild_daily_index(engine)
    clock.lap("index")
    store.finish_run(engine, summary.run_id, dict(summary.counts), dict(summary.rejects),
                     failures=record.failures or None)
    return summary


@dataclass(frozen=True)
class Pending:
    """A batch as read, in input order, and which of its articles are new (their input text, by its
    hash, is not stored under their record on their day): only those are prepared, so a rerun reads
    but never re-cleans the rest."""

    batch: list
    digests: list[str | None]  # input hash of each article; None for a reject
    new: list[bool]


def _pending(batch: list, engine, recall: RunRecall) -> Pending:
    digests = [None if isinstance(item, Reject) else input_digest(item) for item in batch]
    stored = store.known_inputs(engine, [digest for digest in digests if digest])
    new = []
    for item, digest in zip(batch, digests, strict=True):
        # Stored under its key, on the day cleaning gives it (its record's, or its dateline's)?
        found = digest is not None and digest in stored and (day := day_of(item), item.key) in stored[digest]
        if found:
            recall.stated.add((item.key, day, digest))
        new.append(digest is not None and not found)
    return Pending(batch, digests, new)


@dataclass
class Writes:
    """What one batch will write, gathered in input order."""

    articles: list[dict] = field(default_factory=list)
    statements: list[dict] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)  # older versions, marked until the run ends
    ids: set[str] = field(default_factory=set)
    keys: set[str] = field(default_factory=set)
    buckets: dict[str, list[int]] = field(default_factory=dict)  # of the new originals


def _store_batch(pending: Pending, ready, engine, summary: RunSummary, on_article, recall: RunRecall) -> None:
    """The single writer: one transaction per batch, outcomes counted in input order."""
    prepared = ready()
    ensure_held(engine)  # no batch is written once another run may have started
    stored = [item for item in prepared if not item.reject]
    digests = [digest for digest, new in zip(pending.digests, pending.new, strict=True) if new]
    keyed = store.articles_with_keys(engine, [item.article.key for item in stored if item.article.key])
    writes = Writes()
    known = store.known_ids(engine, [item.article_id for item in stored])
    duplicates = _duplicate_index(engine, {bucket for item in stored for bucket in item.buckets})
    planned = iter([_plan(item, digest, known, keyed, duplicates, writes, summary.run_id, recall)
                    for item, digest in zip(prepared, digests, strict=True)])
    store.save_batch(engine, writes.articles, writes.statements, writes.replaced, writes.buckets,
                     summary.run_id)
    for item, new in zip(pending.batch, pending.new, strict=True):
        outcome = item if isinstance(item, Reject) else next(planned) if new else "unchanged"
        if isinstance(outcome, Reject):
            summary.rejects[outcome.reason] += 1
            summary.messages.append(outcome.message)
        else:
            _count(summary, outcome)
        if on_article:
            on_article(summary.counts)


def _plan(item: Prepared, digest: str, known: set[str], keyed: dict, duplicates, writes: Writes,
          run_id: int, recall: RunRecall) -> str:
    """Decide one article's fate and add its rows to the batch: fold duplicates, replace older
    versions (marked, and decided on when the run ends: replacing.finish_replacing). A stored
    article that this record states too (the same text on the same day, from another input) is
    claimed for the run: should a record of the run replace it, it is handed over to this one rather
    than deleted."""
    article, article_id = item.article, item.article_id
    if item.reject:
        return item.reject
    previous = _replaces(article.key, article_id, keyed, writes, run_id, recall.stated)
    if previous:
        writes.replaced.append(previous[0])
    if article_id in known or article_id in writes.ids:
        if article_id in known:
            recall.claims.setdefault(article_id, _claim(item, digest, run_id))
        return _replacing(recall, previous, "unchanged")
    signature = dedupe.from_bytes(item.signature)
    # Not a copy of its own older version; other articles may still be (it may stay: see
    # replacing.finish_replacing).
    original = duplicates.original_of(signature, item.buckets, article.date, previous and previous[0])
    writes.articles.append(item.row | {"input_sha": digest, "duplicate_of": original, "run_id": run_id,
                                       "ingested_at": datetime.now(UTC)})
    writes.statements.extend(item.statement_rows)
    writes.ids.add(article_id)
    if original is None:
        duplicates.add(article_id, signature, (article.date or date.max, article_id), item.buckets)
        writes.buckets[article_id] = item.buckets
    outcome = _replacing(recall, previous, "duplicate" if original else "stored")
    return outcome if article.date else outcome + "?"


def _replacing(recall: RunRecall, previous: tuple | None, outcome: str) -> str:
    """The outcome of a record, as counted until the run ends: then, if the older version it
    replaces goes, it is counted as "replaced" instead (replacing.finish_replacing)."""
    if previous:
        recall.replacers.setdefault(previous[0], outcome)
    return outcome


def _count(summary: RunSummary, outcome: str) -> None:
    summary.counts[outcome.rstrip("?")] += 1
    if outcome.endswith("?"):
        summary.counts["undated"] += 1  # stored with no day: kept out of the daily index


def _replaces(key: str | None, article_id: str, keyed: dict, writes: Writes, run_id: int,
              stated: PairSet) -> tuple | None:
    """The older version of this record that its article replaces, (id, day), or None: not when a
    record of this run states it as it is (the key reused for another article)."""
    if key is None or key in writes.keys:
        return None
    writes.keys.add(key)
    previous = replacing.older_version(keyed.get(key, []), run_id)
    if previous is None or previous[0] == article_id or (key, previous[1], previous[2]) in stated:
        return None
    return previous


def _claim(item: Prepared, digest: str, run_id: int) -> dict:
    """What a record that takes a stored article over writes into its row: where it came from."""
    taken = ("id", "record_key", "url", "title", "source", "published_at", "origin")
    return {name: item.row[name] for name in taken} | {"input_sha": digest, "run_id": run_id,
                                                       "ingested_at": datetime.now(UTC)}


def _duplicate_index(engine, wanted: set[int]) -> dedupe.NearDuplicateIndex:
    """The stored originals in any of the `wanted` LSH buckets (a batch's), indexed in memory: the
    batch's own originals are added as they are planned."""
    index = dedupe.NearDuplicateIndex()
    for article_id, day, minhash in store.originals_in_buckets(engine, wanted):
        index.add(article_id, dedupe.from_bytes(minhash), (day or date.max, article_id))
    return index
