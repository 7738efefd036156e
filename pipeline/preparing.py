"""The parallel half of `run`: each article cleaned, hashed, signed and scored into the rows it will
write, here, in a pool of forked worker processes, or on a Dask cluster; `runner` alone writes.

Nothing here imports SQLAlchemy: the command line starts the workers and hands them the first
batches of the input before it imports the database layer and opens the database (a fifth of a
short run's time, measured), so that the two overlap (see HeadStart).
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import compress, islice

from pipeline import dedupe
from pipeline.clean import clean_article
from pipeline.formats import cue_row
from pipeline.models import Article, Reject, Statement
from pipeline.score import Resources, score_article
from pipeline.settings import BATCH_SIZE
from pipeline.stages import OFF

# Batches handed to the workers before the writer waits for the oldest: the workers never wait for
# the writer to hand them more (with one, they idled while it stored a batch).
BATCHES_AHEAD = 2
# Articles a worker takes at a time: each hand-over costs the pool about half a millisecond of
# work (measured), so fewer, larger ones; a batch still splits into several for balance.
CHUNK_SIZE = 64
# The smallest piece of the input's last batch (see tapered): a worker's chunk.
TAPER_FLOOR = CHUNK_SIZE
# How often a worker checks that the writer that started it is still there.
WRITER_CHECK_SECONDS = 1.0

Submit = Callable[[list[Article]], Callable[[], list]]


@dataclass(frozen=True)
class Prepared:
    """An article cleaned, scored and signed, with the rows it will write: a pure function of the
    input, so the single writer only decides and inserts."""

    article: Article
    article_id: str
    row: dict | None  # its `articles` row but for what only the writer knows (see runner._plan)
    statement_rows: tuple[dict, ...]
    signature: bytes | None
    buckets: list[int] | None  # the signature's LSH buckets
    reject: Reject | None = None  # cleaned away to nothing


def content_id(text: str, day: date | None = None) -> str:
    """The article's identity: the SHA-256 of its cleaned text, after its day when it has one.

    The same words on another day are another report (a news agency re-runs "Kim Jong Il inspects
    KPA unit" for each visit; 11,654 of the benchmark corpus's 12,756 repeated texts came more than a
    week after the first), stored and counted on their own day; within dedupe.COPY_WINDOW_DAYS such a
    repeat is then linked as a copy, like any near-copy. On one day, or undated, the same text is one
    article.

    >>> content_id("Talks resume.") == content_id("Talks resume.", None)
    True
    >>> content_id("Talks resume.", date(2012, 1, 5)) == content_id("Talks resume.", date(2012, 1, 27))
    False
    """
    dated = text if day is None else f"{day.isoformat()}\n{text}"
    return hashlib.sha256(dated.encode("utf-8")).hexdigest()


def input_digest(raw: Article) -> str:
    """The hash of an input article's text as read, before cleaning: a rerun skips an input whose
    digest is stored with the day the record states (runner._pending)."""
    return content_id(raw.text)


def prepare(raw: Article, resources: Resources, clock=OFF) -> Prepared:
    article = clean_article(raw)
    clock.lap("clean")
    if not article.text.strip():
        reject = Reject(raw.origin, None, "no-text", f"{raw.origin}: only boilerplate, no article text")
        return Prepared(article, "", None, (), None, None, reject)
    signature, article_id = dedupe.signature(article.text), content_id(article.text, article.date)
    minhash = dedupe.to_bytes(signature)
    clock.lap("sign")
    statements = score_article(article, resources, clock)
    return Prepared(article, article_id, _article_row(article, article_id, minhash),
                    tuple(_statement_row(s, article_id) for s in statements), minhash,
                    dedupe.stored_buckets(minhash))


def _article_row(article: Article, article_id: str, minhash: bytes) -> dict:
    """The `articles` row of a prepared article, but for what only the writer knows: the input's
    hash, the original it is a copy of, the run and the time (runner._plan adds them)."""
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


def in_parallel(workers: int, scheduler: str | None = None) -> bool:
    """Whether `preparer` prepares meanwhile (forked workers, a cluster) rather than here, when the
    results are asked for: only then is work handed out ahead, or the input's end tapered."""
    return bool(scheduler) or workers > 1


@contextmanager
def preparer(resources: Resources, workers: int, scheduler: str | None = None, clock=OFF) -> Iterator[Submit]:
    """`submit(articles)` starts preparing a list of articles and returns a function that waits for
    the results, in order: computed here when called, or meanwhile by `workers` forked processes,
    which share the loaded resources, or by the Dask cluster at `scheduler` (reached first)."""
    if scheduler:
        from pipeline.distributed import dask_preparer

        with dask_preparer(scheduler) as submit:
            yield submit
    elif in_parallel(workers):
        with _pool(resources, workers) as start:
            yield lambda articles: _submit_chunks(start, articles)
    else:
        yield lambda articles: lambda: [prepare(a, resources, clock) for a in articles]


