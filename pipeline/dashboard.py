"""App-side logic of the dashboard: filters, their round trip through the URL, cached data access.

Pages lay out widgets and call these functions; the pure parts (Filters, the URL round trip, date
presets, country filtering) carry no Streamlit, and Streamlit is used in two places only: the cached
loaders (`st.cache_data`, keyed on the database URL and plain filter values) and `sidebar_filters`.

Example::

    f = filters_from_params({"preset": "all", "pairs": "PRK-USA"})
    start, end = resolve_range(f, date(2019, 1, 1), date(2024, 12, 4))
    series = load_series(database_url(), start, end, f.pairs)
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import pandas as pd

from pipeline import queries, store

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "sample"
PRESETS = {"30d": 30, "90d": 90, "1y": 365, "all": None}  # days back from the last day with data
PRESET_LABELS = {"30d": "30 days", "90d": "90 days", "1y": "1 year", "all": "All", "custom": "Custom"}
DEFAULT_PRESET = "all"
CATEGORIES = ("THREATEN", "DISAPPROVE", "ACCUSE", "DEMAND", "REJECT", "SANCTION", "MOBILIZE", "ATTACK",
              "CONSULT", "AGREE", "COOPERATE", "AID", "NEUTRAL")
CODE = re.compile(r"^[A-Z]{2,8}$")  # ISO alpha-3 or an organisation code (UN, NATO, ASEAN)
FILTER_KEYS = ("preset", "start", "end", "countries", "pairs", "categories", "min_hostility")
CACHE_SECONDS = 60  # a pipeline run elsewhere shows up within a minute


@dataclass(frozen=True)
class Filters:
    """What the analyst chose. `start`/`end` matter only when `preset` is "custom"."""

    start: dt.date | None = None
    end: dt.date | None = None
    preset: str = DEFAULT_PRESET
    countries: tuple[str, ...] = ()
    pairs: tuple[tuple[str, str], ...] = ()
    categories: tuple[str, ...] = ()
    min_hostility: float = 0.0


# --- The URL round trip: every value a string, anything unreadable falls back to the default. ---


def filters_from_params(params: dict) -> Filters:
    """Filters from query parameters (str or list of str values); bad values are ignored.

    >>> filters_from_params({"preset": "custom", "start": "2024-01-01", "end": "nonsense"})
    Filters(start=datetime.date(2024, 1, 1), end=None, preset='custom', countries=(), pairs=(), \
categories=(), min_hostility=0.0)
    """
    value = {key: (v[-1] if isinstance(v, list) and v else v) for key, v in params.items()}
    preset = value.get("preset")
    start, end = _date(value.get("start")), _date(value.get("end"))
    if preset not in PRESET_LABELS:
        preset = "custom" if start or end else DEFAULT_PRESET
    return Filters(
        start=start, end=end, preset=preset,
        countries=tuple(c for c in _items(value.get("countries")) if CODE.match(c)),
        pairs=tuple(p for p in (_pair(item) for item in _items(value.get("pairs"))) if p),
        categories=tuple(c for c in _items(value.get("categories")) if c in CATEGORIES),
        min_hostility=_fraction(value.get("min_hostility")),
    )


def filters_to_params(f: Filters) -> dict[str, str]:
    """Query parameters for `f`, only those that differ from the defaults.

    >>> filters_to_params(Filters(preset="1y", pairs=(("PRK", "USA"),), min_hostility=0.5))
    {'preset': '1y', 'pairs': 'PRK-USA', 'min_hostility': '0.5'}
    """
    params: dict[str, str] = {}
    if f.preset != DEFAULT_PRESET:
        params["preset"] = f.preset
    if f.preset == "custom":
        params.update({k: v.isoformat() for k, v in (("start", f.start), ("end", f.end)) if v})
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
            "Pairs": ", ".join(pair_label(*p) for p in f.pairs) or "top pair",
            "Countries": ", ".join(f.countries) or "all",
            "Categories": ", ".join(f.categories) or "all",
            "Minimum hostility": f"{f.min_hostility:g}"}


def ranking_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A ranking (top dyads or movers) with the pair spelt out first and the codes dropped."""
    table = frame.assign(pair=[pair_label(a, b, d) for a, b, d in
                               zip(frame["source"], frame["target"], frame["directed"], strict=True)])
    return table[["pair", *(c for c in frame.columns if c not in ("source", "target", "directed"))]]


