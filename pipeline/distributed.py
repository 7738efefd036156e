"""Scoring on a Dask distributed cluster: `python -m pipeline run ... --scheduler tcp://HOST:PORT`.

The cluster is the user's, started with the `dask` command from this folder and with the project's
environment, so that its workers can import `pipeline`:

    dask scheduler --port 8786
    PYTHONPATH=$PWD dask worker tcp://HOST:8786 --nworkers 4 --nthreads 1

Workers clean, sign and score (`preparing.prepare`, a pure function of the article); they never touch
the database. This process still reads the input and alone writes, in input order, so the stored
rows are those of a local run. Each worker process loads the gazetteer, lexicon and VADER once, on
its first task, rather than receiving them with every task. A worker started from another checkout
(older, or edited) would compute other ids and scores: before anything is sent, every worker's
fingerprint of the code and data it prepares with must equal this process's; and since workers may
join later (the run can be started before them), each task carries this process's fingerprint, and a
worker whose own differs refuses it, which ends the run.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import socket
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path

from pipeline.models import Article

# Articles a task: a task costs the scheduler about a millisecond, an article a third of one.
CHUNK = 64
CONNECT_TIMEOUT = 10.0  # seconds

_worker: dict = {}  # per worker process: the loaded resources


# The packages whose versions change what `prepare` computes, besides the project's own files.
PREPARING_PACKAGES = ("vaderSentiment", "blingfire", "numpy")


class ClusterUnusableError(ValueError):
    """The cluster cannot prepare this run's articles; nothing was sent to it."""


class SchedulerUnreachableError(ClusterUnusableError):
    """The scheduler's address is malformed, or nothing answers there in time."""


class WorkersDifferError(ClusterUnusableError):
    """A worker prepares with other code or data than this process, or cannot import it."""


class ClusterLostError(ClusterUnusableError):
    """The scheduler went away mid-run, and with it the work it was given."""


def fingerprint() -> str:
    """SHA-256 of what an article's prepared rows depend on: the pipeline's modules, the gazetteer
    and lexicon files they load, and the versions of the packages they use."""
    from pipeline.actors import GAZETTEER_DIR
    from pipeline.lexicon import LEXICON_DIR

    digest = hashlib.sha256()
    # The package's own modules, not its subpackages: preparing an article imports none of them
    # (pipeline.queries is the app's); a module it needs must live here to count.
    modules = Path(__file__).resolve().parent
    for path in [*sorted(modules.glob("*.py")), *sorted(GAZETTEER_DIR.glob("*.csv")),
                 *sorted(LEXICON_DIR.glob("*.csv"))]:
        digest.update(f"{path.parent.name}/{path.name}\0".encode() + path.read_bytes() + b"\0")
    for package in PREPARING_PACKAGES:
        digest.update(f"{package}=={version(package)}\0".encode())
    return digest.hexdigest()


def prepare_chunk(articles: list[Article], expected: str) -> list:
    """preparing.prepare on each article, in a worker process (resources loaded on first use), unless
    the worker's fingerprint differs from the client's `expected` one: WorkersDifferError."""
    from pipeline.preparing import prepare

    if "fingerprint" not in _worker:
        _worker["fingerprint"] = fingerprint()
    if _worker["fingerprint"] != expected:
        from distributed import get_worker

        raise WorkersDifferError(f"Dask worker {get_worker().address} prepares with other code or data than "
                                 "this process: restart it from this folder, with its environment")
    if "resources" not in _worker:
        from pipeline.score import load_resources

        _worker["resources"] = load_resources()
    return [prepare(article, _worker["resources"]) for article in articles]


