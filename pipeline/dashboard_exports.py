"""The dashboard's downloads: each chart as PNG and SVG, its exact rows as CSV, the timeline's
one-page HTML report.

The images and the report are made when their button is clicked (Streamlit runs the function then,
on a thread of its own), not on every first render of a view: drawn up front with vl-convert, they
were most of a first render on the whole benchmark corpus, whole period: the overview's took 4.3 s
and takes 1.0 s without them (the heatmap of 3,560 pair cells alone took 2.4 s as PNG and 0.9 s as
SVG), the timeline's 4.1 s and now 1.2-1.6 s; all for files an analyst seldom takes. The CSVs cost
milliseconds and are handed over with the page.

No download reruns the page (on_click="ignore"): it changes nothing there, and a run started by the
click can replace the id of a file made on click while the browser asks for it (Streamlit says so
in remove_deferred). Before this, the browser test's download came to nothing twice in about ten
runs, with nothing in the server's log; none since, in six.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import NamedTuple

import altair as alt
import pandas as pd
import streamlit as st

from pipeline import __version__, charts, report

# The overview's charts by the name download_row is given, each drawn from its frame.
OVERVIEW_CHARTS: dict[str, Callable[[pd.DataFrame], alt.TopLevelMixin]] = {
    "top": charts.ranking_chart,
    "movers": partial(charts.ranking_chart, value="delta", label="Change in tension index"),
    "matrix": charts.heatmap_chart,
}


class ImageForm(NamedTuple):
    draw: Callable[[alt.TopLevelMixin], bytes | str]
    mime: str


IMAGES = {"png": ImageForm(charts.to_png, "image/png"), "svg": ImageForm(charts.to_svg, "image/svg+xml")}


def chart_image(chart: alt.TopLevelMixin, form: str) -> bytes | str:
    """The chart drawn as `form` (png or svg)."""
    return IMAGES[form].draw(chart)


def overview_image(kind: str, frame: pd.DataFrame, form: str) -> bytes | str:
    """One overview chart (`kind`: top, movers or matrix) of `frame`, drawn as `form`."""
    return chart_image(OVERVIEW_CHARTS[kind](frame), form)


def timeline_image(series: pd.DataFrame, quotes: pd.DataFrame, period: tuple[dt.date, dt.date],
                   form: str) -> bytes | str:
    """The timeline's chart (both directions of every pair in `series`) drawn as `form`."""
    return chart_image(charts.timeline_chart(series, quotes, period=period), form)


def timeline_report(title: str, described: dict[str, str], series: pd.DataFrame, quotes: pd.DataFrame,
                    period: tuple[dt.date, dt.date], read_at: dt.datetime) -> str:
    """The one-page HTML report of a timeline view, stamped with the time its page read the data
    (not that of the click, which may come long after: a click does not read the data again)."""
    chart = charts.timeline_chart(series, quotes, period=period)
    return report.report_html(title, described, chart, quotes, __version__, read_at)


def download_button(place, label: str, data, file_name: str, mime: str, **options) -> None:
    """A download button in `place` (st, or a column) that does not rerun the page when clicked;
    `data` is the file, or a function that makes it when the button is clicked."""
    place.download_button(label, data, file_name, mime, on_click="ignore", **options)


def download_row(kind: str, frame: pd.DataFrame, stem: str) -> None:
    """Three small buttons under an overview chart: the chart as PNG and SVG, its data as CSV."""
    png, svg, csv = st.columns(3)
    _image_buttons((png, svg), partial(overview_image, kind, frame), stem, label="{}", key=stem)
    download_button(csv, "CSV", charts.to_csv(frame), f"{stem}.csv", "text/csv", key=f"{stem}-csv")


def timeline_downloads(series: pd.DataFrame, quotes: pd.DataFrame, period: tuple[dt.date, dt.date],
                       title: str, described: dict[str, str], stem: str) -> None:
    """The timeline's exports: its chart (both directions of every pair) as PNG and SVG, the rows
    behind it as CSV, and the one-page HTML report of the view. The chart is built only for a file
    asked for (75 ms a render for a pair over the whole benchmark corpus)."""
    png, svg, csv = st.columns(3)
    _image_buttons((png, svg), partial(timeline_image, series, quotes, period), stem, label="Chart as {}")
    download_button(csv, "Data as CSV", charts.to_csv(series), f"{stem}.csv", "text/csv")
    page = partial(timeline_report, title, described, series, quotes, period, dt.datetime.now(dt.UTC))
    download_button(st, "One-page HTML report", page, f"{stem}.html", "text/html", type="primary")


def _image_buttons(places: tuple, image_as: Callable[[str], bytes | str], stem: str, label: str,
                   key: str | None = None) -> None:
    """A PNG and an SVG button, in `places`, whose file `image_as(form)` makes on click; `label` is
    a format string of the form's name, `key` (if any) prefixes the buttons' keys."""
    for place, form in zip(places, ("png", "svg"), strict=True):
        download_button(place, label.format(form.upper()), partial(image_as, form=form), f"{stem}.{form}",
                        IMAGES[form].mime, **({"key": f"{key}-{form}"} if key else {}))
