"""DataFrames of `pipeline.queries` -> Altair charts, and charts -> PNG, SVG; frames -> CSV.

Pure functions: no Streamlit, no I/O, no global Altair settings (an export lifts Altair's row limit
for its own call only). Every chart has a title and tooltips; an empty frame gives a chart saying
so, never an exception. Tension is drawn on one diverging scale everywhere: red is hostile, blue
cooperative, white the neutral 0. Pairs read "A → B" when directed and "A – B" when not, as in
`pipeline.dashboard.pair_label`.

Example::

    series = queries.dyad_series(engine, "2019-12-01", "2019-12-31", pairs=[("PRK", "USA"), ("USA", "PRK")])
    quotes = queries.key_quotes(engine, "2019-12-01", "2019-12-31", pairs=[("PRK", "USA")])
    chart = timeline_chart(series, quotes)
    png = to_png(chart)
"""

from __future__ import annotations

import datetime as dt
import sys
import threading

import altair as alt
import pandas as pd
import vl_convert

from pipeline.categories import KIND_LABELS

# One colour per direction; Tableau 10 without its red and pink, which mark anomalies.
PAIR_COLOURS = ["#4c78a8", "#f58518", "#54a24b", "#b279a2", "#72b7b2", "#eeca3b", "#9d755d", "#bab0ac"]
ANOMALY_COLOUR = "#d62728"
EXPORT_WIDTH = 720  # "container" has no container outside a browser; exports get this many pixels
QUOTE_CHARS = 200  # a tooltip is no place for a whole sentence
INDEX_HEIGHT, VOLUME_HEIGHT = 260, 80  # pixels of the timeline's plots, axes and titles not counted
KINDS_HEIGHT = 160
# Words in the blue of talk, deeds in the brown of the ground (not the red of anomalies).
KIND_COLOURS = {KIND_LABELS["words"]: "#4c78a8", KIND_LABELS["deeds"]: "#9d755d"}
MIN_BAR_PIXELS = 2
# A chart on a page fills its column's width and takes the height it needs beside its plot's.
FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")
RANKED_EXTRAS = ("statements", "articles", "days", "anomalies", "previous", "current", "delta")


def timeline_chart(series: pd.DataFrame, quotes: pd.DataFrame | None = None,
                   period: tuple[dt.date, dt.date] | None = None) -> alt.VConcatChart:
    """The daily tension index (points), its 7-day mean (line) and anomaly days (red rings) of each
    direction of each pair in `series` (`queries.dyad_series`), over statements per day (bars).

    Returns an `alt.VConcatChart` (the index above, the volume below, sharing the day axis). When
    `quotes` (`queries.key_quotes`) is given, each day's tooltip carries the most hostile quote of
    that day and direction. When `period` (first day, last day) is given, the day axis spans it,
    whatever days hold statements: charts of the same period, side by side, share their time axis.
    """
    title = "Tension index by day"
    if series.empty:
        return alt.vconcat(_empty(title))
    frame = _with_top_quote(_with_pair(series), quotes)
    colour = alt.Color("pair:N", title="Direction", scale=alt.Scale(range=PAIR_COLOURS))
    day = _day_axis(period)
    tooltip = [alt.Tooltip("day:T", title="Day"), alt.Tooltip("pair:N", title="Pair"),
               alt.Tooltip("tension_index:Q", title="Tension index", format=".1f"),
               alt.Tooltip("rolling_7d:Q", title="7-day mean", format=".1f"),
               alt.Tooltip("statements:Q", title="Statements"), alt.Tooltip("articles:Q", title="Stories"),
               alt.Tooltip("top_quote:N", title="Top quote"), alt.Tooltip("quote_outlet:N", title="Outlet")]
    base = alt.Chart(frame).encode(x=day, color=colour)
    index = alt.Y("tension_index:Q", title="Tension index")
    points = base.mark_circle(size=45, opacity=0.7).encode(y=index, tooltip=tooltip)
    # The 7-day line breaks where a pair fell quiet: drawn across a gap it would invent tension.
    line = (alt.Chart(_with_gaps(frame)).encode(x=day, color=colour)
            .mark_line(strokeWidth=2, point=alt.OverlayMarkDef(size=12, filled=True))
            .encode(y=alt.Y("rolling_7d:Q"), tooltip=tooltip))
    rings = (base.transform_filter(alt.datum.anomaly)
             .mark_point(shape="circle", size=220, filled=False, strokeWidth=2)
             .encode(y=index, color=alt.value(ANOMALY_COLOUR), tooltip=tooltip))
    zero = alt.Chart(pd.DataFrame({"zero": [0]})).mark_rule(color="#888", strokeDash=[3, 3]).encode(
        y="zero:Q")
    subtitle = "dots: day · line: 7-day mean · red ring: anomaly (above 28-day mean + 3 sd)"
    top = alt.layer(zero, points, line, rings).properties(
        width="container", height=INDEX_HEIGHT, title=alt.Title(title, subtitle=subtitle))
    volume = base.mark_bar(opacity=0.8, width=alt.RelativeBandSize(0.8)).encode(
        y=alt.Y("statements:Q", title="Statements", stack=True,
                axis=alt.Axis(tickMinStep=1, format="d")),  # counts: no tick at half a statement
        tooltip=tooltip,
    ).properties(width="container", height=VOLUME_HEIGHT, title="Statements per day")
    return _thick_bars(alt.vconcat(top, volume).resolve_scale(x="shared", color="shared"))