@contextmanager
def _pool(resources: Resources, workers: int) -> Iterator[Callable[[list[Article]], Future]]:
    """A pool of forked workers (they inherit the loaded gazetteer and lexicon), as a function that
    starts preparing a chunk. Not multiprocessing.Pool: its worker-watching thread also wakes on
    every result waiting in the result pipe, and spun for a twentieth of the writer's time
    (measured), holding the GIL."""
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_start_worker, initargs=(resources, os.getpid()))
    queued: set[Future] = set()

    def start(chunk: list[Article]) -> Future:
        future = pool.submit(_prepare_chunk, chunk)
        queued.add(future)
        future.add_done_callback(queued.discard)
        return future

    try:
        yield start
    except BaseException:
        # An interrupted run drops what is queued. Cancelled here, not by shutdown's cancel_futures
        # alone: the executor's thread reads that flag through a weak reference, and when the
        # executor was collected first (half the time, measured) every queued chunk ran on.
        for future in list(queued):
            future.cancel()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


def _submit_chunks(start: Callable[[list[Article]], Future], articles: list[Article]) -> Callable[[], list]:
    futures = [start(articles[first : first + CHUNK_SIZE]) for first in range(0, len(articles), CHUNK_SIZE)]
    return lambda: [prepared for future in futures for prepared in future.result()]


_worker: dict = {}  # per worker process: the resources it was forked with


def _start_worker(resources: Resources, writer: int) -> None:
    # Ctrl-C is the writer's to handle: it stops handing out work and ends the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker["resources"] = resources
    threading.Thread(target=_exit_with, args=(writer,), daemon=True, name="exit-with-writer").start()


def _exit_with(writer: int) -> None:
    """End this worker once the writer is gone. A writer killed outright (SIGKILL, the OOM killer)
    cannot stop its pool, and the executor's workers would otherwise wait for work for ever: they
    hold both ends of the queue they read, so it never reports the writer's end closed."""
    while os.getppid() == writer:
        time.sleep(WRITER_CHECK_SECONDS)
    os._exit(1)


def _prepare_chunk(articles: list[Article]) -> list[Prepared]:
    return [prepare(article, _worker["resources"]) for article in articles]


@dataclass(frozen=True)
class HeadStart:
    """How a run's articles are prepared (`submit`), and the first batches of its input, read and
    submitted before the database was open (`batches`, with `rest` the input after them). Those are
    prepared whole, since which of their articles are stored is not known yet: the writer drops the
    results of those that are (work wasted only on a rerun's first batches). The writer takes the
    batches out as it goes, so that none is held after it is stored, and reads the rest in batches
    of the same `size`; with `taper` (workers prepare them meanwhile), the input's last batch in
    pieces (see pieces_of)."""

    submit: Submit
    batches: deque[tuple[list, Callable[[], list]]] = field(default_factory=deque)  # (batch, wait)
    rest: Iterable = ()
    size: int = BATCH_SIZE
    taper: bool = False


def head_start(items: Iterable, submit: Submit, batches: int = BATCHES_AHEAD,
               size: int = BATCH_SIZE, taper: bool = False) -> HeadStart:
    """Read `batches` batches of `size` `items` (articles and rejects) and submit their articles:
    as many as a run keeps in flight, so that starting early holds no more in memory. With `taper`,
    an input that ends among them ends in pieces (pieces_of)."""
    items = iter(items)
    started: deque = deque()
    for batch in islice(batches_of(items, size), batches):
        for piece in pieces_of(batch, size) if taper else [batch]:
            started.append((piece, submit([item for item in piece if not isinstance(item, Reject)])))
    return HeadStart(submit, started, items, size, taper)


def only_new(ready: Callable[[], list], batch: list, new: list[bool]) -> Callable[[], list]:
    """The prepared articles of a head-started batch that `new` (aligned with the batch) keeps."""
    keep = [is_new for item, is_new in zip(batch, new, strict=True) if not isinstance(item, Reject)]
    return lambda: list(compress(ready(), keep))


def batches_of(items: Iterable, size: int) -> Iterator[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def tapered(batches: Iterable[list], size: int) -> Iterator[list]:
    """`batches`, the last in pieces when it is short of `size` (pieces_of).

    >>> [len(b) for b in tapered(batches_of(range(5000), 1024), 1024)]
    [1024, 1024, 1024, 1024, 452, 226, 113, 113]
    >>> all([x for b in tapered(batches_of(range(n), s), s) for x in b] == list(range(n))
    ...     for n in (0, 1, 127, 128, 129, 300, 1023, 1024, 2049) for s in (1, 2, 64, 1024))
    True
    """
    for batch in batches:
        yield from pieces_of(batch, size)


def pieces_of(batch: list, size: int) -> list[list]:
    """A batch short of `size` (the input's last) in pieces of a half, a quarter, ..., of it, in
    order, none under TAPER_FLOOR; a full batch whole.

    What the writer stores after the workers have prepared the last article is the last batch,
    with one core idle: a short last piece shortens that wait, and the pieces before it are stored
    while the workers prepare the rest.

    >>> [len(p) for p in pieces_of([0] * 904, 1024)], [len(p) for p in pieces_of([0] * 1024, 1024)]
    ([452, 226, 113, 113], [1024])
    >>> [len(p) for p in pieces_of([0] * 127, 1024)]  # under two chunks: whole
    [127]
    """
    pieces = []
    while len(batch) < size and len(batch) >= 2 * max(1, TAPER_FLOOR):
        half = (len(batch) + 1) // 2
        pieces.append(batch[:half])
        batch = batch[half:]
    return [*pieces, batch]
