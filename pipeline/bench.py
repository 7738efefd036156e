"""Throughput against the naive reference (VADER on every sentence), on real news: `python -m pipeline bench`.

A seeded uniform sample of stories is drawn from a corpus (by default the news stories of
../shared/data/news/benchmark.jsonl.gz). Each side is then timed as a whole process (interpreter
start-up, imports and output included; the project's modules byte-compiled first, as an installed
package has them): `run --workers N` into a fresh SQLite file, the same with one worker, `score` (no
database), and the naive reference. The stage times come from one more run, in
this process with one worker, on a lap clock (pipeline.stages).
"""

from __future__ import annotations

import gzip
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
DEFAULT_CORPUS = PACKAGE.parents[1] / "shared" / "data" / "news" / "benchmark.jsonl.gz"
# Whole news stories; the corpus also holds one-line headlines and short summaries.
STORY_CORPORA = ("kcna_stories_2011_2012", "reuters21578", "bbc_2025_fulltext", "guardian_sdf_2017_2019")


@dataclass(frozen=True)
class Timing:
    seconds: float
    peak_rss_mb: float  # of the largest process: the timed one, or one of its workers
    cpu_seconds: float  # user and system time of the process and its workers together


def sample_stories(corpus: Path, corpora: tuple[str, ...], limit: int, seed: int) -> list[str]:
    """A uniform random sample of `limit` JSONL lines whose `corpus` is one of `corpora`."""
    rng = random.Random(seed)
    chosen: list[str] = []
    for seen, line in enumerate(_matching_lines(corpus, corpora)):
        if len(chosen) < limit:
            chosen.append(line)
        elif (slot := rng.randrange(seen + 1)) < limit:
            chosen[slot] = line  # reservoir sampling: one pass, memory bounded by `limit`
    return chosen


def naive_reference(path: Path) -> int:
    """What most dashboards do: VADER's compound on every sentence. Returns the sentence count."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from pipeline.sentences import split_sentences

    analyser, sentences = SentimentIntensityAnalyzer(), 0
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            for sentence in split_sentences(json.loads(line)["text"]):
                analyser.polarity_scores(sentence.text)
                sentences += 1
    return sentences


def stage_times(sample: Path) -> tuple[dict[str, float], int]:
    """Seconds by stage of a one-worker run of the sample into a fresh SQLite file, in this process,
    and the statements it stored."""
    from sqlalchemy import func, select

    from pipeline import runner, store
    from pipeline.score import load_resources
    from pipeline.stages import StageClock

    with tempfile.TemporaryDirectory() as folder:
        engine = store.make_engine(f"sqlite:///{folder}/bench.db")
        store.upgrade(engine)
        resources, clock = load_resources(), StageClock()
        runner.run([sample], engine, resources, clock=clock)
        with engine.connect() as conn:
            statements = conn.execute(select(func.count()).select_from(store.statements)).scalar_one()
        engine.dispose()
    return clock.seconds, statements


def time_process(command: list[str]) -> Timing:
    """Wall time, peak resident memory and CPU time of one child process run to completion."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # This child's usage with that of its own children (a run's workers), not other children's.
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in (0, 1):  # 1: done, with some records rejected (reported)
        raise subprocess.CalledProcessError(child.returncode, command)
    return Timing(seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)


def compare(sample: Path, workers: int, repeats: int) -> dict[str, Timing]:
    """Best of `repeats` rounds of each process, alternated so that a slow spell of a shared machine
    falls on all of them: run with `workers`, run with one worker, score, and the naive reference."""
    compile_modules()
    database = sample.with_name("bench.db")
    run = [sys.executable, "-m", "pipeline", "run", str(sample), "--db", f"sqlite:///{database}", "--workers"]
    naive = [sys.executable, "-m", "pipeline", "bench", "--naive", str(sample)]
    commands = {
        f"run --workers {workers}": run + [str(workers)],
        "run --workers 1": run + ["1"],
        "score (no database)": [sys.executable, "-m", "pipeline", "score", str(sample)],
        "VADER on every sentence (naive)": naive,
    }
    rounds = []
    for _ in range(repeats):
        timings = {}
        for name, command in commands.items():
            _remove_database(database)  # every run starts from an empty database
            timings[name] = time_process(command)
        rounds.append(timings)
    return {name: min((found[name] for found in rounds), key=lambda t: t.seconds) for name in commands}