def timeline_panels(series: pd.DataFrame, quotes: pd.DataFrame | None = None,
                    period: tuple[dt.date, dt.date] | None = None) -> list:
    """The two panels of `timeline_chart` as separate charts, for a page: a browser sizes a single
    view to its column, while a concatenation with "container" widths overflows it. Each is fitted
    to its column's width only: Streamlit would fit title, axes and plot into the panel's height,
    leaving the volume plot a strip a few pixels high."""
    panels = timeline_chart(series, quotes, period).vconcat
    return [_thick_bars(panel.properties(autosize=FIT_WIDTH)) for panel in panels]


def kinds_chart(apart: pd.DataFrame, period: tuple[dt.date, dt.date] | None = None) -> alt.Chart:
    """The words and the deeds of one direction apart (`queries.dyad_series` rows of both kinds): each
    kind's daily index (dots) and 7-day mean (line), on the day axis of `timeline_chart`, so that an
    analyst sees whether what is done follows what is said."""
    title = "Words and deeds apart"
    if apart.empty:
        return _empty(title)
    frame = apart.assign(pair=apart["kind"].map(KIND_LABELS))
    colour = alt.Color("pair:N", title="Rhetoric", scale=alt.Scale(domain=list(KIND_COLOURS),
                                                                  range=list(KIND_COLOURS.values())))
    day = _day_axis(period)
    tooltip = [alt.Tooltip("day:T", title="Day"), alt.Tooltip("pair:N", title="Rhetoric"),
               alt.Tooltip("tension_index:Q", title="Tension index", format=".1f"),
               alt.Tooltip("rolling_7d:Q", title="7-day mean", format=".1f"),
               alt.Tooltip("statements:Q", title="Statements")]
    points = alt.Chart(frame).mark_circle(size=40, opacity=0.8).encode(
        x=day, y=alt.Y("tension_index:Q", title="Tension index"), color=colour, tooltip=tooltip)
    line = alt.Chart(_with_gaps(frame)).mark_line(
        strokeWidth=2, point=alt.OverlayMarkDef(size=12, filled=True),  # a lone day is a dot, not nothing
    ).encode(x=day, y="rolling_7d:Q", color=colour, tooltip=tooltip)
    return alt.layer(points, line).properties(  # fitted to its column's width only, as timeline_panels
        width="container", height=KINDS_HEIGHT, autosize=FIT_WIDTH,
        title=alt.Title(title, subtitle="dots: day · line: 7-day mean of each kind"))


def _day_axis(period: tuple[dt.date, dt.date] | None) -> alt.X:
    """The day axis of the timeline's charts. A day is a band, not an instant: bars fill it and the
    axis never ticks hours; with a `period`, it spans that period (_day_scale)."""
    return alt.X("yearmonthdate(day):T", title=None, bandPosition=0.5, scale=_day_scale(period),
                 axis=alt.Axis(format="%d %b %Y", labelAngle=0))


