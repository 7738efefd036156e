"""The dashboard's side effects: cached read-only data access, the database's state, the sample
loader and the empty and broken screens. The shared sidebar of filters is pipeline.sidebar; the pure
filter logic they use lives in pipeline.dashboard."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache, partial, wraps

import pandas as pd
from sqlalchemy.pool import SingletonThreadPool, StaticPool

from pipeline import queries, settings, store
from pipeline.categories import ALL, KINDS
from pipeline.dashboard import (
    CACHED_VIEWS,
    KEEP_SECONDS,
    RUNNING_SECONDS,
    SAMPLE_DIR,
)

# --- The database: its state, and cached read-only loaders. ---


@lru_cache(maxsize=8)
def engine_for(url: str):
    """One engine (with its pool) per URL for the life of the app process."""
    return store.make_engine(url)


def database_state(url: str) -> str:
    """"ok", "empty" (no schema or no data yet), "older: <why>" or "newer: <why>" (a schema this
    version does not read, pipeline.database.schema_lag) or "unreachable: <one-line reason>"."""
    if settings.missing_sqlite_file(url):
        return "empty"  # do not create the file by looking at it
    try:
        from sqlalchemy import inspect

        engine = engine_for(url)
        if "articles" not in inspect(engine).get_table_names():
            return "empty"
        if lag := store.schema_lag(engine):
            return f"{'older' if lag.older else 'newer'}: {lag.message}"
        first, _ = load_bounds(url)  # the bounds require_data returns: read once a data version
    except Exception as error:  # any driver, any failure: the page shows one line, not a traceback
        return f"unreachable: {store.unreachable(url, error)}"
    return "ok" if first is not None else "empty"


def load_sample(url: str) -> str:
    """Run the pipeline on data/sample into `url` (the one write the app may trigger) -> a summary.
    As the command line does, it takes the run lock before it creates the schema: RunLockError
    while a run holds the database (the first run of a back-fill leaves it "empty" for a while)."""
    from pipeline import runner
    from pipeline.run_lock import exclusive_run
    from pipeline.score import load_resources

    engine = engine_for(url)
    with exclusive_run(engine):
        store.upgrade(engine)
        summary = runner.run([str(SAMPLE_DIR)], engine, load_resources())
    clear_caches()
    return f"{summary.counts['stored']} articles stored, {summary.counts['daily_rows']} daily rows"


def upgrade_database(url: str) -> str:
    """What `python -m pipeline upgrade` does, from the page: the schema brought to this version's
    and the days of the daily index its migrations marked rebuilt, under the run lock (RunLockError
    while a run holds the database) -> a summary."""
    from pipeline import daily
    from pipeline.run_lock import exclusive_run

    engine = engine_for(url)
    with exclusive_run(engine):
        summary = daily.upgrade(engine)
    clear_caches()
    return _as_sentence(summary)


def clear_caches() -> None:
    import streamlit as st

    st.cache_data.clear()


def data_version(url: str) -> tuple:
    """The version every loader reads under (queries.data_version); while a run writes, the minute
    too, so that what it stored so far shows within RUNNING_SECONDS."""
    version = queries.data_version(engine_for(url))
    if "running" in version:
        return (*version, int(time.time() // RUNNING_SECONDS))
    return version


def _cached(function):
    """st.cache_data on a pure loader, keyed on its arguments (URL and plain filter values) and the
    data's version: a view is read again after a run, not every minute (the whole period's pair
    list took 0.9 s of each page's first render a minute, over a million statements). The version is
    passed by name, after the loader's own arguments, which Streamlit hashes by their names."""
    import streamlit as st

    # @wraps: Streamlit keys a cache on the function's name and source (it follows __wrapped__), so
    # each loader keeps its own; without it every loader's wrapper would share one.
    @wraps(function)
    def of_version(*args, data_version: tuple, **kwargs):
        return function(*args, **kwargs)

    cached = st.cache_data(ttl=KEEP_SECONDS, max_entries=CACHED_VIEWS, show_spinner=False)(of_version)

    @wraps(function)
    def load(url: str, *args, **kwargs):
        return cached(url, *args, data_version=data_version(url), **kwargs)

    return load


@_cached
def load_bounds(url: str) -> tuple[dt.date | None, dt.date | None]:
    return queries.date_bounds(engine_for(url))


@_cached
def load_has_daily_rows(url: str, start: dt.date, end: dt.date, kind: str = ALL) -> bool:
    return queries.has_daily_rows(engine_for(url), start, end, kind=kind)


@dataclass(frozen=True)
class PeriodView:
    """What the overview reads of a period: the headline figures, the pairs ranked (top_dyads), the
    risers (biggest_movers; None when not asked for) and the heatmap's cells (tension_matrix)."""

    headline: pd.DataFrame
    top: pd.DataFrame
    movers: pd.DataFrame | None
    matrix: pd.DataFrame


@_cached
def load_period_view(url: str, start: dt.date, end: dt.date, kind: str = ALL, movers: bool = True,
                     limit: int = 50) -> PeriodView:
    """The overview's reads of [start, end], at once, each on a connection of its own: each is an
    aggregate over the period's rows, which the database computes while the others wait on theirs
    (SQLite's module and PostgreSQL's driver let go of the interpreter meanwhile). Over the whole
    period of a million statements they took 1.9 s one after the other (docs/measurements.md)."""
    engine = engine_for(url)
    reads = {"headline": partial(queries.headline_figures, engine, start, end, kind=kind),
             "top": partial(queries.top_dyads, engine, start, end, limit=limit, kind=kind),
             "matrix": partial(queries.tension_matrix, engine, start, end, kind=kind)}
    if movers:  # none before the data's first day: the whole period has nothing to rise from
        reads["movers"] = partial(queries.biggest_movers, engine, start, end, limit=limit, kind=kind)
    found = _read_at_once(engine, reads)
    return PeriodView(found["headline"], found["top"], found.get("movers"), found["matrix"])


