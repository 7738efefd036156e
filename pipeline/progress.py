"""What a run shows and checks after each article: a pending Ctrl-C ends it there, and on an
interactive terminal a progress bar counts stored and skipped articles."""

from __future__ import annotations

import sys
from collections import Counter
from contextlib import contextmanager

from pipeline.interrupts import INTERRUPTS


@contextmanager
def run_progress():
    """A per-article callback: a pending Ctrl-C ends the run there, and on an interactive terminal
    a progress bar shows counts and rate. Elsewhere (a pipe, cron, `bench`) tqdm is not imported."""
    if not sys.stderr.isatty():
        yield lambda counts: INTERRUPTS.check()
        return
    from tqdm import tqdm

    def postfix(counts: Counter) -> dict:
        return {"stored": counts["stored"], "skipped": counts["unchanged"]}

    last_counts: Counter | None = None
    with tqdm(unit=" articles", file=sys.stderr) as progress:
        def update(counts: Counter) -> None:
            nonlocal last_counts
            INTERRUPTS.check()
            last_counts = counts
            if progress.update(1):  # redrawn: the counts are formatted for the next redraw, not each article
                progress.set_postfix(postfix(counts), refresh=False)
        yield update
        if last_counts is not None:  # the last bar, drawn as it closes, shows the final counts
            progress.set_postfix(postfix(last_counts), refresh=False)
