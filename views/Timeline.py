"""Timeline: the daily index of one or more pairs, A → B beside B → A, with exports."""

import streamlit as st

from pipeline import charts, sidebar
from pipeline import dashboard as dash
from pipeline import dashboard_exports as exports
from pipeline import dashboard_io as app_io

st.set_page_config(page_title="Timeline · Tension Tracker", page_icon="📈", layout="wide")
st.title(dash.HEADINGS["timeline"])

url, first, last = app_io.require_data()
f, start, end = sidebar.filters(first, last)
pairs = dash.pairs_both_ways(f.pairs or app_io.load_pair_options(url, f.kind)[:1])
st.caption(f"{start} to {end}. Directed statements only; pick pairs in the sidebar. "
           f"{dash.kind_label(f.kind)}.")

series = dash.directed(app_io.load_series(url, start, end, pairs, f.kind))
# Beside the whole, its two parts: whether what is done follows what is said.
apart = dash.directed(app_io.load_words_and_deeds(url, start, end, pairs)) if f.kind == dash.ALL else None
quotes = app_io.load_quotes(url, start, end, pairs, f.categories, f.min_hostility, limit=500, kind=f.kind)
if series.empty:
    st.info(f"No directed statements ({dash.kind_label(f.kind).lower()}) for "
            f"{', '.join(dash.pair_label(*p) for p in pairs)} between {start} and {end}. Widen the "
            "period, pick other pairs or change the rhetoric.")
    st.stop()

for pair in dash.unordered(pairs):
    columns = st.columns(2)
    for column, (source, target) in zip(columns, (pair, pair[::-1]), strict=True):
        with column:
            st.subheader(dash.pair_label(source, target))
            one = dash.of_pair(series, source, target)
            if one.empty:
                st.info("No directed statements this way in the period.")
            else:
                for panel in charts.timeline_panels(one, dash.of_pair(quotes, source, target), (start, end)):
                    st.altair_chart(panel, width="stretch")
                if apart is not None:
                    st.altair_chart(charts.kinds_chart(dash.of_pair(apart, source, target), (start, end)),
                                    width="stretch")

st.subheader("Export this view")
exports.timeline_downloads(
    series, quotes, (start, end),
    title=f"Tension, {dash.kind_label(f.kind).lower()}: {', '.join(dash.pair_label(*p) for p in pairs)}",
    described=dash.describe(f, start, end),
    stem=f"tension{dash.kind_stem(f.kind)}-{'_'.join(f'{a}-{b}' for a, b in pairs)}-{start}-{end}")
