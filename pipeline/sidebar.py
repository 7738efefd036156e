"""The sidebar every page shares: the filters, read from the URL (else this session's last choice)
and written back to it, so that a view can be bookmarked and sent. The pure logic of the filters
lives in pipeline.dashboard, the data they offer comes from pipeline.dashboard_io."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from pipeline import dashboard_io
from pipeline.categories import KIND_LABELS, KINDS, categories_of
from pipeline.dashboard import (
    FILTER_KEYS,
    PRESET_LABELS,
    Filters,
    filters_from_params,
    filters_to_params,
    kind_label,
    pair_label,
    resolve_range,
)

KIND_HELP = (f"{kind_label('words')}: what countries say of each other. {kind_label('deeds')}: what they "
             "do. The index, rankings, anomalies and quotes follow the choice.")


def filters(first: dt.date | None, last: dt.date | None) -> tuple[Filters, dt.date, dt.date]:
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
    kind = bar.radio("Rhetoric", KINDS, index=KINDS.index(f.kind), format_func=KIND_LABELS.get,
                     help=KIND_HELP)
    options = dashboard_io.load_pair_options(dashboard_io.database_url())
    codes = sorted({code for pair in options for code in pair} | set(f.countries))
    countries = bar.multiselect("Countries", codes, default=list(f.countries))
    pairs = bar.multiselect("Pairs", list(dict.fromkeys([*options, *f.pairs])), default=list(f.pairs),
                            format_func=lambda p: pair_label(*p))
    offered = categories_of(kind)  # a kind's quotes are of its categories alone
    categories = bar.multiselect("Categories (quotes)", offered,
                                 default=[c for c in f.categories if c in offered])
    min_hostility = bar.slider("Minimum hostility (quotes)", 0.0, 1.0, f.min_hostility, 0.05)
    chosen = Filters(start=start, end=end, preset=preset, kind=kind, countries=tuple(countries),
                     pairs=tuple(pairs), categories=tuple(categories), min_hostility=float(min_hostility))
    _write_params(filters_to_params(chosen))
    return chosen, start, end


def _write_params(new: dict[str, str]) -> None:
    """Put the filters in the URL, keeping page-only parameters (article=...)."""
    import streamlit as st

    st.session_state["filter_params"] = new
    keep = {k: v for k, v in st.query_params.to_dict().items() if k not in FILTER_KEYS}
    if st.query_params.to_dict() != {**keep, **new}:
        st.query_params.from_dict({**keep, **new})
