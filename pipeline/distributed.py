"""Scoring on a Dask distributed cluster: `python -m pipeline run ... --scheduler tcp://HOST:PORT`.

The cluster is the user's, started with the `dask` command from this folder and with the project's
environment, so that its workers can import `pipeline`:

    dask scheduler --port 8786
    PYTHONPATH=$PWD dask worker tcp://HOST:8786 --nworkers 4 --nthreads 1

Workers clean, sign and score (`runner.prepare`, a pure function of the article); they never touch
the database. This process still reads the input and alone writes, in input order, so the stored
rows are those of a local run. Each worker process loads the gazetteer, lexicon and VADER once, on
its first task, rather than receiving them with every task.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from pipeline.models import Article

# Articles a task: a task costs the scheduler about a millisecond, an article a third of one.
CHUNK = 64
CONNECT_TIMEOUT = "10s"

_worker: dict = {}  # per worker process: the loaded resources


class SchedulerUnreachableError(ValueError):
    """The scheduler's address is malformed, or nothing answers there in time."""


def prepare_chunk(articles: list[Article]) -> list:
    """runner.prepare on each article, in a worker process (resources loaded on first use)."""
    from pipeline.runner import prepare

    if "resources" not in _worker:
        from pipeline.score import load_resources

        _worker["resources"] = load_resources()
    return [prepare(article, _worker["resources"]) for article in articles]


@contextmanager
def dask_preparer(address: str) -> Iterator[Callable]:
    """`submit(articles)` sends the articles to the cluster at once, in chunks, and returns a function
    that waits for the results and gives them in input order (as runner's local preparer does)."""
    from distributed import Client

    try:
        client = Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise SchedulerUnreachableError(f"cannot reach Dask scheduler {address}: {reason}") from None

    def submit(articles: list[Article]) -> Callable[[], list]:
        chunks = [articles[start : start + CHUNK] for start in range(0, len(articles), CHUNK)]
        futures = client.map(prepare_chunk, chunks, pure=False)  # pure=False: no hashing of texts
        return lambda: [prepared for chunk in client.gather(futures) for prepared in chunk]

    try:
        yield submit
    finally:
        client.close()
