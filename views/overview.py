"""Overview: headline figures, the most hostile pairs, the biggest risers, anomalies, the heatmap."""

import streamlit as st

from pipeline import charts, sidebar, tables
from pipeline import dashboard as dash
from pipeline import dashboard_exports as exports
from pipeline import dashboard_io as app_io

st.set_page_config(page_title="Tension Tracker", page_icon="📈", layout="wide")
st.title(dash.HEADINGS["overview"])
# Figures to two decimals and days as days; the exports keep them whole.
COLUMNS = {"day": st.column_config.DateColumn(format="YYYY-MM-DD"),
           **{name: st.column_config.NumberColumn(format="%.2f") for name in
              ("rolling_7d", "mean_hostility", "max_hostility", "delta", "previous", "current")},
           "tension_index": st.column_config.NumberColumn(format="%.2f", help=dash.INDEX_HELP)}

url, first, last = app_io.require_data()
f, start, end = sidebar.filters(first, last)
before = dash.previous_period(start, end)
# Only against a period before that holds statements can a pair have risen.
earlier = first < start and app_io.load_has_daily_rows(url, *before, f.kind)
st.caption(f"{dash.period_caption(start, end, first, last, before if earlier else None)} "
           f"{dash.kind_label(f.kind)}.")

run = app_io.load_last_run(url)
if run:
    with st.expander(dash.freshness_label(run)):
        if run.get("failures"):
            st.caption("What the last run could not fetch (it goes on; the next run tries again):")
            st.dataframe({"failure": run["failures"]}, hide_index=True)
        st.caption("Stories stored by outlet (near-copies counted once), with each outlet's newest day:")
        st.dataframe(app_io.load_sources(url), hide_index=True)

view = app_io.load_period_view(url, start, end, f.kind, movers=earlier)
head = view.headline.iloc[0]
for column, (label, name) in zip(st.columns(4), [("Articles", "articles"), ("Statements", "statements"),
                                                 ("Pairs", "pairs"), ("Anomalies", "anomalies")],
                                 strict=True):
    column.metric(label, f"{int(head[name]):,}")
if f.countries:
    st.caption(f"Headline figures count every country; rankings, anomalies and the heatmap only pairs "
               f"with {', '.join(f.countries)}.")
if int(head["statements"]) == 0:
    st.info(f"No statements ({dash.kind_label(f.kind).lower()}) between {start} and {end}. Widen the "
            "period or change the rhetoric in the sidebar.")
    st.stop()

top = dash.with_countries(view.top, f.countries).head(10)
left, right = st.columns(2)
with left:
    st.subheader("Most hostile pairs")
    st.altair_chart(charts.ranking_chart(top), width="stretch")
    exports.download_row("top", top, f"most-hostile{dash.kind_stem(f.kind)}-{start}-{end}")
    st.dataframe(tables.ranking_table(top), hide_index=True, column_config=COLUMNS)
with right:
    st.subheader("Biggest risers")
    if not earlier:  # every pair would have "risen" from nothing: the ranking above again
        st.info(f"No statements between {before[0]} and {before[1]} to measure a rise against: pick "
                "a period with one of equal length before it, in the sidebar.")
    else:
        movers = dash.with_countries(view.movers, f.countries).head(10)
        st.altair_chart(charts.ranking_chart(movers, value="delta", label="Change in tension index"),
                        width="stretch")
        exports.download_row("movers", movers, f"risers{dash.kind_stem(f.kind)}-{start}-{end}")
        st.dataframe(tables.ranking_table(movers), hide_index=True, column_config=COLUMNS)

st.subheader("Anomalies flagged")
anomalies = dash.with_countries(app_io.load_anomalies(url, start, end, f.pairs, f.kind), f.countries)
if anomalies.empty:
    st.info("No pair-day in this period rose above its 28-day baseline by three standard deviations.")
else:
    st.caption(f"{len(anomalies):,} pair-days, the newest first.")
    st.dataframe(tables.anomalies_table(anomalies), hide_index=True, column_config=COLUMNS)

st.subheader("Who targets whom")
matrix = dash.with_countries(view.matrix, f.countries)
st.altair_chart(charts.heatmap_chart(matrix), width="stretch")
exports.download_row("matrix", matrix, f"who-targets-whom{dash.kind_stem(f.kind)}-{start}-{end}")

st.subheader("Open a pair")
options = list(dict.fromkeys(zip(top["source"], top["target"], strict=True))) or app_io.load_pair_options(url)
pair = st.selectbox("Pair", options, format_func=lambda p: dash.pair_label(*p))
if pair:
    params = dash.filters_to_params(dash.Filters(**{**f.__dict__, "pairs": (pair, pair[::-1])}))
    label = dash.pair_label(*pair)
    st.page_link("views/Timeline.py", label=f"Timeline of {label}", icon=":material/show_chart:",
                 query_params=params)
    st.page_link("views/Quotes.py", label=f"Key quotes of {label}", icon=":material/format_quote:",
                 query_params=params)
