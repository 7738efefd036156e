"""The dashboard's pure logic: filters, their round trip through the URL, date presets, country
filtering, and the labels the pages show. No Streamlit here; the cached data access and the
empty/broken screens are in pipeline.dashboard_io, the sidebar in pipeline.sidebar, the tables in
pipeline.tables.

Example::

    f = filters_from_params({"preset": "all", "pairs": "PRK-USA"})
    start, end = resolve_range(f, date(2019, 1, 1), date(2024, 12, 4))
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.attribution import CONFIDENCE
from pipeline.categories import ALL, KIND_LABELS, KINDS, all_categories, categories_of

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "sample"
PRESETS = {"30d": 30, "90d": 90, "1y": 365, "all": None}  # days back from the last day with data
PRESET_LABELS = {"30d": "30 days", "90d": "90 days", "1y": "1 year", "all": "All", "custom": "Custom"}
DEFAULT_PRESET = "all"
# What the tables' tension_index is, for their column's help.
INDEX_HELP = ("100 × the summed tension of the pair's stories over all the stories stored: of the day "
              "for a day, of the chosen period as a whole for a ranking (each day weighted by its "
              "stories).")
# What the quotes' rule and confidence are, for their columns' help: the rules' own confidences.
RULE_HELP = ("How the source and target were found (README, Attribution) and how far that rule is "
             "trusted: " + ", ".join(f"{rule} {trust}" for rule, trust in CONFIDENCE.items()) + ". "
             "article-pair is a sentence naming one side of the article's main pair near one that "
             "names both, undirected.")
# Each page's heading, by page: the pages show them, and the tests and scripts/time_pages.py check
# them to know which page ran (the navigation falls back to the overview).
HEADINGS = {"overview": "Tension Tracker", "timeline": "Timeline", "quotes": "Key quotes",
            "evidence": "Evidence"}
CODE = re.compile(r"^[A-Z]{2,8}$")  # ISO alpha-3 or an organisation code (UN, NATO, ASEAN)
FILTER_KEYS = ("preset", "start", "end", "kind", "countries", "pairs", "categories", "min_hostility")
# What the pages read is kept under the data's version (queries.data_version): a finished run shows
# at once; while a run writes, what it stored shows within RUNNING_SECONDS. Each loader keeps its
# CACHED_VIEWS most recent views (each version of the data is another view), none over KEEP_SECONDS.
RUNNING_SECONDS = 60
KEEP_SECONDS = 3600
CACHED_VIEWS = 64


@dataclass(frozen=True)
class Filters:
    """What the analyst chose. `start`/`end` matter only when `preset` is "custom"."""

    start: dt.date | None = None
    end: dt.date | None = None
    preset: str = DEFAULT_PRESET
    kind: str = ALL  # the daily index of all statements, or of the words or the deeds alone
    countries: tuple[str, ...] = ()
    pairs: tuple[tuple[str, str], ...] = ()
    categories: tuple[str, ...] = ()
    min_hostility: float = 0.0


# --- The URL round trip: every value a string, anything unreadable falls back to the default. ---


def filters_from_params(params: dict) -> Filters:
    """Filters from query parameters (str or list of str values); bad values are ignored.

    >>> filters_from_params({"preset": "custom", "start": "2024-01-01", "end": "nonsense"})
    Filters(start=datetime.date(2024, 1, 1), end=None, preset='custom', kind='all', countries=(), \
pairs=(), categories=(), min_hostility=0.0)
    """
    value = {key: (v[-1] if isinstance(v, list) and v else v) for key, v in params.items()}
    preset = value.get("preset")
    start, end = _date(value.get("start")), _date(value.get("end"))
    if preset not in PRESET_LABELS:
        preset = "custom" if start or end else DEFAULT_PRESET
    return Filters(
        start=start, end=end, preset=preset,
        kind=value.get("kind") if value.get("kind") in KINDS else ALL,
        countries=tuple(c for c in _items(value.get("countries")) if CODE.match(c)),
        pairs=tuple(p for p in (_pair(item) for item in _items(value.get("pairs"))) if p),
        categories=tuple(c for c in _items(value.get("categories")) if c in all_categories()),
        min_hostility=_fraction(value.get("min_hostility")),
    )


def filters_to_params(f: Filters) -> dict[str, str]:
    """Query parameters for `f`, only those that differ from the defaults.

    >>> filters_to_params(Filters(preset="1y", kind="deeds", pairs=(("PRK", "USA"),), min_hostility=0.5))
    {'preset': '1y', 'kind': 'deeds', 'pairs': 'PRK-USA', 'min_hostility': '0.5'}
    """
    params: dict[str, str] = {}
    if f.preset != DEFAULT_PRESET:
        params["preset"] = f.preset
    if f.preset == "custom":
        params.update({k: v.isoformat() for k, v in (("start", f.start), ("end", f.end)) if v})
    if f.kind != ALL:
        params["kind"] = f.kind
    for key, items in (("countries", f.countries), ("pairs", tuple(f"{a}-{b}" for a, b in f.pairs)),
                       ("categories", f.categories)):
        if items:
            params[key] = ",".join(items)
    if f.min_hostility:
        params["min_hostility"] = f"{f.min_hostility:g}"
    return params


def resolve_range(f: Filters, first: dt.date | None, last: dt.date | None) -> tuple[dt.date, dt.date]:
    """The concrete [start, end] of `f`: presets count back from the last day with data, custom
    ranges are clamped to the data and put in order.

    >>> resolve_range(Filters(preset="30d"), dt.date(2020, 1, 1), dt.date(2024, 12, 4))
    (datetime.date(2024, 11, 5), datetime.date(2024, 12, 4))
    """
    today = dt.date.today()
    first, last = first or today, last or today
    if f.preset == "custom":
        start, end = f.start or first, f.end or last
        start, end = min(start, end), max(start, end)
        if end < first or start > last:
            return start, end  # wholly outside the data: kept, and the page says there is nothing
        return max(start, first), min(end, last)
    days = PRESETS.get(f.preset)
    return (first if days is None else max(first, last - dt.timedelta(days=days - 1))), last


def previous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The period of equal length just before [start, end] (what the risers are measured against)."""
    length = end - start + dt.timedelta(days=1)
    return start - length, start - dt.timedelta(days=1)


