"""The Timeline page's export files, rendered once per view and cached.

Rendering a chart to PNG and SVG (vl-convert) and writing the report costs more than the queries
behind them; cached on the plain values of the view, a page rerun (any widget touched) is instant.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from pipeline import __version__, charts, report
from pipeline import dashboard as dash


@st.cache_data(ttl=dash.CACHE_SECONDS, show_spinner=False)
def timeline_files(url: str, start: dt.date, end: dt.date, pairs: tuple[tuple[str, str], ...],
                   categories: tuple[str, ...], min_hostility: float,
                   described: tuple[tuple[str, str], ...]) -> dict[str, bytes | str]:
    """PNG, SVG, CSV and the HTML report of the timeline of `pairs` (keys png, svg, csv, html)."""
    series = dash.directed(dash.load_series(url, start, end, pairs))
    quotes = dash.load_quotes(url, start, end, pairs, categories, min_hostility, limit=500)
    chart = charts.timeline_chart(series, quotes)
    title = f"Tension: {', '.join(dash.pair_label(*p) for p in pairs)}"
    page = report.report_html(title, dict(described), chart, quotes, __version__, dt.datetime.now(dt.UTC))
    return {"png": charts.to_png(chart), "svg": charts.to_svg(chart), "csv": charts.to_csv(series),
            "html": page}