def quotes_table(quotes: pd.DataFrame) -> pd.DataFrame:
    """The columns analysts read: date, pair, category, hostility, quote, outlet, link."""
    table = quotes.assign(pair=[pair_label(a, b, d) for a, b, d in
                                zip(quotes["source"], quotes["target"], quotes["directed"], strict=True)])
    return table[["day", "pair", "category", "hostility", "excerpt", "outlet", "url", "article_id"]]


# --- Evidence: highlight cues in escaped text. ---


def highlighted_text(text: str, said: pd.DataFrame) -> str:
    """The article text, HTML-escaped, with every matched cue wrapped in <mark>.

    Cue offsets are relative to their statement's start; overlapping cues merge into one mark.
    Escaping happens piece by piece, so no character of the article ever reaches the page raw.

    >>> said = pd.DataFrame({"start": [4], "cues": [[{"start": 0, "end": 5, "term": "threat*"}]]})
    >>> highlighted_text("<b> threat here", said)
    '&lt;b&gt; <mark>threa</mark>t here'
    """
    spans = sorted(_cue_spans(text, said))
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, at = [], 0
    for start, end in merged:
        out += [html.escape(text[at:start]), "<mark>", html.escape(text[start:end]), "</mark>"]
        at = end
    out.append(html.escape(text[at:]))
    return "".join(out).replace("\n", "  \n")


def _cue_spans(text: str, said: pd.DataFrame):
    for start, cues in zip(said.get("start", []), said.get("cues", []), strict=False):
        for cue in cues or []:
            try:
                begin, end = int(start) + int(cue["start"]), int(start) + int(cue["end"])
            except (KeyError, TypeError, ValueError):
                continue
            if 0 <= begin < end <= len(text):
                yield begin, end


def statements_table(said: pd.DataFrame) -> pd.DataFrame:
    """One article's statements as analysts read them, cues spelt out."""
    table = said.assign(pair=[pair_label(a, b, d) for a, b, d in
                              zip(said["source"], said["target"], said["directed"], strict=True)],
                        cues=said["cues"].map(cue_terms))
    return table[["pair", "rule", "confidence", "category", "hostility", "cooperation", "tension", "cues",
                  "quote", "sentence"]]


def day_text(day) -> str:
    return "undated" if pd.isna(day) else pd.Timestamp(day).date().isoformat()


def cue_terms(cues) -> str:
    """'pay dearly (0.85), warn* (0.6)': the cues of one statement for a table cell."""
    return ", ".join(f"{c.get('term', '?')} ({float(c.get('weight', 0)):.2f})" for c in cues or [])


# --- The database: its state, and cached read-only loaders. ---


@lru_cache(maxsize=8)
def engine_for(url: str):
    """One engine (with its pool) per URL for the life of the app process."""
    return store.make_engine(url)


def database_state(url: str) -> str:
    """"ok", "empty" (no schema or no data yet) or "unreachable: <one-line reason>"."""
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return "empty"  # do not create the file by looking at it
    try:
        from sqlalchemy import inspect

        engine = engine_for(url)
        if "articles" not in inspect(engine).get_table_names():
            return "empty"
        first, _ = queries.date_bounds(engine)
    except Exception as error:  # any driver, any failure: the page shows one line, not a traceback
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()
        return f"unreachable: {reason[0] if reason else type(error).__name__}"
    return "ok" if first is not None else "empty"


def load_sample(url: str) -> str:
    """Run the pipeline on data/sample into `url` (the one write the app may trigger) -> a summary."""
    from pipeline import runner
    from pipeline.score import load_resources

    engine = engine_for(url)
    store.upgrade(engine)
    summary = runner.run([str(SAMPLE_DIR)], engine, load_resources())
    clear_caches()
    return f"{summary.counts['stored']} articles stored, {summary.counts['daily_rows']} daily rows"


def clear_caches() -> None:
    import streamlit as st

    st.cache_data.clear()


def _cached(function):
    """st.cache_data on a pure loader: its arguments (URL and plain filter values) are the key."""
    import streamlit as st

    return st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)(function)


@_cached
def load_bounds(url: str) -> tuple[dt.date | None, dt.date | None]:
    return queries.date_bounds(engine_for(url))


@_cached
def load_headline(url: str, start: dt.date, end: dt.date) -> pd.DataFrame:
    return queries.headline_figures(engine_for(url), start, end)


@_cached
def load_top(url: str, start: dt.date, end: dt.date, limit: int = 50) -> pd.DataFrame:
    return queries.top_dyads(engine_for(url), start, end, limit=limit)


@_cached
def load_movers(url: str, start: dt.date, end: dt.date, limit: int = 50) -> pd.DataFrame:
    return queries.biggest_movers(engine_for(url), start, end, limit=limit)


