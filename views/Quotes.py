"""Key quotes: the most hostile statements behind the index, copies folded, each with its evidence."""

import streamlit as st

from pipeline import charts, sidebar, tables
from pipeline import dashboard as dash
from pipeline import dashboard_exports as exports
from pipeline import dashboard_io as app_io

st.set_page_config(page_title="Quotes · Tension Tracker", page_icon="💬", layout="wide")
st.title(dash.HEADINGS["quotes"])

url, first, last = app_io.require_data()
f, start, end = sidebar.filters(first, last)
quotes = dash.with_countries(
    app_io.load_quotes(url, start, end, dash.pairs_both_ways(f.pairs), f.categories, f.min_hostility,
                       kind=f.kind),
    f.countries)
st.caption(f"{start} to {end}; most hostile first; syndicated copies and repeated quotes folded. "
           f"{dash.kind_label(f.kind)}.")
if quotes.empty:
    st.info(f"No statements match these filters between {start} and {end}.")
    st.stop()

table = tables.quotes_table(quotes)
st.dataframe(table, hide_index=True, column_order=("day", "pair", "category", "hostility", "url", "excerpt",
                                                   "outlet", "rule", "confidence"), column_config={
    "day": st.column_config.DateColumn("Date", format="YYYY-MM-DD"),
    "pair": "Source → target",
    "category": "Category",
    "hostility": st.column_config.ProgressColumn("Hostility", min_value=0.0, max_value=1.0, format="%.2f"),
    "excerpt": st.column_config.TextColumn("Quote", width="large"),
    "outlet": "Outlet",
    "url": st.column_config.LinkColumn("Link", display_text="open"),
    "rule": st.column_config.TextColumn("Found by", help=dash.RULE_HELP),
    "confidence": st.column_config.NumberColumn("Confidence", format="%.2f", help=dash.RULE_HELP),
})
exports.download_button(st, "Quotes as CSV", charts.to_csv(table),
                        f"quotes{dash.kind_stem(f.kind)}-{start}-{end}.csv", "text/csv")

st.subheader("Evidence")
ids = list(dict.fromkeys(quotes["article_id"]))
titles = dict(zip(quotes["article_id"], quotes["title"].fillna("(untitled)"), strict=False))
article = st.selectbox("Article", ids, format_func=lambda i: f"{titles.get(i, i)} · {i[:10]}")
if article:
    st.page_link("views/Evidence.py", label="Open its evidence: text, cues and statements",
                 icon=":material/search:",
                 query_params={**dash.filters_to_params(f), "article": article})
