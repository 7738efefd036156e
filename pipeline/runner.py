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
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from pipeline import __version__, aggregate, dedupe, store
from pipeline.clean import clean_article
from pipeline.formats import cue_row
from pipeline.ingest import read_paths
from pipeline.models import Article, Reject, Statement
from pipeline.score import Resources, score_article

# Articles read ahead and prepared at once: bounds memory whatever the size of the input.
BATCH_SIZE = 512


@dataclass
class RunSummary:
    run_id: int
    counts: Counter = field(default_factory=Counter)
    rejects: Counter = field(default_factory=Counter)
    messages: list[str] = field(default_factory=list)


def run(paths: Iterable[str], engine, resources: Resources,
        on_article: Callable[[Counter], None] | None = None, workers: int = 1) -> RunSummary:
    """Process every input under `paths` into the database behind `engine`.

    With `workers` > 1, cleaning, hashing, scoring and signing run in that many processes while
    this one alone writes, in input order: the stored rows are those of one worker.
    """
    paths = [str(p) for p in paths]
    summary = RunSummary(store.start_run(engine, paths, __version__))
    duplicates = _duplicate_index(engine)
    with _preparer(engine, resources, workers) as submit:
        waiting = None  # the batch being prepared while the one before it is stored
        for batch in _batches(read_paths(paths), BATCH_SIZE):
            ready = submit([item for item in batch if not isinstance(item, Reject)])
            if waiting:
                _store_batch(*waiting, engine, duplicates, summary, on_article)
            waiting = (batch, ready)
        if waiting:
            _store_batch(*waiting, engine, duplicates, summary, on_article)
    summary.counts["daily_rows"] = rebuild_daily_index(engine)
    store.finish_run(engine, summary.run_id, dict(summary.counts), dict(summary.rejects))
    return summary


def rebuild_daily_index(engine) -> int:
    """Recompute the daily rows every dirty day reaches (its rolling and baseline windows too)."""
    dirty = store.dirty_range(engine)
    if dirty is None:
        return 0
    start, end = dirty[0], dirty[1] + timedelta(days=aggregate.REACH_DAYS)
    context = start - timedelta(days=aggregate.REACH_DAYS)
    frame = store.statements_between(engine, context, end)
    daily = aggregate.daily_index(frame, store.stories_per_day(engine, context, end))
    rows = daily[(daily["day"] >= start) & (daily["day"] <= end)].to_dict("records")
    store.replace_daily(engine, start, end, rows, clean_until=dirty[1])
    return len(rows)


