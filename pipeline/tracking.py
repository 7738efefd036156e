"""Tracking: one run over files and feeds (`run`), and the unattended loop around it (`watch`).

A cron line does the same as `watch` where a scheduler is preferred to a long-lived process:

    */15 * * * *  cd /path/to/tension-tracker && .venv/bin/python -m pipeline run --feeds data/feeds.txt

Runs do not overlap: one that starts while another writes to the database is refused in one line,
exit 75, and stores nothing (pipeline.run_lock); the next turn carries on, as a rerun skips what is
stored.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from pipeline import runner, store
from pipeline.feeds import GONE_AFTER_DAYS, GONE_AFTER_RUNS, GONE_FORGET_DAYS, FeedReport, feed_articles
from pipeline.fetch import Fetcher

INTERVAL = re.compile(r"(\d+(?:\.\d+)?)\s*([smh]?)")
SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600}


def run_once(paths: list[str], urls: list[str], engine, resources, fetcher: Fetcher | None = None,
             **options) -> tuple[runner.RunSummary, FeedReport]:
    """Files first, then the new items of the feeds; the feeds' validators are saved once their items
    are stored, so a run killed before then fetches them again. `options` go to runner.run."""
    report = FeedReport()
    sources = ()
    if urls:
        known = lambda links: store.known_urls(engine, links)  # noqa: E731 - a one-line adapter
        gone = lambda links: store.links_gone_for(engine, links, GONE_AFTER_RUNS, GONE_AFTER_DAYS)  # noqa: E731
        sources = feed_articles(urls, fetcher or Fetcher(), known, store.feed_validators(engine), report,
                                gone)
    summary = runner.run(paths, engine, resources, sources=sources, inputs=paths + urls,
                         failures=report.failures, **options)
    store.save_feed_validators(engine, report.validators)
    if urls:  # a run of files alone says nothing of what feeds list
        store.record_gone_links(engine, report.gone, report.answered, report.skipped_gone, GONE_FORGET_DAYS)
    return summary, report


def summary_line(summary: runner.RunSummary, report: FeedReport, url: str) -> str:
    counts = summary.counts
    line = (
        f"run {summary.run_id} into {store.safe_url(url)}: {counts['stored']} stored, "
        f"{counts['duplicate']} near-duplicates linked, {counts['replaced']} replaced, "
        f"{counts['unchanged']} already stored, {counts['undated']} without a date (kept out of the "
        f"index); {counts['daily_rows']} daily rows rebuilt"
    )
    if report.failures or report.unchanged:
        line += f"; {report.unchanged} feeds unchanged, {len(report.failures)} fetch failures"
    if report.skipped_gone:
        line += f"; {len(report.skipped_gone)} gone pages skipped (404/410 in {GONE_AFTER_RUNS} runs)"
    if summary.rejects:
        reasons = ", ".join(f"{count} {reason}" for reason, count in sorted(summary.rejects.items()))
        line += f"; rejected {sum(summary.rejects.values())} ({reasons})"
    return line


def parse_interval(text: str) -> float:
    """Seconds in "90", "90s", "15m" or "2h".

    >>> parse_interval("15m"), parse_interval("90"), parse_interval("1.5h")
    (900.0, 90.0, 5400.0)
    """
    match = INTERVAL.fullmatch(text.strip().lower())
    if not match or float(match.group(1)) <= 0:
        raise ValueError(f"not an interval: {text!r} (try 90s, 15m or 2h)")
    return float(match.group(1)) * SECONDS[match.group(2)]


def watch(cycle: Callable[[], object], every: float, report: Callable[[str], None],
          sleep: Callable[[float], None] = time.sleep, cycles: int | None = None,
          first_delay: float = 0.0) -> None:
    """Run `cycle` every `every` seconds (from the start of one to the next), the first after
    `first_delay`, until interrupted, or `cycles` times. A cycle that fails is reported in one line
    and the loop goes on."""
    sleep(first_delay)
    done = 0
    while cycles is None or done < cycles:
        started = time.monotonic()
        try:
            cycle()
        except Exception as error:  # noqa: BLE001 - one failed cycle must not end the watch
            first_line = str(error).splitlines()[0] if str(error) else ""
            report(f"cycle failed: {type(error).__name__}: {first_line}")
        done += 1
        if cycles is None or done < cycles:
            sleep(max(0.0, every - (time.monotonic() - started)))
