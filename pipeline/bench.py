"""Throughput of the scorer against the naive reference (VADER on every sentence), on real news.

`python -m pipeline bench` draws a seeded uniform sample of stories from a corpus (by default the
news stories of ../shared/data/news/benchmark.jsonl.gz), then times, each as a whole process
(interpreter start-up, imports and output included), `python -m pipeline score` and the naive
reference, and reports documents per second, peak memory and the ratio. Issue 5 adds stage times.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "news" / "benchmark.jsonl.gz"
# Whole news stories; the corpus also holds one-line headlines and short summaries.
STORY_CORPORA = ("kcna_stories_2011_2012", "reuters21578", "bbc_2025_fulltext", "guardian_sdf_2017_2019")


@dataclass(frozen=True)
class Timing:
    seconds: float
    peak_rss_mb: float


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


def time_process(command: list[str]) -> Timing:
    """Wall time and peak resident memory of one child process run to completion."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)  # this child's own usage, not all children's
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in (0, 1):  # 1: done, with some records rejected (reported)
        raise subprocess.CalledProcessError(child.returncode, command)
    return Timing(seconds, usage.ru_maxrss / 1024)


def compare(sample: Path, repeats: int) -> tuple[Timing, Timing]:
    """Best of `repeats` alternating runs of the scorer and the naive reference."""
    score = [sys.executable, "-m", "pipeline", "score", str(sample)]
    naive = [sys.executable, "-m", "pipeline", "bench", "--naive", str(sample)]
    runs = [(time_process(score), time_process(naive)) for _ in range(repeats)]
    best = [min((run[i] for run in runs), key=lambda t: t.seconds) for i in (0, 1)]
    return best[0], best[1]


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
