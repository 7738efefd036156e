"""The command line's grammar: every command and its arguments (pipeline.cli carries them out)."""

from __future__ import annotations

import argparse
import os

from pipeline import __version__
from pipeline.categories import ALL, KINDS
from pipeline.settings import BATCH_SIZE


def build_parser(description: str) -> argparse.ArgumentParser:
    """The commands and their arguments; each sets `command` to its name."""
    parser = argparse.ArgumentParser(prog="python -m pipeline", description=description)
    parser.add_argument("--version", action="version", version=f"tension-tracker {__version__}")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    score = commands.add_parser("score", help="score articles without storing; print statements")
    score.add_argument("paths", nargs="+", metavar="PATH", help="files or folders of articles")
    score.add_argument("--format", choices=("jsonl", "table"), default="jsonl")
    score.set_defaults(command="score")
    evaluate = commands.add_parser("evaluate", help="precision / recall / F1 on a labelled set")
    evaluate.add_argument("gold", metavar="GOLD.jsonl")
    evaluate.add_argument("--json", action="store_true", help="print the metrics as JSON")
    evaluate.add_argument("--errors", type=int, default=0, metavar="N", help="list the N worst misses")
    evaluate.set_defaults(command="evaluate")
    run = commands.add_parser("run", help="ingest, score, store and aggregate; incremental")
    _inputs(run)
    run.set_defaults(command="run")
    watch = commands.add_parser("watch", help="run again and again, unattended (see also cron in README)")
    _inputs(watch)
    watch.add_argument("--every", default="15m", metavar="INTERVAL", help="90s, 15m, 2h (default 15m)")
    watch.set_defaults(command="watch")
    export = commands.add_parser("export", help="write dyads, statements or quotes as csv/json/parquet")
    export.add_argument("--what", choices=("dyads", "statements", "quotes"), required=True)
    export.add_argument("--from", dest="start", metavar="DATE", help="first day, YYYY-MM-DD")
    export.add_argument("--to", dest="end", metavar="DATE", help="last day, YYYY-MM-DD")
    export.add_argument("--pair", action="append", dest="pairs", metavar="A-B",
                        help="directed pair A -> B, such as PRK-USA (repeatable; default: all)")
    export.add_argument("--kind", choices=KINDS, default=ALL,
                        help="the index of all statements (default), or of the words or the deeds alone; "
                             "for statements and quotes, those of its categories")
    export.add_argument("--format", choices=("csv", "json", "parquet"), required=True)
    export.add_argument("--out", metavar="FILE", help="output file (default: stdout; parquet needs one)")
    export.add_argument("--limit", type=_at_least_one, default=50, help="quotes only: how many (default 50)")
    export.add_argument("--db", metavar="URL",
                        help="SQLAlchemy URL (default: $TENSION_DB_URL, else data/tension.db)")
    export.set_defaults(command="export")
    upgrade = commands.add_parser("upgrade", help="bring a database made by an older version to this "
                                                  "one's schema, and rebuild its daily index where needed")
    upgrade.add_argument("--db", metavar="URL",
                         help="SQLAlchemy URL (default: $TENSION_DB_URL, else data/tension.db)")
    upgrade.set_defaults(command="upgrade")
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
    bench.set_defaults(command="bench")
    return parser


def _at_least_one(text: str) -> int:
    """A whole number of at least 1, or argparse's one-line usage error."""
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return number


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
    command.add_argument("--batch-size", type=_at_least_one, default=BATCH_SIZE, metavar="N",
                         help=f"articles stored in one transaction ({BATCH_SIZE}); fewer use less memory,"
                              " more read the near-duplicate index less often (docs/measurements.md)")
    command.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                         help="score on this Dask distributed cluster instead of local processes")
    command.add_argument("--timeout", type=float, default=15.0, metavar="SECONDS", help="per request (15)")
    command.add_argument("--host-interval", type=float, default=1.0, metavar="SECONDS",
                         help="least time between two requests to one host (1)")
    command.add_argument("--retries", type=int, default=2, metavar="N",
                         help="tries after a server error, 429 or timeout, waiting 1 s, 2 s, ... (2)")
