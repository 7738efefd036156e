"""Export files of the dashboard's charts, rendered once per view and cached.

Rendering a chart to PNG and SVG (vl-convert) and writing the report costs more than the queries
behind them; cached on the plain values of the view, a page rerun (any widget touched) is instant.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from pipeline import __version__, charts, report
from pipeline import dashboard as dash
from pipeline import dashboard_io as app_io
from pipeline.categories import ALL


@st.cache_data(ttl=dash.CACHE_SECONDS, show_spinner=False)
def timeline_files(url: str, start: dt.date, end: dt.date, pairs: tuple[tuple[str, str], ...],
                   categories: tuple[str, ...], min_hostility: float,
                   described: tuple[tuple[str, str], ...], kind: str = ALL) -> dict[str, bytes | str]:
    """PNG, SVG, CSV and the HTML report of the timeline of `pairs` (keys png, svg, csv, html)."""
    series = dash.directed(app_io.load_series(url, start, end, pairs, kind))
    quotes = app_io.load_quotes(url, start, end, pairs, categories, min_hostility, limit=500, kind=kind)
    chart = charts.timeline_chart(series, quotes, period=(start, end))
    title = f"Tension, {dash.kind_label(kind).lower()}: {', '.join(dash.pair_label(*p) for p in pairs)}"
    page = report.report_html(title, dict(described), chart, quotes, __version__, dt.datetime.now(dt.UTC))
    return {"png": charts.to_png(chart), "svg": charts.to_svg(chart), "csv": charts.to_csv(series),
            "html": page}


@st.cache_data(ttl=dash.CACHE_SECONDS, show_spinner=False)
def chart_files(kind: str, frame: pd.DataFrame) -> dict[str, bytes | str]:
    """PNG, SVG and CSV of one overview chart: `kind` is top, movers or matrix; `frame` its data."""
    build = {
        "top": lambda: charts.ranking_chart(frame),
        "movers": lambda: charts.ranking_chart(frame, value="delta", label="Change in tension index"),
        "matrix": lambda: charts.heatmap_chart(frame),
    }[kind]
    chart = build()
    return {"png": charts.to_png(chart), "svg": charts.to_svg(chart), "csv": charts.to_csv(frame)}


def download_row(kind: str, frame: pd.DataFrame, stem: str) -> None:
    """Three small buttons under a chart: the chart as PNG and SVG, its exact data as CSV."""
    files = chart_files(kind, frame)
    for column, (label, key, mime) in zip(
        st.columns(3),
        [("PNG", "png", "image/png"), ("SVG", "svg", "image/svg+xml"), ("CSV", "csv", "text/csv")],
        strict=True,
    ):
        column.download_button(label, files[key], f"{stem}.{key}", mime, key=f"{stem}-{key}")