def _day_scale(period: tuple[dt.date, dt.date] | None) -> alt.Scale:
    """A day scale from the first day's start to the last day's end (a day is a band: a domain up to
    the next midnight would tick the day after the period), or the data's own extent without a period.
    DateTime is the browser's local time, as the days of the data are."""
    if period is None:
        return alt.Scale()
    first, last = period
    return alt.Scale(domain=[alt.DateTime(year=first.year, month=first.month, date=first.day),
                             alt.DateTime(year=last.year, month=last.month, date=last.day,
                                          hours=23, minutes=59, seconds=59)])


def _thick_bars(chart):
    """A day's bar never thinner than MIN_BAR_PIXELS (over years it would be a fraction of a pixel).
    Vega-Lite takes this from the top level's config only, not from the mark."""
    return chart.configure_bar(minBandSize=MIN_BAR_PIXELS)


def heatmap_chart(matrix: pd.DataFrame) -> alt.Chart:
    """Mean tension of source (rows) towards target (columns) from `queries.tension_matrix`."""
    title = "Mean tension, source → target"
    if matrix.empty:
        return _empty(title)
    return alt.Chart(matrix).mark_rect(stroke="white").encode(
        x=alt.X("target:N", title="Target", sort="ascending"),
        y=alt.Y("source:N", title="Source", sort="ascending"),
        color=alt.Color("mean_tension:Q", title="Mean tension", scale=tension_scale(matrix["mean_tension"])),
        tooltip=[alt.Tooltip("source:N", title="Source"), alt.Tooltip("target:N", title="Target"),
                 alt.Tooltip("mean_tension:Q", title="Mean tension", format=".2f"),
                 alt.Tooltip("statements:Q", title="Statements"),
                 alt.Tooltip("tension_index:Q", title="Tension index of the period", format=".2f")],
    ).properties(width="container", title=title)


def ranking_chart(frame: pd.DataFrame, value: str = "tension_index",
                  label: str = "Tension index") -> alt.Chart:
    """Horizontal bars of `value` per pair, largest first, for `queries.top_dyads` or
    `queries.biggest_movers` (e.g. value="delta", label="Change in tension index")."""
    title = f"{label} by pair"
    if frame.empty:
        return _empty(title)
    if value not in frame:
        raise ValueError(f"ranking_chart: no column {value!r} in {list(frame.columns)}")
    data = _with_pair(frame)
    extras = [alt.Tooltip(f"{name}:Q", title=name.capitalize(), format=",.4~f")
              for name in RANKED_EXTRAS if name in data and name != value]
    return alt.Chart(data).mark_bar().encode(
        y=alt.Y("pair:N", title=None, sort="-x"),
        x=alt.X(f"{value}:Q", title=label),
        color=alt.Color(f"{value}:Q", title=label, scale=tension_scale(data[value]), legend=None),
        tooltip=[alt.Tooltip("pair:N", title="Pair"), alt.Tooltip(f"{value}:Q", title=label, format=".2f"),
                 *extras],
    ).properties(width="container", title=title)


def tension_scale(values: pd.Series) -> alt.Scale:
    """Red for hostile, blue for cooperative, white at 0: a domain symmetric about 0, so a colour
    means the same on either side and a small positive value never looks neutral.

    >>> tension_scale(pd.Series([-0.2, 0.6])).to_dict()
    {'domain': [-0.6, 0.6], 'reverse': True, 'scheme': 'redblue'}
    """
    reach = float(values.abs().max()) if len(values) else 0.0
    reach = reach if reach > 0 and pd.notna(reach) else 1.0
    return alt.Scale(scheme="redblue", reverse=True, domain=[-reach, reach])


def to_png(chart: alt.TopLevelMixin, scale: float = 2.0) -> bytes:
    """The chart as PNG bytes, rendered offline by vl-convert."""
    return vl_convert.vegalite_to_png(export_spec(chart), scale=scale, allowed_base_urls=[])


def to_svg(chart: alt.TopLevelMixin) -> str:
    """The chart as an SVG document (a string starting with "<svg"); its text is XML-escaped."""
    return vl_convert.vegalite_to_svg(export_spec(chart), allowed_base_urls=[])


def to_csv(frame: pd.DataFrame) -> bytes:
    """The frame as UTF-8 CSV without the index."""
    return frame.to_csv(index=False).encode("utf-8")


