"""`run`: ingest, clean, score, fold duplicates, store, and rebuild the daily index; incremental.

Each article is stored whole or not at all, keyed by a hash of its cleaned text: an article already
stored is skipped before scoring, so the same input twice adds nothing, and a run killed at any
point and run again ends in the state of one clean run. An input record whose text changed (same
record key - `Article.key`: the record's own `id`, or the file's path - and a new hash) replaces
its older version.
"""

from __future__ import annotations

import hashlib
import multiprocessing
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import chain

from pipeline import __version__, daily, dedupe, store
from pipeline.clean import clean_article
from pipeline.formats import cue_row
from pipeline.ingest import read_paths
from pipeline.models import Article, Reject, Statement
from pipeline.score import Resources, score_article
from pipeline.stages import OFF

# Articles read ahead and prepared at once: bounds memory whatever the size of the input.
BATCH_SIZE = 512
# Batches handed to the workers before the writer waits for the oldest: the workers never wait for
# the writer to hand them more (with one, they idled while it stored a batch).
BATCHES_AHEAD = 2
# Articles a worker takes at a time: each hand-over costs the pool about half a millisecond of
# work (measured), so fewer, larger ones; a batch still splits into several for balance.
CHUNK_SIZE = 64


@dataclass
class RunSummary:
    run_id: int
    counts: Counter = field(default_factory=Counter)
    rejects: Counter = field(default_factory=Counter)
    messages: list[str] = field(default_factory=list)


def run(paths: Iterable[str], engine, resources: Resources,
        on_article: Callable[[Counter], None] | None = None, workers: int = 1,
        scheduler: str | None = None, sources: Iterable[Article | Reject] = (),
        inputs: list[str] | None = None, failures: list[str] | None = None, clock=OFF) -> RunSummary:
    """Process every input under `paths`, then the articles of `sources` (e.g. fetched from feeds),
    into the database behind `engine`. `inputs` names what was read, for the run's record (default:
    the paths); `failures` (filled by `sources` as they are read) is recorded with it.

    With `workers` > 1, cleaning, hashing, scoring and signing run in that many processes while
    this one alone writes, in input order: the stored rows are those of one worker. With a Dask
    `scheduler` address they run on that cluster instead, and this process still writes. A
    `clock` (pipeline.stages) times each stage of a one-worker run.
    """
    paths = [str(p) for p in paths]
    with _preparer(resources, workers, scheduler, clock) as submit:  # a cluster is reached first
        summary = RunSummary(store.start_run(engine, inputs if inputs is not None else paths, __version__))
        waiting: deque = deque()  # batches being prepared while an earlier one is stored
        for batch in _batches(chain(read_paths(paths), sources), BATCH_SIZE):
            clock.lap("read")
            pending = _pending(batch, engine)
            new = [item for item, is_new in zip(batch, pending.new, strict=True) if is_new]
            waiting.append((pending, submit(new)))
            clock.lap("store")
            if len(waiting) > BATCHES_AHEAD:
                _store_batch(*waiting.popleft(), engine, summary, on_article)
                clock.lap("store")
        while waiting:
            _store_batch(*waiting.popleft(), engine, summary, on_article)
            clock.lap("store")
    summary.counts["daily_rows"] = daily.rebuild_daily_index(engine)
    clock.lap("index")
    store.finish_run(engine, summary.run_id, dict(summary.counts), dict(summary.rejects),
                     failures=failures or None)
    return summary


@dataclass(frozen=True)
class Pending:
    """A batch as read, in input order, and which of its articles are new (their input text, by its
    hash, was never stored): only those are prepared, so a rerun reads but never re-cleans the rest."""

    batch: list
    digests: list[str | None]  # input hash of each article; None for a reject
    new: list[bool]


def _pending(batch: list, engine) -> Pending:
    digests = [None if isinstance(item, Reject) else input_digest(item) for item in batch]
    stored = store.known_inputs(engine, [digest for digest in digests if digest])
    return Pending(batch, digests, [digest is not None and digest not in stored for digest in digests])


def content_id(text: str) -> str:
    """The article's identity: the SHA-256 of its cleaned text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def input_digest(raw: Article) -> str:
    """The same hash of an input article's text as read, before cleaning: what a rerun skips."""
    return content_id(raw.text)


@dataclass(frozen=True)
class Prepared:
    """An article cleaned, scored and signed, with the rows it will write: the parallel part, a pure
    function of the input, so the single writer only decides and inserts."""

    article: Article
    article_id: str
    row: dict | None  # its `articles` row but for what only the writer knows (see _plan)
    statement_rows: tuple[dict, ...]
    signature: bytes | None
    buckets: list[int] | None  # the signature's LSH buckets
    reject: Reject | None = None  # cleaned away to nothing


def prepare(raw: Article, resources: Resources, clock=OFF) -> Prepared:
    article = clean_article(raw)
    clock.lap("clean")
    if not article.text.strip():
        reject = Reject(raw.origin, None, "no-text", f"{raw.origin}: only boilerplate, no article text")
        return Prepared(article, "", None, (), None, None, reject)
    signature, article_id = dedupe.signature(article.text), content_id(article.text)
    minhash = dedupe.to_bytes(signature)
    clock.lap("sign")
    statements = score_article(article, resources, clock)
    return Prepared(article, article_id, _article_row(article, article_id, minhash),
                    tuple(_statement_row(s, article_id) for s in statements), minhash,
                    dedupe.stored_buckets(minhash))


@dataclass
class Writes:
    """What one batch will write, gathered in input order."""

    articles: list[dict] = field(default_factory=list)
    statements: list[dict] = field(default_factory=list)
    replaced: list[tuple] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    keys: set[str] = field(default_factory=set)
    buckets: dict[str, list[int]] = field(default_factory=dict)  # of the new originals


