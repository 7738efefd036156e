"""The dashboard (`streamlit run app.py`): its pages, named in the sidebar's navigation, and the
addresses they keep. Each page lays out its own widgets (views/); what they read and draw lives in
pipeline.dashboard*, pipeline.sidebar, pipeline.queries and pipeline.charts."""

import streamlit as st

# A page's address is its file's name: capitalised as the pages/ folder's files were, so that
# bookmarks and shared links (Timeline?pairs=PRK-USA, Evidence?article=...) still open them.
# No icons: the navigation fetches Material icons from fonts.gstatic.com, and the dashboard asks
# nothing of any other host (tests/test_browser.py).
PAGES = [
    st.Page("views/overview.py", title="Overview", default=True),
    st.Page("views/Timeline.py", title="Timeline"),
    st.Page("views/Quotes.py", title="Quotes"),
    st.Page("views/Evidence.py", title="Evidence"),
]

st.navigation(PAGES).run()