def _empty(title: str) -> alt.Chart:
    message = pd.DataFrame({"text": ["No data for this selection"]})
    return alt.Chart(message).mark_text(size=14, color="#666").encode(text="text:N").properties(
        width="container", height=80, title=title)


def _with_pair(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with `pair`: "A → B" when directed, "A – B" when not (no `directed` means directed)."""
    directed = frame["directed"] if "directed" in frame else pd.Series(True, index=frame.index)
    arrows = directed.astype(bool).map({True: " → ", False: " – "})
    return frame.assign(pair=frame["source"].astype(str) + arrows + frame["target"].astype(str))


def _with_top_quote(frame: pd.DataFrame, quotes: pd.DataFrame | None) -> pd.DataFrame:
    """Adds `top_quote` and `quote_outlet`: the most hostile quote of each (day, source, target)."""
    frame = frame.assign(day=pd.to_datetime(frame["day"]).dt.normalize())
    if quotes is None or quotes.empty:
        return frame.assign(top_quote="", quote_outlet="")
    text = quotes["excerpt"] if "excerpt" in quotes else quotes["quote"].fillna(quotes["sentence"])
    top = (quotes.assign(day=pd.to_datetime(quotes["day"]).dt.normalize(), top_quote=text.map(_shorten),
                         quote_outlet=quotes.get("outlet", ""))
           .sort_values("hostility", ascending=False, kind="stable")
           .drop_duplicates(["day", "source", "target"])[["day", "source", "target", "top_quote",
                                                          "quote_outlet"]])
    merged = frame.merge(top, on=["day", "source", "target"], how="left")
    return merged.fillna({"top_quote": "", "quote_outlet": ""})


def _with_gaps(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame plus, after each day whose pair is quiet the next day, a row with no rolling_7d;
    Vega-Lite breaks a line at such a row instead of joining days with nothing known between."""
    frame = frame.sort_values(["pair", "day"])
    next_day = frame.groupby("pair")["day"].shift(-1)
    quiet = frame[next_day.isna() | (next_day - frame["day"] > pd.Timedelta(days=1))]
    gaps = quiet[["pair", "day"]].assign(day=quiet["day"] + pd.Timedelta(days=1), rolling_7d=float("nan"))
    return pd.concat([frame, gaps], ignore_index=True).sort_values(["pair", "day"], ignore_index=True)


def _shorten(text) -> str:
    text = "" if pd.isna(text) else str(text)
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1].rstrip() + "…"


def export_spec(chart: alt.TopLevelMixin) -> dict:
    """The chart's Vega-Lite spec with every width "container" fixed, for rendering off-browser.

    Altair refuses frames over 5,000 rows by default (Streamlit lifts that for its own rendering);
    an export of a long series must not fail where the page showed it, so the limit is lifted here
    too, for this call only."""
    def fix(node):
        if isinstance(node, dict):
            return {key: EXPORT_WIDTH if key == "width" and item == "container" else fix(item)
                    for key, item in node.items()}
        if isinstance(node, list):
            return [fix(item) for item in node]
        return node
    with _altair_settings_lock():
        return fix(_dict_without_row_limit(chart))


# Altair's data transformer and theme are settings of the whole process. Streamlit changes them
# under its own lock while it draws a chart on a page's thread (streamlit.elements.vega_charts), and
# a file made on click is drawn on another thread meanwhile: without that lock, 169 of 200 exports
# drawn beside a page came out without their rows (the page's transformer swapped them for a
# reference). Outside the dashboard, a lock of this module's own.
_EXPORT_LOCK = threading.Lock()


def _altair_settings_lock() -> threading.Lock:
    drawing = sys.modules.get("streamlit.elements.vega_charts")
    return getattr(drawing, "_altair_globals_lock", _EXPORT_LOCK)


def _dict_without_row_limit(chart: alt.TopLevelMixin) -> dict:
    """chart.to_dict() with Altair's row limit lifted for the call, the caller holding the lock.
    Lifted and put back by hand, not with Altair's context manager: leaving that puts the whole
    registry back as it was, dropping the transformer Streamlit registers (outside its lock) just
    before it draws, whose page then failed (NoSuchEntryPoint)."""
    registry = alt.data_transformers
    active, options = registry.active, dict(registry.options)
    registry.enable(active, **{**options, "max_rows": None})
    try:
        return chart.to_dict()
    finally:
        registry.enable(active, **options)
