"""Command line: `python -m pipeline score|evaluate ...`.

Each command parses its arguments, calls the library, and prints. Exit codes:
  0  done
  1  done, but some inputs were rejected (each reported on stderr with file and line)
  2  could not run: bad arguments, a missing file, an unreadable gold set
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from collections import Counter
from pathlib import Path

from pipeline import __version__
from pipeline.formats import TABLE_HEADER, statement_row, table_row
from pipeline.interrupts import INTERRUPTS
from pipeline.models import Reject, Statement

EXIT_OK, EXIT_REJECTS, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # the shell's code for a command ended by Ctrl-C (128 + SIGINT)


class UsageError(Exception):
    """A mistake in how the command was called: one line, exit code 2, no traceback."""


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    from pipeline.actors import GazetteerError
    from pipeline.lexicon import LexiconError

    try:
        with INTERRUPTS:  # Ctrl-C ends a run even where Python would drop it (pipeline.interrupts)
            return args.handler(args)
    except (UsageError, LexiconError, GazetteerError) as error:  # user mistakes: one line
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # `... | head` closed the pipe: not an error
        return EXIT_OK
    except KeyboardInterrupt:  # every batch is its own transaction: the next run carries on
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipeline", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"tension-tracker {__version__}")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    score = commands.add_parser("score", help="score articles without storing; print statements")
    score.add_argument("paths", nargs="+", metavar="PATH", help="files or folders of articles")
    score.add_argument("--format", choices=("jsonl", "table"), default="jsonl")
    score.set_defaults(handler=_score)
    evaluate = commands.add_parser("evaluate", help="precision / recall / F1 on a labelled set")
    evaluate.add_argument("gold", metavar="GOLD.jsonl")
    evaluate.add_argument("--json", action="store_true", help="print the metrics as JSON")
    evaluate.add_argument("--errors", type=int, default=0, metavar="N", help="list the N worst misses")
    evaluate.set_defaults(handler=_evaluate)
    run = commands.add_parser("run", help="ingest, score, store and aggregate; incremental")
    _inputs(run)
    run.set_defaults(handler=_run)
    watch = commands.add_parser("watch", help="run again and again, unattended (see also cron in README)")
    _inputs(watch)
    watch.add_argument("--every", default="15m", metavar="INTERVAL", help="90s, 15m, 2h (default 15m)")
    watch.set_defaults(handler=_watch)
    export = commands.add_parser("export", help="write dyads, statements or quotes as csv/json/parquet")
    export.add_argument("--what", choices=("dyads", "statements", "quotes"), required=True)
    export.add_argument("--from", dest="start", metavar="DATE", help="first day, YYYY-MM-DD")
    export.add_argument("--to", dest="end", metavar="DATE", help="last day, YYYY-MM-DD")
    export.add_argument("--pair", action="append", dest="pairs", metavar="A-B",
                        help="directed pair A -> B, such as PRK-USA (repeatable; default: all)")
    export.add_argument("--format", choices=("csv", "json", "parquet"), required=True)
    export.add_argument("--out", metavar="FILE", help="output file (default: stdout; parquet needs one)")
    export.add_argument("--limit", type=int, default=50, help="quotes only: how many (default 50)")
    export.add_argument("--db", metavar="URL",
                        help="SQLAlchemy URL (default: $TENSION_DB_URL, else data/tension.db)")
    export.set_defaults(handler=_export)
    bench = commands.add_parser("bench", help="documents per second against VADER on every sentence")
    bench.add_argument("corpus", nargs="?", metavar="CORPUS", help="JSONL(.gz) of stories")
    bench.add_argument("--limit", type=int, default=5000, help="stories to sample (default 5000)")
    bench.add_argument("--seed", type=int, default=0, help="seed of the uniform sample")
    bench.add_argument("--corpus-name", action="append", dest="corpora", metavar="NAME",
                       help="keep records of this `corpus` (repeatable; default: the story corpora)")
    bench.add_argument("--repeats", type=int, default=3, help="runs of each; the best counts")
    bench.add_argument("--workers", type=int, default=os.cpu_count() or 1, metavar="N",
                       help="workers of the timed run (default: this machine's cores)")
    bench.add_argument("--naive", action="store_true", help=argparse.SUPPRESS)
    bench.set_defaults(handler=_bench)
    return parser


def _score(args: argparse.Namespace) -> int:
    from pipeline.ingest import read_paths
    from pipeline.score import clean_and_score, load_resources

    _require_paths(args.paths)
    resources = load_resources()
    rejects: Counter[str] = Counter()
    articles = statements = 0
    out = sys.stdout
    if args.format == "table":
        out.write(TABLE_HEADER + "\n")
    for item in read_paths(args.paths):
        if isinstance(item, Reject):
            rejects[item.reason] += 1
            print(item.message, file=sys.stderr)
            continue
        articles += 1
        for statement in clean_and_score(item, resources):
            statements += 1
            out.write(_render(statement, args.format) + "\n")
    _summary(articles, statements, rejects)
    return EXIT_REJECTS if rejects else EXIT_OK


def _render(statement: Statement, form: str) -> str:
    if form == "table":
        return table_row(statement)
    return json.dumps(statement_row(statement), ensure_ascii=False)


def _summary(articles: int, statements: int, rejects: Counter[str]) -> None:
    rejected = ", ".join(f"{count} {reason}" for reason, count in sorted(rejects.items()))
    print(
        f"{articles} articles, {statements} statements"
        + (f"; rejected {sum(rejects.values())} ({rejected})" if rejects else ""),
        file=sys.stderr,
    )


def _evaluate(args: argparse.Namespace) -> int:
    from pipeline.evaluate import metrics, miss_line, predict, report_lines, worst_misses
    from pipeline.score import load_resources

    items = _read_gold(args.gold)
    predictions = predict(items, load_resources())
    report = metrics(predictions)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for line in report_lines(report):
            print(line)
    for prediction in worst_misses(predictions, args.errors):
        print(miss_line(prediction))
    return EXIT_OK


def _read_gold(path: str) -> list[dict]:
    from pipeline.evaluate import read_gold

    if not Path(path).is_file():
        raise UsageError(f"{path}: no such file")
    from pipeline.evaluate import GoldError

    try:
        return read_gold(Path(path))
    except GoldError as error:
        raise UsageError(str(error)) from None
    except UnicodeDecodeError as error:
        raise UsageError(f"{path}: not a gold JSONL file ({error.reason})") from None


def _inputs(command: argparse.ArgumentParser) -> None:
    command.add_argument("paths", nargs="*", metavar="PATH", help="files or folders of articles")
    command.add_argument("--feed", action="append", default=[], metavar="URL",
                         help="an RSS/Atom feed (repeatable)")
    command.add_argument("--feeds", action="append", default=[], metavar="FILE",
                         help="a list of feeds, one URL a line, # comments (e.g. data/feeds.txt)")
    command.add_argument("--db", metavar="URL",
                         help="SQLAlchemy URL (default: $TENSION_DB_URL, else data/tension.db)")
    command.add_argument("--workers", type=int, default=os.cpu_count() or 1, metavar="N",
                         help="processes that clean and score (default: this machine's cores); one writes")
    command.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                         help="score on this Dask distributed cluster instead of local processes")
    command.add_argument("--timeout", type=float, default=15.0, metavar="SECONDS", help="per request (15)")
    command.add_argument("--host-interval", type=float, default=1.0, metavar="SECONDS",
                         help="least time between two requests to one host (1)")
    command.add_argument("--retries", type=int, default=2, metavar="N",
                         help="tries after a server error, 429 or timeout, waiting 1 s, 2 s, ... (2)")


def _run(args: argparse.Namespace) -> int:
    """One run: one-line failures and rejects on stderr, then the summary."""
    from pipeline import store, tracking
    from pipeline.distributed import SchedulerUnreachableError
    from pipeline.feeds import FeedListError
    from pipeline.fetch import Fetcher
    from pipeline.score import load_resources

    _require_paths(args.paths + args.feeds)
    try:
        urls = tracking.feed_urls(args.feed, args.feeds)
    except FeedListError as error:
        raise UsageError(str(error)) from None
    if not args.paths and not urls:
        raise UsageError("nothing to read: give files or folders, --feed URL or --feeds FILE")
    url = store.database_url(args.db)
    fetcher = Fetcher(timeout=args.timeout, min_interval=args.host_interval, retries=max(0, args.retries))
    engine = _open_database(url)
    resources = load_resources()
    # They live as long as the process: frozen, the collector no longer walks them on each full
    # collection, nor makes forked workers copy the pages it touches (a tenth of a run, measured).
    gc.freeze()
    with _progress() as progress:
        try:
            summary, report = tracking.run_once(
                args.paths, urls, engine, resources, fetcher, on_article=progress,
                workers=max(1, args.workers), scheduler=args.scheduler)
        except SchedulerUnreachableError as error:  # raised before the run starts
            raise UsageError(str(error)) from None
    for message in report.failures + summary.messages:
        print(message, file=sys.stderr)
    print(tracking.summary_line(summary, report, url), file=sys.stderr)
    INTERRUPTS.check()  # a Ctrl-C dropped after the last article: the run is done, the watch ends
    return EXIT_REJECTS if summary.rejects else EXIT_OK


def _watch(args: argparse.Namespace) -> int:
    """`run` every INTERVAL until interrupted (Ctrl-C ends it with exit 0)."""
    from pipeline import tracking

    try:
        every = tracking.parse_interval(args.every)
    except ValueError as error:
        raise UsageError(str(error)) from None
    report = lambda line: print(line, file=sys.stderr)  # noqa: E731
    try:
        _run(args)  # the first cycle checks the arguments: a usage error ends the watch at once
        tracking.watch(lambda: _run(args), every, report, first_delay=every)
    except KeyboardInterrupt:
        print("watch stopped", file=sys.stderr)
    return EXIT_OK


def _open_database(url: str):
    """An engine on an up-to-date schema, or a one-line UsageError when it cannot be reached."""
    from sqlalchemy.exc import ArgumentError, OperationalError

    from pipeline import store

    try:
        engine = store.make_engine(url)
        store.upgrade(engine)
    except (OperationalError, ArgumentError, ImportError, ValueError) as error:
        raise UsageError(store.unreachable(url, error)) from None
    return engine


def _progress():
    """A progress bar with counts and rate on an interactive terminal; silent otherwise."""
    from contextlib import contextmanager

    from tqdm import tqdm

    @contextmanager
    def bar():
        with tqdm(unit=" articles", disable=not sys.stderr.isatty(), file=sys.stderr) as progress:
            def update(counts):
                INTERRUPTS.check()
                progress.update(1)
                progress.set_postfix(stored=counts["stored"], skipped=counts["unchanged"], refresh=False)
            yield update

    return bar()


def _bench(args: argparse.Namespace) -> int:
    import tempfile

    from pipeline import bench

    if args.naive:  # the reference process that `bench` times: VADER on every sentence
        print(f"{bench.naive_reference(Path(args.corpus))} sentences", file=sys.stderr)
        return EXIT_OK
    corpus = Path(args.corpus) if args.corpus else bench.DEFAULT_CORPUS
    _require_paths([str(corpus)])
    corpora = tuple(args.corpora or bench.STORY_CORPORA)
    lines = bench.sample_stories(corpus, corpora, args.limit, args.seed)
    if not lines:
        raise UsageError(f"{corpus}: no records of corpus {', '.join(corpora)}")
    with tempfile.TemporaryDirectory() as folder:
        sample = Path(folder) / "sample.jsonl"
        sample.write_text("".join(lines), encoding="utf-8")
        timings = bench.compare(sample, max(1, args.workers), args.repeats)
        stages, statements = bench.stage_times(sample)
        sentences = bench.count_sentences(sample)
    print(f"{len(lines)} stories from {corpus.name} ({', '.join(corpora)}), seed {args.seed}, "
          f"{sentences} sentences")
    for line in bench.report(len(lines), sentences, timings, stages, statements):
        print(line)
    return EXIT_OK


def _export(args: argparse.Namespace) -> int:
    from pipeline import export, store

    try:
        request = export.request_from(args.what, args.start, args.end, args.pairs, args.limit)
        rows = export.export(store.database_url(args.db), request, args.format, args.out)
    except export.ExportError as error:
        raise UsageError(str(error)) from None
    print(f"{rows} {args.what} rows written to {args.out or 'stdout'}", file=sys.stderr)
    return EXIT_OK


def _require_paths(paths: list[str]) -> None:
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise UsageError(f"{missing[0]}: no such file or folder")
