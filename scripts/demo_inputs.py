"""What `make demo` reads: the live feeds of a feed list when this machine can reach them, else the
sample corpus. Prints the arguments for `python -m pipeline run` on stdout and says which on stderr.

    python scripts/demo_inputs.py data/feeds.txt data/sample
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.feeds import read_feed_list  # noqa: E402 - after the path is set
from pipeline.fetch import FEED_TYPES, Fetcher, Page  # noqa: E402

PROBES = 3  # feeds tried before calling the machine offline
TIMEOUT = 4.0


def reachable(urls: list[str]) -> str | None:
    """The first of the first PROBES feeds that answers with a feed, if any."""
    fetcher = Fetcher(timeout=TIMEOUT, retries=0, min_interval=0.0)
    return next((url for url in urls[:PROBES] if isinstance(fetcher.get(url, accept=FEED_TYPES), Page)), None)


def main(feed_list: str, sample: str) -> int:
    answered = reachable(read_feed_list(feed_list))
    if answered:
        print(f"demo: online ({answered} answers), reading the live feeds of {feed_list}", file=sys.stderr)
        print(f"--feeds {feed_list}")
    else:
        print(f"demo: offline (none of the first {PROBES} feeds of {feed_list} answers), "
              f"reading the sample corpus {sample}", file=sys.stderr)
        print(sample)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