def compile_modules(package: Path = PACKAGE) -> None:
    """Byte-compile the project's modules (into their git-ignored __pycache__), as installing a
    package does, so that each timed process loads them as an installed program does. Run from
    the source tree where PYTHONDONTWRITEBYTECODE is set (this workplace's machines set it), every
    process would otherwise compile them from source as it starts: 0.09 s of a `run` (its 39
    modules, measured), against 0.01 s for the naive reference, which imports 11. Where they cannot
    be written (a read-only install), one line says so and the bench goes on."""
    import compileall

    if not compileall.compile_dir(package, quiet=2):
        print(f"bench: could not byte-compile every module under {package}: processes will compile them",
              file=sys.stderr)


def _remove_database(database: Path) -> None:
    for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        path.unlink(missing_ok=True)


def count_sentences(sample: Path) -> int:
    from pipeline.sentences import split_sentences

    with sample.open(encoding="utf-8") as handle:
        return sum(len(split_sentences(json.loads(line)["text"])) for line in handle)


def report(documents: int, sentences: int, timings: dict[str, Timing], stages: dict[str, float],
           statements: int, cores: int | None = None) -> Iterator[str]:
    """The table `bench` prints: each process, then the ratios the project holds itself to, then
    where a one-worker run spends its time. CPU seconds over wall seconds is how many of the
    machine's `cores` a process kept busy: a run that keeps them all busy is bound by its work, not
    by waiting."""
    from pipeline.stages import STAGES

    cores = cores or os.cpu_count() or 1
    yield f"{'':<34}{'seconds':>8}{'docs/s':>9}{'sents/s':>9}{'peak MB':>9}{'CPU s':>7}{'busy':>6}"
    for name, timing in timings.items():
        busy = timing.cpu_seconds / timing.seconds / cores
        yield (f"{name:<34}{timing.seconds:>8.2f}{documents / timing.seconds:>9.0f}"
               f"{sentences / timing.seconds:>9.0f}{timing.peak_rss_mb:>9.0f}"
               f"{timing.cpu_seconds:>7.2f}{busy:>6.0%}")
    yield f"(busy: CPU seconds over seconds, of {cores} cores)"
    naive = timings["VADER on every sentence (naive)"].seconds
    for name, timing in timings.items():
        if not name.startswith("VADER"):
            yield f"{name} is {naive / timing.seconds:.2f}x the naive reference"
    runs = [timing for name, timing in timings.items() if name.startswith("run")]
    if runs[0] is not runs[1]:
        yield f"{list(timings)[0]} is {runs[1].seconds / runs[0].seconds:.2f}x one worker"
    total = sum(stages.values())
    yield f"{statements} statements; one worker, in process, by stage ({total:.2f} s):"
    for stage in STAGES:
        seconds = stages.get(stage, 0.0)
        yield f"  {stage:<12}{seconds:>7.2f} s {100 * seconds / total:>5.1f}%"


def _matching_lines(corpus: Path, corpora: tuple[str, ...]) -> Iterator[str]:
    opener = gzip.open if corpus.suffix == ".gz" else open
    with opener(corpus, "rt", encoding="utf-8") as handle:
        for line in handle:
            try:
                record = json.loads(line)
            except ValueError:
                continue  # a broken line is not a story; `score` would reject it anyway
            if isinstance(record, dict) and (not corpora or record.get("corpus") in corpora):
                yield line