def content_id(text: str) -> str:
    """The article's identity: the SHA-256 of its cleaned text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Prepared:
    """An article cleaned and, unless already stored, scored and signed (the parallel part)."""

    article: Article
    article_id: str
    statements: tuple[Statement, ...] | None  # None: already stored, not scored
    signature: bytes | None
    reject: Reject | None = None  # cleaned away to nothing


def prepare(raw: Article, resources: Resources, is_known: Callable[[str], bool]) -> Prepared:
    article = clean_article(raw)
    if not article.text.strip():
        reject = Reject(raw.origin, None, "no-text", f"{raw.origin}: only boilerplate, no article text")
        return Prepared(article, "", None, None, reject)
    article_id = content_id(article.text)
    if is_known(article_id):
        return Prepared(article, article_id, None, None)
    signature = dedupe.to_bytes(dedupe.signature(article.text))
    return Prepared(article, article_id, score_article(article, resources), signature)


@dataclass
class Writes:
    """What one batch will write, gathered in input order."""

    articles: list[dict] = field(default_factory=list)
    statements: list[dict] = field(default_factory=list)
    replaced: list[tuple] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    keys: set[str] = field(default_factory=set)


def _store_batch(batch, ready, engine, duplicates, summary: RunSummary, on_article) -> None:
    """The single writer: one transaction per batch, outcomes counted in input order."""
    prepared = ready()
    fresh = [item for item in prepared if item.statements is not None]
    known = store.known_ids(engine, [item.article_id for item in fresh])
    keyed = store.articles_with_keys(engine, [item.article.key for item in fresh if item.article.key])
    writes = Writes()
    outcomes = iter([_plan(item, known, keyed, duplicates, writes, summary.run_id) for item in prepared])
    for copy in store.save_batch(engine, writes.articles, writes.statements, writes.replaced):
        duplicates.add(copy.id, dedupe.from_bytes(copy.minhash), (copy.day or date.max, copy.id))
    for item in batch:
        outcome = item if isinstance(item, Reject) else next(outcomes)
        if isinstance(outcome, Reject):
            summary.rejects[outcome.reason] += 1
            summary.messages.append(outcome.message)
        else:
            _count(summary, outcome)
        if on_article:
            on_article(summary.counts)


def _plan(item: Prepared, known: set[str], keyed: dict, duplicates, writes: Writes, run_id: int) -> str:
    """Decide one article's fate and add its rows to the batch: fold duplicates, replace older
    versions."""
    article, article_id = item.article, item.article_id
    if item.reject:
        return item.reject
    if item.statements is None or article_id in known or article_id in writes.ids:
        return "unchanged"  # (known to a worker, or a copy earlier in this run)
    previous, key = None, article.key
    if key is not None and key not in writes.keys:
        previous = _older_version(keyed.get(key, []), run_id)
        writes.keys.add(key)
    if previous:
        duplicates.discard(previous[0])  # the new version takes the old one's place as original
        writes.replaced.append(previous)
    signature = dedupe.from_bytes(item.signature)
    original = duplicates.original_of(signature)
    writes.articles.append(_article_row(article, article_id, key, original, signature, run_id))
    writes.statements.extend(_statement_row(s, article_id) for s in item.statements)
    writes.ids.add(article_id)
    if original is None:
        duplicates.add(article_id, signature, (article.date or date.max, article_id))
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


def _duplicate_index(engine) -> dedupe.NearDuplicateIndex:
    index = dedupe.NearDuplicateIndex()
    for article_id, day, minhash in store.stored_signatures(engine):
        index.add(article_id, dedupe.from_bytes(minhash), (day or date.max, article_id))
    return index


def _article_row(article: Article, article_id: str, key: str, original, signature, run_id) -> dict:
    return {
        "id": article_id, "record_key": key, "url": article.url, "title": article.title,
        "source": article.source, "published_at": _utc(article.published_at), "day": article.date,
        "ingested_at": datetime.now(UTC), "text": article.text, "origin": article.origin,
        "duplicate_of": original, "minhash": dedupe.to_bytes(signature), "run_id": run_id,
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
def _preparer(engine, resources: Resources, workers: int):
    """`submit(articles)` starts preparing a list of articles and returns a function that waits for
    the results, in order: computed here when called, or by a pool of `workers` forked processes
    (which share the loaded resources and read the database on their own) in the meantime."""
    if workers <= 1:
        yield lambda articles: lambda: [prepare(a, resources, _known_in(engine)) for a in articles]
        return
    url = engine.url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("fork")  # children inherit the loaded gazetteer and lexicon
    with context.Pool(workers, initializer=_start_worker, initargs=(url, resources)) as pool:
        yield lambda articles: pool.map_async(_prepare_in_worker, articles, chunksize=16).get


def _known_in(engine) -> Callable[[str], bool]:
    return lambda article_id: store.known_article(engine, article_id)


_worker: dict = {}  # per worker process: its own engine, and the resources it was forked with


def _start_worker(url: str, resources: Resources) -> None:
    _worker["resources"] = resources
    _worker["known"] = _known_in(store.make_engine(url))


def _prepare_in_worker(raw: Article) -> Prepared:
    return prepare(raw, _worker["resources"], _worker["known"])


def _batches(items: Iterable, size: int) -> Iterator[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
