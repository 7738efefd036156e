"""The dashboard (`streamlit run app.py`): its pages, named in the sidebar's navigation, and the
addresses they keep. Each page lays out its own widgets (views/); what they read and draw lives in
pipeline.dashboard*, pipeline.sidebar, pipeline.tables, pipeline.queries and pipeline.charts."""

import streamlit as st

# Each address is the one the page had as a file of a pages/ folder, so that bookmarks and shared
# links (Timeline?pairs=PRK-USA, Evidence?article=...) still open it; the files are named alike, so
# that AppTest finds a page by its file before a first run. No icons: an st.Page's Material icon
# becomes the tab's, fetched from fonts.gstatic.com, and the dashboard asks nothing of another host.
PAGES = [
    st.Page("views/overview.py", title="Overview", default=True),
    st.Page("views/Timeline.py", title="Timeline", url_path="Timeline"),
    st.Page("views/Quotes.py", title="Quotes", url_path="Quotes"),
    st.Page("views/Evidence.py", title="Evidence", url_path="Evidence"),
]

st.navigation(PAGES).run()