@contextmanager
def dask_preparer(address: str, timeout: float = CONNECT_TIMEOUT) -> Iterator[Callable]:
    """`submit(articles)` sends the articles to the cluster at once, in chunks, and returns a function
    that waits for the results and gives them in input order (as runner's local preparer does).
    SchedulerUnreachableError, before anything is sent, when no scheduler answers within `timeout`."""
    from distributed import Client

    try:
        probe(address, timeout)
        # Not the default client: this process's other Dask work (if any) stays where it was.
        client = Client(address, timeout=f"{timeout}s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        raise SchedulerUnreachableError(f"cannot reach Dask scheduler {address}: {_reason(error)}") from None
    waiting: set = set()  # the keys of this run's tasks not gathered yet
    try:
        mine = _check_workers(client, address)
        client.subscribe_topic("all", _departures(address, waiting))
    except BaseException:
        client.close()
        raise

    def submit(articles: list[Article]) -> Callable[[], list]:
        from distributed.client import ClosedClientError

        chunks = [articles[start : start + CHUNK] for start in range(0, len(articles), CHUNK)]
        try:  # pure=False: no hashing of texts
            futures = client.map(prepare_chunk, chunks, expected=mine, pure=False)
        except ClosedClientError:  # the client gave up reaching a lost scheduler again
            raise _lost(address) from None
        keys = [future.key for future in futures]
        waiting.update(keys)

        def gathered() -> list:
            prepared = _gathered(client, futures, address)
            waiting.difference_update(keys)
            return prepared

        return gathered

    _quiet_closing_noise()
    try:
        yield submit
    finally:
        client.close()


def _check_workers(client, address: str) -> str:
    """This process's fingerprint; WorkersDifferError unless every worker connected now prepares as
    this process would (those joining later are checked by each task, see prepare_chunk)."""
    try:
        found = client.run(fingerprint)
    except Exception as error:  # noqa: BLE001 - a worker that cannot even import the project's code
        raise WorkersDifferError(f"Dask workers at {address} cannot run this project's code: {_reason(error)}"
                                 " (start them from this folder, with its environment)") from None
    mine = fingerprint()
    if not found:  # a run may start before its workers; without a word, it would seem to hang
        logging.getLogger(__name__).warning(
            "no Dask workers at %s yet: the run waits for them to join (Ctrl-C stops it)", address)
    differing = [worker for worker, value in found.items() if value != mine]
    if differing:
        raise WorkersDifferError(
            f"{len(differing)} of {len(found)} Dask workers at {address} prepare with other code or data "
            "than this process: restart them from this folder, with its environment")
    return mine


def _departures(address: str, waiting: set) -> Callable[[tuple], None]:
    """A handler of the scheduler's events that says, in one line, when a worker leaves unexpectedly
    holding tasks of this run's (`waiting`: they go to the other workers, or wait for one to join).
    A worker started where `pipeline` cannot be imported leaves as it reads its first task: were it
    the only one, the run would otherwise wait without a word. The handler runs on the client's
    event loop thread: it only tests keys for membership, never iterates over `waiting`."""
    def said(event: tuple) -> None:
        _, message = event
        if not isinstance(message, dict) or message.get("action") != "remove-worker":
            return
        if message.get("expected"):
            return  # a worker retired on purpose hands its tasks over first
        ours = [key for key in message.get("processing-tasks") or () if key in waiting]
        if ours:
            logging.getLogger(__name__).warning(
                "Dask worker %s of %s left holding %d of this run's tasks, which wait for another worker "
                "(one that cannot import `pipeline` leaves on its first task: start workers from this "
                "folder, with its environment)", message.get("worker"), address, len(ours))
    return said


def _gathered(client, futures: list, address: str) -> list:
    """The chunks' prepared articles, in order. ClusterLostError when the client lost the scheduler
    (distributed cancels every future it holds), rather than distributed's own message, which names
    a task; ClusterUnusableError, in one line, for an error a task raised on a worker: preparing
    raises on no input, so a worker's environment is at fault (an older checkout's prepare_chunk,
    say, which takes no fingerprint)."""
    from distributed.comm.core import CommClosedError

    try:
        return [prepared for chunk in client.gather(futures) for prepared in chunk]
    except (CancelledError, CommClosedError):  # which one depends on when the connection went
        raise _lost(address) from None
    except ClusterUnusableError:
        raise
    except Exception as error:  # noqa: BLE001 - raised on a worker, re-raised here by distributed
        raise ClusterUnusableError(f"a task failed on a Dask worker of {address}: {type(error).__name__}: "
                                   f"{_reason(error)} (start the workers from this folder, with its "
                                   "environment)") from None


def _lost(address: str) -> ClusterLostError:
    return ClusterLostError(f"lost the Dask scheduler at {address} mid-run: the batches stored so far "
                            "stay, and the next run carries on from them")


def _reason(error: BaseException) -> str:
    """The first line of an error's message, or its type when it has none."""
    return str(error).splitlines()[0] if str(error) else type(error).__name__


class _LostScheduler(logging.Filter):
    """Drops distributed's traceback for its attempt to reach a lost scheduler again, which closing
    the client cancels, and its line when it gives up: the run says in one line that the scheduler
    is gone. And its warning that results it could not fetch are computed again: so they are, and
    the run goes on, or, the scheduler being gone, the run says that in its own line."""

    NOISE = ("Failed to reconnect to scheduler", "Couldn't gather %s keys, rescheduling")

    def filter(self, record: logging.LogRecord) -> bool:
        cancelled = record.exc_info and isinstance(record.exc_info[1], asyncio.CancelledError)
        return not cancelled and not str(record.msg).startswith(self.NOISE)


class _AbandonedGather(logging.Filter):
    """Drops asyncio's "Task exception was never retrieved" for the helper tasks of a gather that
    Ctrl-C abandoned: closing the client ends them with distributed's AllExit, which nobody awaits
    any more, and asyncio would print each one's traceback under the one-line "interrupted"."""

    def filter(self, record: logging.LogRecord) -> bool:
        from distributed.client import AllExit

        return not (record.exc_info and isinstance(record.exc_info[1], AllExit))


def _quiet_closing_noise() -> None:
    """The two filters above, installed once a process and left installed (asyncio reports those
    tasks when they are collected, which can be after the client is closed, as the interpreter
    exits), and distributed's INFO lines."""
    for name, quiet in (("asyncio", _AbandonedGather), ("distributed.client", _LostScheduler)):
        log = logging.getLogger(name)
        if not any(isinstance(found, quiet) for found in log.filters):
            log.addFilter(quiet())
    # distributed logs at INFO to stderr by default: in this process, the client's, that is chatter
    # ("Batched Comm Closed" as a lost scheduler goes) between the run's own lines.
    logging.getLogger("distributed").setLevel(max(logging.WARNING, logging.getLogger("distributed").level))


def probe(address: str, timeout: float) -> None:
    """Raise ValueError unless `address` is well formed with a scheme Dask knows, and OSError or
    TimeoutError unless a Dask server there answers a handshake within `timeout` seconds.

    Why not let `Client` find out: it retries a refused connection until its timeout; it waits for
    ever on a port that accepts but never answers (its timeout covers connecting, not the handshake);
    and a client that failed to start closes only when garbage collected, which blocks for twice the
    timeout and can deadlock a later client in the process (`watch` makes one a cycle).
    """
    from distributed.comm import parse_address, parse_host_port
    from distributed.comm.registry import get_backend

    scheme, location = parse_address(address)
    get_backend(scheme)  # "unknown address scheme 'http' (known schemes: [...])"
    if scheme in ("tcp", "tls"):  # refused or unknown host: say so at once, without retries
        with socket.create_connection(parse_host_port(location), timeout=timeout):
            pass
    asyncio.run(_handshake(address, timeout))


async def _handshake(address: str, timeout: float) -> None:
    from distributed.comm import connect

    try:
        comm = await asyncio.wait_for(connect(address, timeout=timeout), timeout)
    except TimeoutError:
        raise TimeoutError(f"no answer from a Dask server within {timeout:g} s") from None
    await comm.close()
