"""Command line: `python -m pipeline score|evaluate|run|watch|export|upgrade|bench ...`.

Each command (its arguments are in pipeline.cli_args; `run` and `watch` in pipeline.cli_run) calls
the library and prints. Exit codes:
  0  done
  1  done, but some inputs were rejected (each reported on stderr with file and line)
  2  could not run: bad arguments, a missing file, an unreadable gold set; or could not go on: the
     Dask scheduler was lost, or a worker joined with other code (the batches stored so far stay;
     the next run carries on)
  75  `run` refused: another run is writing to the database (try again later; cron's next turn will),
      or stopped: the server ended the session holding its lock
  130  interrupted by Ctrl-C (SIGINT)
  143  `export` ended by SIGTERM (kill, systemd, docker stop, timeout): its file is left as it was
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

from pipeline import cli_args
from pipeline.formats import TABLE_HEADER, statement_row, table_row
from pipeline.interrupts import INTERRUPTS, Terminated
from pipeline.models import Reject, Statement

EXIT_OK, EXIT_REJECTS, EXIT_USAGE = 0, 1, 2
EXIT_BUSY = 75  # sysexits.h EX_TEMPFAIL: a temporary failure, worth trying again
EXIT_INTERRUPTED = 130  # the shell's code for a command ended by Ctrl-C (128 + SIGINT)
EXIT_TERMINATED = 143  # and by SIGTERM (128 + SIGTERM), where a command catches it (export)


class UsageError(Exception):
    """A mistake in how the command was called: one line, exit code 2, no traceback."""


def temporary_failures() -> tuple[type[Exception], ...]:
    """What ends a run but is worth trying again (one line, exit 75; `watch` goes on to its next
    cycle): another run holds the database, the server ended this run's lock, or the Dask
    scheduler was lost mid-run. The batches stored stay in each case."""
    from pipeline.distributed import ClusterLostError
    from pipeline.run_lock import RunLockError

    return RunLockError, ClusterLostError


def main(argv: list[str] | None = None) -> int:
    args = cli_args.build_parser(__doc__.splitlines()[0]).parse_args(argv)
    handler = {"score": _score, "evaluate": _evaluate, "run": _run, "watch": _watch, "export": _export,
               "bench": _bench, "upgrade": _upgrade}[args.command]
    from pipeline.datafiles import DataFileError  # the lexicon's, gazetteer's and categories' too

    try:
        with INTERRUPTS:  # Ctrl-C ends a run even where Python would drop it (pipeline.interrupts)
            return handler(args)
    # User mistakes, in the arguments or in a data file: one line.
    except (UsageError, DataFileError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except temporary_failures() as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BUSY
    except BrokenPipeError:  # `... | head` closed the pipe: not an error
        return EXIT_OK
    except KeyboardInterrupt:  # every batch is its own transaction: the next run carries on
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Terminated:
        print("terminated", file=sys.stderr)
        return EXIT_TERMINATED


def _score(args: argparse.Namespace) -> int:
    from pipeline.ingest import read_paths
    from pipeline.score import clean_and_score

    require_paths(args.paths)
    rejects: Counter[str] = Counter()
    articles = statements = 0
    out = sys.stdout
    if args.format == "table":
        out.write(TABLE_HEADER + "\n")
    with loaded_resources() as resources:
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


@contextmanager
def loaded_resources():
    """The gazetteer, lexicon and VADER, frozen out of the garbage collector's reach while they are
    used: the collector need not walk them on each full collection, nor make forked workers copy
    the pages it would touch (a tenth of a run, measured). Unfrozen after, since `watch` loads
    them afresh each cycle and the old ones must be collectable."""
    from pipeline.score import load_resources

    resources = load_resources()
    gc.freeze()
    try:
        yield resources
    finally:
        gc.unfreeze()


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

    items = _read_gold(args.gold)
    with loaded_resources() as resources:
        predictions = predict(items, resources)
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


def _run(args: argparse.Namespace) -> int:
    from pipeline import cli_run

    return cli_run.run(args)


def _watch(args: argparse.Namespace) -> int:
    from pipeline import cli_run

    return cli_run.watch(args)


def _upgrade(args: argparse.Namespace) -> int:
    from pipeline import cli_run

    return cli_run.upgrade(args)


def _bench(args: argparse.Namespace) -> int:
    import tempfile

    from pipeline import bench

    if args.naive:  # the reference process that `bench` times: VADER on every sentence
        print(f"{bench.naive_reference(Path(args.corpus))} sentences", file=sys.stderr)
        return EXIT_OK
    corpus = Path(args.corpus) if args.corpus else bench.DEFAULT_CORPUS
    require_paths([str(corpus)])
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
        request = export.request_from(args.what, args.start, args.end, args.pairs, args.limit, args.kind)
        # SIGTERM too unwinds the export, so that its partial file is removed (export_files._opened)
        with INTERRUPTS.terminable():
            rows = export.export(store.database_url(args.db), request, args.format, args.out,
                                 check=INTERRUPTS.check)
    except export.ExportError as error:
        raise UsageError(str(error)) from None
    print(f"{rows} {args.what} rows written to {args.out or 'stdout'}", file=sys.stderr)
    return EXIT_OK


def require_paths(paths: list[str]) -> None:
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise UsageError(f"{missing[0]}: no such file or folder")