def _store_batch(pending: Pending, ready, engine, summary: RunSummary, on_article) -> None:
    """The single writer: one transaction per batch, outcomes counted in input order."""
    prepared = ready()
    stored = [item for item in prepared if not item.reject]
    known = store.known_ids(engine, [item.article_id for item in stored])
    keyed = store.articles_with_keys(engine, [item.article.key for item in stored if item.article.key])
    duplicates = _duplicate_index(engine, {bucket for item in stored for bucket in item.buckets})
    writes = Writes()
    digests = [digest for digest, new in zip(pending.digests, pending.new, strict=True) if new]
    planned = iter([_plan(item, digest, known, keyed, duplicates, writes, summary.run_id)
                    for item, digest in zip(prepared, digests, strict=True)])
    store.save_batch(engine, writes.articles, writes.statements, writes.replaced, writes.buckets)
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
          run_id: int) -> str:
    """Decide one article's fate and add its rows to the batch: fold duplicates, replace older
    versions."""
    article, article_id = item.article, item.article_id
    if item.reject:
        return item.reject
    if article_id in known or article_id in writes.ids:
        return "unchanged"  # the same cleaned text, stored from another input or earlier in this run
    previous, key = None, article.key
    if key is not None and key not in writes.keys:
        previous = _older_version(keyed.get(key, []), run_id)
        writes.keys.add(key)
    if previous:
        duplicates.discard(previous[0])  # the new version takes the old one's place as original
        writes.replaced.append(previous)
    signature = dedupe.from_bytes(item.signature)
    original = duplicates.original_of(signature, item.buckets)
    writes.articles.append(item.row | {"input_sha": digest, "duplicate_of": original, "run_id": run_id,
                                       "ingested_at": datetime.now(UTC)})
    writes.statements.extend(item.statement_rows)
    writes.ids.add(article_id)
    if original is None:
        duplicates.add(article_id, signature, (article.date or date.max, article_id), item.buckets)
        writes.buckets[article_id] = item.buckets
    outcome = "replaced" if previous else "duplicate" if original else "stored"
    return outcome if article.date else outcome + "?"


def _count(summary: RunSummary, outcome: str) -> None:
    summary.counts[outcome.rstrip("?")] += 1
    if outcome.endswith("?"):
        summary.counts["undated"] += 1  # stored with no day: kept out of the daily index


def _older_version(stored: list[tuple], run_id: int) -> tuple | None:
    """The one article an earlier run stored under this record key, which a new text replaces.

    Feeds reuse keys for different stories (one daily page URL for many items): a key seen earlier
    in the same run, or held by several articles, is not a change but another article.
    """
    if len(stored) == 1 and stored[0][2] != run_id:
        return stored[0][0], stored[0][1]
    return None


def _duplicate_index(engine, wanted: set[int]) -> dedupe.NearDuplicateIndex:
    """The stored originals in any of the `wanted` LSH buckets (a batch's), indexed in memory: the
    batch's own originals are added as they are planned."""
    index = dedupe.NearDuplicateIndex()
    for article_id, day, minhash in store.originals_in_buckets(engine, wanted):
        index.add(article_id, dedupe.from_bytes(minhash), (day or date.max, article_id))
    return index


def _article_row(article: Article, article_id: str, minhash: bytes) -> dict:
    """The `articles` row of a prepared article, but for what only the writer knows: the input's
    hash, the original it is a copy of, the run and the time (_plan adds them)."""
    return {
        "id": article_id, "record_key": article.key, "url": article.url, "title": article.title,
        "source": article.source, "published_at": _utc(article.published_at), "day": article.date,
        "text": article.text, "origin": article.origin, "minhash": minhash,
        "lsh_key": dedupe.article_key(article_id),
    }


def _utc(moment: datetime | None) -> datetime | None:
    """Aware times are stored in UTC: SQLite keeps no zone, and rows must compare across zones.
    The outlet's own day is kept apart in `day`."""
    return moment.astimezone(UTC) if moment and moment.tzinfo else moment


def _statement_row(s: Statement, article_id: str) -> dict:
    return {
        "article_id": article_id, "day": s.date, "start": s.start, "end": s.end,
        "sentence": s.sentence, "source": s.source, "target": s.target, "directed": s.directed,
        "hostility": s.hostility, "cooperation": s.cooperation, "tension": s.tension,
        "category": s.category, "rule": s.rule, "confidence": s.confidence, "quote": s.quote,
        "vader_compound": s.vader_compound, "cues": [cue_row(c) for c in s.cues],
    }


@contextmanager
def _preparer(resources: Resources, workers: int, scheduler: str | None = None, clock=OFF):
    """`submit(articles)` starts preparing a list of articles and returns a function that waits for
    the results, in order: computed here when called, or meanwhile by a pool of `workers` forked
    processes, which share the loaded resources, or by the Dask cluster at `scheduler`."""
    if scheduler:
        from pipeline.distributed import dask_preparer

        with dask_preparer(scheduler) as submit:
            yield submit
        return
    if workers <= 1:
        yield lambda articles: lambda: [prepare(a, resources, clock) for a in articles]
        return
    context = multiprocessing.get_context("fork")  # children inherit the loaded gazetteer and lexicon
    with context.Pool(workers, initializer=_start_worker, initargs=(resources,)) as pool:
        yield lambda articles: pool.map_async(_prepare_in_worker, articles, chunksize=CHUNK_SIZE).get


_worker: dict = {}  # per worker process: the resources it was forked with


def _start_worker(resources: Resources) -> None:
    _worker["resources"] = resources


def _prepare_in_worker(raw: Article) -> Prepared:
    return prepare(raw, _worker["resources"])


def _batches(items: Iterable, size: int) -> Iterator[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
