"""Evidence: one article, its text with the matched cues marked, and the statements read from it."""

import streamlit as st

from pipeline import dashboard as dash
from pipeline import dashboard_io as app_io
from pipeline import sidebar, tables

st.set_page_config(page_title="Evidence · Tension Tracker", page_icon="🔎", layout="wide")
st.title(dash.HEADINGS["evidence"])

url, first, last = app_io.require_data()
f, start, end = sidebar.filters(first, last)
article_id = st.query_params.get("article", "")
if not article_id:
    quotes = app_io.load_quotes(url, start, end, dash.pairs_both_ways(f.pairs), f.categories, f.min_hostility,
                                kind=f.kind)
    if quotes.empty:
        st.info(f"No statements match these filters between {start} and {end}.")
        st.stop()
    titles = dict(zip(quotes["article_id"], quotes["title"].fillna("(untitled)"), strict=False))
    article_id = st.selectbox("Article", list(titles), format_func=lambda i: f"{titles[i]} · {i[:10]}")

article, said = app_io.load_evidence(url, article_id)
if article.empty:
    st.info(f"No article with id {article_id!r} in this database.")
    st.stop()
row = article.iloc[0]
st.subheader(row["title"] or "(untitled)")
st.caption(f"{row['outlet'] or 'unknown outlet'} · {tables.day_text(row['day'])} · id {row['id'][:12]}")
if row["url"]:
    st.link_button("Original article", row["url"])
st.markdown(tables.highlighted_text(row["text"], said), unsafe_allow_html=True)

st.subheader(f"Statements ({len(said)})")
st.dataframe(tables.statements_table(said), hide_index=True, column_config={
    "hostility": st.column_config.NumberColumn(format="%.2f"),
    "cooperation": st.column_config.NumberColumn(format="%.2f"),
    "tension": st.column_config.NumberColumn(format="%.2f"),
    "confidence": st.column_config.NumberColumn(format="%.2f"),
    "sentence": st.column_config.TextColumn(width="large"),
})