def period_caption(start: dt.date, end: dt.date, first: dt.date, last: dt.date,
                   risers_against: tuple[dt.date, dt.date] | None = None) -> str:
    """The overview's period, set against the data's when it is narrower, and the period the risers
    are measured against when there is one.

    >>> period_caption(dt.date(2019, 2, 16), dt.date(2024, 12, 4), dt.date(2019, 2, 16), dt.date(2024, 12, 4))
    '2019-02-16 to 2024-12-04: all the data.'
    >>> period_caption(dt.date(2024, 9, 6), dt.date(2024, 12, 4), dt.date(2019, 2, 16), dt.date(2024, 12, 4),
    ...                (dt.date(2024, 6, 7), dt.date(2024, 9, 5)))
    '2024-09-06 to 2024-12-04; risers against 2024-06-07 to 2024-09-05. Data from 2019-02-16 to 2024-12-04.'
    """
    period = f"{start} to {end}"
    if risers_against:
        period += f"; risers against {risers_against[0]} to {risers_against[1]}"
    if (start, end) == (first, last):
        return f"{period}: all the data."
    return f"{period}. Data from {first} to {last}."


def with_countries(frame: pd.DataFrame, countries: tuple[str, ...]) -> pd.DataFrame:
    """Rows whose source or target is one of `countries`; all rows when none is chosen."""
    if not countries or frame.empty:
        return frame
    return frame[frame["source"].isin(countries) | frame["target"].isin(countries)]


