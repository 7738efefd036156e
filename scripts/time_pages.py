"""Time each dashboard page's first render and a rerun of it (data cached), headless (AppTest).

A benchmark, not a test: point it at a large database (scripts/synthesize_db.py makes one).

Example::

    python scripts/time_pages.py --db sqlite:////tmp/big.db --param preset=1y --param kind=deeds 2>/dev/null

(Streamlit's bare mode warns on stderr, on every run, that it has no runtime.)
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PAGES = {"overview": None, "timeline": "views/Timeline.py", "quotes": "views/Quotes.py",
         "evidence": "views/Evidence.py"}
TIMEOUT = 600


def render(page: str | None, params: dict[str, str]):
    """One run of `page` (None: the overview) as part of the app, with `params` in the URL."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT)
    if page:
        at.switch_page(page)
    at.query_params.update(params)
    return at.run()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, metavar="URL", help="the database the app reads")
    parser.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                        help="a filter in the URL, such as preset=1y or kind=deeds (repeatable)")
    args = parser.parse_args(argv)
    os.environ["TENSION_DB_URL"] = args.db
    sys.path.insert(0, str(REPO))
    import streamlit as st

    from pipeline.dashboard import HEADINGS

    params = dict(item.split("=", 1) for item in args.param)
    # The modules a page imports (pandas, Altair, vl-convert...) are imported once per server, not
    # per view: a render before the timed ones takes them out of the first page's figure. It also
    # warms the operating system's cache of the database file, as a server in use has it.
    warm = render(None, params)
    if warm.exception:
        print(f"the overview failed: {warm.exception[0].message}", file=sys.stderr)
        return 1
    for name, page in PAGES.items():
        st.cache_data.clear()  # a first render: nothing cached yet
        began = time.perf_counter()
        first = render(page, params)
        cold = time.perf_counter() - began
        began = time.perf_counter()
        first.run()  # the same view again: what a widget touched costs, its data cached
        warm = time.perf_counter() - began
        failed = f"  EXCEPTION {first.exception[0].message}" if first.exception else ""
        if [title.value for title in first.title][:1] != [HEADINGS[name]]:
            failed += f"  NOT THE {name.upper()} PAGE"
        print(f"{name:<10} first {cold:6.2f} s   rerun {warm:5.2f} s{failed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
