"""The command line's `run`, `watch` and `upgrade` (pipeline.cli dispatches to them): the workers
started on the input's first batches, then the database opened under the run lock, the run, its
report; or the database brought to this version's schema, with its daily index.
"""

from __future__ import annotations

import argparse
import sys
from contextlib import ExitStack, contextmanager

from pipeline.cli import (
    EXIT_OK,
    EXIT_REJECTS,
    UsageError,
    loaded_resources,
    require_paths,
    temporary_failures,
)
from pipeline.interrupts import INTERRUPTS
from pipeline.progress import run_progress


def run(args: argparse.Namespace) -> int:
    """One run: one-line failures and rejects on stderr, then the summary. With workers and a new
    SQLite file, they start on the first batches of the input before this process imports the
    database layer and opens it (pipeline.preparing.HeadStart): the two overlap."""
    from pipeline import preparing, settings
    from pipeline.ingest import read_paths

    require_paths(args.paths + args.feeds)
    urls = _feed_urls(args)
    if not args.paths and not urls:
        raise UsageError("nothing to read: give files or folders, --feed URL or --feeds FILE")
    workers, url = max(1, args.workers), settings.database_url(args.db)
    with loaded_resources() as resources, _preparer(resources, workers, args.scheduler) as submit:
        parallel = preparing.in_parallel(workers, args.scheduler)
        ahead = _batches_ahead(parallel, url)
        head = preparing.head_start(read_paths(args.paths), submit, ahead, args.batch_size, parallel)
        from pipeline import tracking

        with _locked_database(url) as engine, run_progress() as progress:
            summary, report = tracking.run_once(args.paths, urls, engine, resources, _fetcher(args, urls),
                                                on_article=progress, head=head)
    for message in report.failures + summary.messages:
        print(message, file=sys.stderr)
    print(tracking.summary_line(summary, report, url), file=sys.stderr)
    INTERRUPTS.check()  # a Ctrl-C dropped after the last article: the run is done, the watch ends
    return EXIT_REJECTS if summary.rejects else EXIT_OK


def _batches_ahead(parallel: bool, url: str) -> int:
    """Batches handed out before the database is open: none to one worker (it prepares lazily), nor
    where the database may hold the input (a rerun, a `watch` cycle): they were prepared for nothing,
    and a rerun of 1,621 stored articles took 2.6 s instead of 1.1 s (measured)."""
    from pipeline import preparing, settings

    return preparing.BATCHES_AHEAD if parallel and settings.is_new_sqlite_file(url) else 0


def _feed_urls(args: argparse.Namespace) -> list[str]:
    if not args.feed and not args.feeds:
        return []  # files only: the feed modules are not imported before the workers start
    from pipeline.feeds import FeedListError, feed_urls

    try:
        return feed_urls(args.feed, args.feeds)
    except FeedListError as error:
        raise UsageError(str(error)) from None


@contextmanager
def _preparer(resources, workers: int, scheduler: str | None):
    """preparing.preparer, with an unreachable scheduler, or workers that prepare with other code, as
    a one-line usage error; a scheduler lost mid-run is a temporary failure (cli.temporary_failures)."""
    from pipeline.preparing import preparer

    if not scheduler:
        with preparer(resources, workers) as submit:
            yield submit
        return
    from pipeline.distributed import ClusterLostError, ClusterUnusableError

    with ExitStack() as stack:
        try:
            submit = stack.enter_context(preparer(resources, workers, scheduler))
        except ClusterUnusableError as error:  # raised before anything is sent
            raise UsageError(str(error)) from None
        try:
            yield submit
        except ClusterLostError:  # worth trying again: exit 75 (cli.temporary_failures)
            raise
        except ClusterUnusableError as error:  # a worker joined later with other code
            raise UsageError(str(error)) from None


def _fetcher(args: argparse.Namespace, urls: list[str]):
    if not urls:
        return None
    from pipeline.fetch import Fetcher

    return Fetcher(timeout=args.timeout, min_interval=args.host_interval, retries=max(0, args.retries))


def watch(args: argparse.Namespace) -> int:
    """`run` every INTERVAL until interrupted (Ctrl-C ends it with exit 0)."""
    from pipeline import tracking

    try:
        every = tracking.parse_interval(args.every)
    except ValueError as error:
        raise UsageError(str(error)) from None
    report = lambda line: print(line, file=sys.stderr)  # noqa: E731
    try:
        try:
            run(args)  # the first cycle checks the arguments: a usage error ends the watch at once
        except temporary_failures() as error:  # another run at work, say: this one's turn comes again
            report(f"cycle failed: {type(error).__name__}: {error}")
        tracking.watch(lambda: run(args), every, report, first_delay=every)
    except KeyboardInterrupt:
        print("watch stopped", file=sys.stderr)
    return EXIT_OK


def upgrade(args: argparse.Namespace) -> int:
    """Bring a database made by an older version to this one's schema, under the run lock, and
    rebuild the days of the daily index a migration marked (a run would do both first)."""
    from pipeline import daily, settings, store

    url = settings.database_url(args.db)
    if missing := settings.missing_sqlite_file(url):  # connecting would create it, empty
        raise UsageError(f"cannot upgrade {store.safe_url(url)}: no such file {missing}")
    with _locked_database(url) as engine:
        summary = daily.upgrade(engine)
    print(f"{store.safe_url(url)}: {summary}", file=sys.stderr)
    return EXIT_OK


@contextmanager
def _locked_database(url: str):
    """An engine on an up-to-date schema, this process holding the database's run lock from before
    the upgrade (two first runs would each create the tables) to the run's last write; a one-line
    UsageError when it cannot be reached. RunInProgressError passes on (exit 75)."""
    from sqlalchemy.exc import ArgumentError, OperationalError

    from pipeline import store
    from pipeline.run_lock import LockFileError, exclusive_run

    with ExitStack() as stack:
        try:
            engine = store.make_engine(url)
            # Closed last, after the lock: SQLite folds its write-ahead log into the file as the last
            # connection closes, which must not wait for the garbage collector (see __main__).
            stack.callback(engine.dispose)
            stack.enter_context(exclusive_run(engine))
            store.upgrade(engine)
        except (LockFileError, store.NewerSchemaError) as error:
            raise UsageError(str(error)) from None
        except (OperationalError, ArgumentError, ImportError, ValueError) as error:
            raise UsageError(store.unreachable(url, error)) from None
        yield engine