def _read_at_once(engine, reads: dict[str, Callable[[], pd.DataFrame]]) -> dict[str, pd.DataFrame]:
    """Each of `reads` called on a thread of its own, by name; here, one after the other, where the
    engine's pool gives each thread a connection, and so a database, of its own (SQLite in memory:
    only the thread that wrote it can read it)."""
    if isinstance(engine.pool, SingletonThreadPool | StaticPool):
        return {name: read() for name, read in reads.items()}
    with ThreadPoolExecutor(len(reads), thread_name_prefix="period-read") as pool:
        running = {name: pool.submit(read) for name, read in reads.items()}
        return {name: future.result() for name, future in running.items()}


@_cached
def load_series(url: str, start: dt.date, end: dt.date, pairs: tuple[tuple[str, str], ...],
                kind: str = ALL) -> pd.DataFrame:
    return queries.dyad_series(engine_for(url), start, end, pairs=list(pairs) or None, kind=kind)


@_cached
def load_words_and_deeds(url: str, start: dt.date, end: dt.date,
                         pairs: tuple[tuple[str, str], ...]) -> pd.DataFrame:
    """The series of the words and of the deeds of `pairs` in one frame, told apart by `kind`."""
    engine = engine_for(url)
    return pd.concat([queries.dyad_series(engine, start, end, pairs=list(pairs) or None, kind=kind)
                      for kind in KINDS[1:]], ignore_index=True)


@_cached
def load_anomalies(url: str, start: dt.date, end: dt.date,
                   pairs: tuple[tuple[str, str], ...], kind: str = ALL) -> pd.DataFrame:
    return queries.anomalous_days(engine_for(url), start, end, pairs=list(pairs) or None, kind=kind)


@_cached
def load_quotes(url: str, start: dt.date, end: dt.date, pairs: tuple[tuple[str, str], ...] = (),
                categories: tuple[str, ...] = (), min_hostility: float = 0.0,
                limit: int = 200, kind: str = ALL) -> pd.DataFrame:
    return queries.key_quotes(engine_for(url), start, end, pairs=list(pairs) or None,
                              categories=list(categories) or None, min_hostility=min_hostility,
                              limit=limit, kind=kind)


@_cached
def load_evidence(url: str, article_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    return queries.article_evidence(engine_for(url), article_id)


@_cached
def load_last_run(url: str) -> dict | None:
    return queries.last_run(engine_for(url))


@_cached
def load_sources(url: str) -> pd.DataFrame:
    return queries.articles_per_source(engine_for(url))


@_cached
def load_pair_options(url: str, kind: str = ALL) -> list[tuple[str, str]]:
    """Every pair with daily rows (of `kind`), most tense first: the choices of the pair pickers. The
    sidebar reads it on every render of every page, once for each version of the data, from the pairs'
    totals (summing the kind's daily rows instead, 397,000 of them over a million statements, took
    1.1-1.4 s)."""
    top = queries.ranked_pairs(engine_for(url), kind, limit=500)
    return list(dict.fromkeys(zip(top["source"], top["target"], strict=True)))


def database_url() -> str:
    return store.database_url()


def _as_sentence(message: str) -> str:
    """An error's one-line message ("cannot reach ...") as the page shows it: capitalised."""
    return message[:1].upper() + message[1:]


def _offer_upgrade(url: str, lag: str, message: str) -> None:
    """Say why the database cannot be read, offer to upgrade an older one, and stop the page."""
    import streamlit as st

    st.warning(f"The database {store.safe_url(url)} cannot be read as it is: {message}.")
    if lag == "older" and st.button("Upgrade the database"):
        _write_guarded(url, lambda: upgrade_database(url), "Upgrading the database ...")
    st.stop()


def _write_guarded(url: str, write, doing: str) -> None:
    """The app's one kind of write (load the sample, upgrade): a success line and a fresh render;
    while a run holds the database, a warning; when the lock, a data file or the database fails, one
    error line."""
    import streamlit as st
    from sqlalchemy.exc import SQLAlchemyError

    from pipeline.datafiles import DataFileError
    from pipeline.run_lock import LockFileError, RunLockError

    try:
        with st.spinner(doing):
            st.success(write())
    except RunLockError as refused:
        st.warning(_as_sentence(str(refused)))
        st.stop()
    except (LockFileError, DataFileError) as error:  # a data file edited by hand: its file and line
        st.error(_as_sentence(str(error)))
        st.stop()
    except SQLAlchemyError as error:
        st.error(_as_sentence(store.unreachable(url, error)))
        st.stop()
    st.rerun()


def require_data() -> tuple[str, dt.date, dt.date]:
    """(URL, first day, last day) of a database with data; otherwise explain on the page and stop:
    one error line for an unreachable database, the sample loader for an empty one."""
    import streamlit as st

    url = database_url()
    state = database_state(url)
    if state.startswith("unreachable"):
        message = state.removeprefix("unreachable: ")
        st.error(_as_sentence(message))
        st.stop()
    if state.startswith(("older: ", "newer: ")):
        _offer_upgrade(url, *state.split(": ", 1))
    if state == "empty":
        st.info(f"The database {store.safe_url(url)} holds no articles yet. Build it from the sample "
                "corpus with `python -m pipeline run data/sample` (or your own files), or load the "
                "sample here.")
        if st.button("Load the sample corpus"):
            _write_guarded(url, lambda: load_sample(url), "Running the pipeline on data/sample ...")
        st.stop()
    first, last = load_bounds(url)
    return url, first, last