def pair_label(source: str, target: str, directed: bool = True) -> str:
    return f"{source} → {target}" if directed else f"{source} – {target}"


def pairs_both_ways(pairs) -> tuple[tuple[str, str], ...]:
    """Each pair and its reverse, once, in the order given.

    >>> pairs_both_ways([("PRK", "USA")])
    (('PRK', 'USA'), ('USA', 'PRK'))
    """
    return tuple(dict.fromkeys(p for a, b in pairs for p in ((a, b), (b, a))))


def unordered(pairs) -> list[tuple[str, str]]:
    """One (A, B) per unordered pair, in the order first met."""
    return list(dict.fromkeys(tuple(sorted(p)) if p[::-1] in pairs else tuple(p) for p in pairs))


def directed(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["directed"]] if "directed" in frame else frame


def of_pair(frame: pd.DataFrame, source: str, target: str) -> pd.DataFrame:
    return frame[(frame["source"] == source) & (frame["target"] == target)]


def describe(f: Filters, start: dt.date, end: dt.date) -> dict[str, str]:
    """The filters in words, for reports."""
    return {"Period": f"{start} to {end} ({PRESET_LABELS.get(f.preset, f.preset)})",
            "Rhetoric": kind_label(f.kind),
            "Pairs": ", ".join(pair_label(*p) for p in f.pairs) or "top pair",
            "Countries": ", ".join(f.countries) or "all",
            "Categories": ", ".join(f.categories) or "all",
            "Minimum hostility": f"{f.min_hostility:g}"}


def kind_stem(kind: str) -> str:
    """What a file name of a view of `kind` says of it: nothing for all statements.

    >>> kind_stem("all"), kind_stem("deeds")
    ('', '-deeds')
    """
    return "" if kind == ALL else f"-{kind}"


def kind_label(kind: str) -> str:
    """What the index of `kind` counts, in words.

    >>> kind_label("deeds")
    'Deeds (SANCTION, MOBILIZE, ATTACK, AID)'
    """
    return KIND_LABELS[kind] if kind == ALL else f"{KIND_LABELS[kind]} ({', '.join(categories_of(kind))})"


# --- Reading filter values (tolerant: anything unreadable is left out). ---


def _items(value) -> list[str]:
    return [item.strip() for item in str(value or "").split(",") if item.strip()]


def _pair(item: str) -> tuple[str, str] | None:
    parts = item.replace("→", "-").split("-")
    if len(parts) == 2 and all(CODE.match(p.strip()) for p in parts) and parts[0] != parts[1]:
        return parts[0].strip(), parts[1].strip()
    return None


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _fraction(value) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return min(1.0, max(0.0, number)) if number == number else 0.0  # NaN -> 0


def freshness_label(run: dict) -> str:
    """One line on the newest run: when it finished, how, what it stored, how much failed.

    >>> import datetime as dt
    >>> freshness_label({"id": 7, "started_at": dt.datetime(2026, 11, 28, 9, 0), "status": "done",
    ...                  "finished_at": dt.datetime(2026, 11, 28, 9, 2, 5), "counts": {"stored": 1234},
    ...                  "failures": ["http://x/feed: HTTP 500"], "rejects": {}})
    'Last run 7 finished 2026-11-28 09:02 UTC (done): 1,234 stored, 1 fetch failure, 0 rejected'
    """
    moment = run.get("finished_at") or run.get("started_at")
    moment = moment.astimezone(dt.UTC) if moment.tzinfo else moment  # SQLite keeps UTC without a zone
    when = f"{'finished' if run.get('finished_at') else 'started'} {moment:%Y-%m-%d %H:%M} UTC"
    failures, rejects = len(run.get("failures") or []), sum((run.get("rejects") or {}).values())
    stored = (run.get("counts") or {}).get("stored", 0)
    return (f"Last run {run['id']} {when} ({run['status']}): {stored:,} stored, "
            f"{failures} fetch failure{'' if failures == 1 else 's'}, {rejects} rejected")
