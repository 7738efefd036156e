"""`run`: ingest, clean, score, fold duplicates, store, and rebuild the daily index; incremental.

Each article is stored whole or not at all, keyed by a hash of its cleaned text: an article already
stored is skipped before scoring, so the same input twice adds nothing, and a run killed at any
point and run again ends in the state of one clean run. An input record whose text changed (same
record key - the record's `id`, or the file's path - and a new hash) replaces its older version.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from pipeline import __version__, aggregate, dedupe, store
from pipeline.clean import clean_article
from pipeline.formats import cue_row
from pipeline.ingest import read_paths
from pipeline.models import Article, Reject, Statement
from pipeline.score import Resources, score_article


@dataclass
class RunSummary:
    run_id: int
    counts: Counter = field(default_factory=Counter)
    rejects: Counter = field(default_factory=Counter)
    messages: list[str] = field(default_factory=list)


def run(paths: Iterable[str], engine, resources: Resources,
        on_article: Callable[[Counter], None] | None = None) -> RunSummary:
    """Process every input under `paths` into the database behind `engine`."""
    paths = [str(p) for p in paths]
    summary = RunSummary(store.start_run(engine, paths, __version__))
    duplicates = _duplicate_index(engine)
    for item in read_paths(paths):
        if isinstance(item, Reject):
            summary.rejects[item.reason] += 1
            summary.messages.append(item.message)
        else:
            outcome = _process(item, engine, resources, duplicates, summary.run_id)
            summary.counts[outcome.rstrip("?")] += 1
            if outcome.endswith("?"):
                summary.counts["undated"] += 1  # stored with no day: kept out of the daily index
        if on_article:
            on_article(summary.counts)
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


def _process(raw: Article, engine, resources: Resources, duplicates, run_id: int) -> str:
    article = clean_article(raw)
    article_id = content_id(article.text)
    if store.known_article(engine, article_id):
        return "unchanged"
    key = raw.id
    previous = _older_version(store.articles_with_key(engine, key), run_id)
    if previous:
        duplicates.discard(previous[0])  # the new version takes the old one's place as original
    statements = score_article(article, resources)
    signature = dedupe.signature(article.text)
    original = duplicates.original_of(signature)
    row = _article_row(article, article_id, key, original, signature, run_id)
    store.save_article(engine, row, [_statement_row(s, article_id) for s in statements], previous)
    if original is None:
        duplicates.add(article_id, signature, (article.date or date.max, article_id))
    outcome = "replaced" if previous else "duplicate" if original else "stored"
    return outcome if article.date else outcome + "?"


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