@_cached
def load_matrix(url: str, start: dt.date, end: dt.date) -> pd.DataFrame:
    return queries.tension_matrix(engine_for(url), start, end)


@_cached
def load_series(url: str, start: dt.date, end: dt.date, pairs: tuple[tuple[str, str], ...]) -> pd.DataFrame:
    return queries.dyad_series(engine_for(url), start, end, pairs=list(pairs) or None)


@_cached
def load_quotes(url: str, start: dt.date, end: dt.date, pairs: tuple[tuple[str, str], ...] = (),
                categories: tuple[str, ...] = (), min_hostility: float = 0.0,
                limit: int = 200) -> pd.DataFrame:
    return queries.key_quotes(engine_for(url), start, end, pairs=list(pairs) or None,
                              categories=list(categories) or None, min_hostility=min_hostility,
                              limit=limit)


@_cached
def load_evidence(url: str, article_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    return queries.article_evidence(engine_for(url), article_id)


@_cached
def load_pair_options(url: str) -> list[tuple[str, str]]:
    """Every pair with daily rows, most tense first: the choices of the pair pickers."""
    top = queries.top_dyads(engine_for(url), None, None, limit=500)
    return list(dict.fromkeys(zip(top["source"], top["target"], strict=True)))


# --- The shared sidebar. ---


def sidebar_filters(first: dt.date | None, last: dt.date | None) -> tuple[Filters, dt.date, dt.date]:
    """Draw the filters in the sidebar from the URL (else this session's last choice), write the
    choice back to the URL, and return it with its concrete date range."""
    import streamlit as st

    params = st.query_params.to_dict()
    if not any(key in params for key in FILTER_KEYS):
        params = {**st.session_state.get("filter_params", {}), **params}
    f = filters_from_params(params)
    bar = st.sidebar
    bar.header("Filters")
    presets = list(PRESET_LABELS)
    preset = bar.selectbox("Period", presets, index=presets.index(f.preset),
                           format_func=PRESET_LABELS.get)
    start, end = resolve_range(replace(f, preset=preset), first, last)
    picked = bar.date_input("Dates", value=(start, end), min_value=min(first, start),
                            max_value=max(last, end),
                            format="YYYY-MM-DD")
    if isinstance(picked, tuple | list) and len(picked) == 2 and tuple(picked) != (start, end):
        preset, start, end = "custom", picked[0], picked[1]
    options = load_pair_options(database_url())
    codes = sorted({code for pair in options for code in pair} | set(f.countries))
    countries = bar.multiselect("Countries", codes, default=list(f.countries))
    pairs = bar.multiselect("Pairs", list(dict.fromkeys([*options, *f.pairs])), default=list(f.pairs),
                            format_func=lambda p: pair_label(*p))
    categories = bar.multiselect("Categories (quotes)", CATEGORIES, default=list(f.categories))
    min_hostility = bar.slider("Minimum hostility (quotes)", 0.0, 1.0, f.min_hostility, 0.05)
    chosen = Filters(start=start, end=end, preset=preset, countries=tuple(countries), pairs=tuple(pairs),
                     categories=tuple(categories), min_hostility=float(min_hostility))
    _write_params(filters_to_params(chosen))
    return chosen, start, end


def _write_params(new: dict[str, str]) -> None:
    """Put the filters in the URL, keeping page-only parameters (article=...)."""
    import streamlit as st

    st.session_state["filter_params"] = new
    keep = {k: v for k, v in st.query_params.to_dict().items() if k not in FILTER_KEYS}
    if st.query_params.to_dict() != {**keep, **new}:
        st.query_params.from_dict({**keep, **new})


def database_url() -> str:
    return store.database_url()


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


def require_data() -> tuple[str, dt.date, dt.date]:
    """(URL, first day, last day) of a database with data; otherwise explain on the page and stop:
    one error line for an unreachable database, the sample loader for an empty one."""
    import streamlit as st

    url = database_url()
    state = database_state(url)
    if state.startswith("unreachable"):
        st.error(f"Cannot reach the database {store.safe_url(url)}: {state.removeprefix('unreachable: ')}")
        st.stop()
    if state == "empty":
        st.info(f"The database {store.safe_url(url)} holds no articles yet. Build it from the sample "
                "corpus with `python -m pipeline run data/sample` (or your own files), or load the "
                "sample here.")
        if st.button("Load the sample corpus"):
            with st.spinner("Running the pipeline on data/sample ..."):
                st.success(load_sample(url))
            st.rerun()
        st.stop()
    first, last = load_bounds(url)
    return url, first, last
