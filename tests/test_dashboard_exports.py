"""pipeline.dashboard_exports through the pages, headless: each chart as PNG and SVG, its rows as
CSV, the timeline's report; the images and the report made on click, no download rerunning a page.
tests/test_browser.py downloads them in a real browser."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from tests.app_fixtures import (  # noqa: F401  (the *_fixture names are fixtures)
    LATER_START,
    app,
    app_env_fixture,
    downloads_fixture,
    sample_db_url_fixture,
)


def test_dashboard_exports_timeline_png_svg_csv_and_report(app_env, downloads):
    at = app("timeline", pairs="PRK-USA")
    assert not at.exception, at.exception
    assert at.get("vega_lite_chart")
    assert len(at.download_button) == 4
    by_type = {mime: data for data, mime in downloads.values()}
    assert by_type["image/png"].startswith(b"\x89PNG")
    assert b"<svg" in by_type["image/svg+xml"][:500]
    frame = pd.read_csv(io.BytesIO(by_type["text/csv"]))
    assert {"day", "source", "target", "tension_index"} <= set(frame.columns) and len(frame)
    assert set(zip(frame["source"], frame["target"], strict=True)) <= {("PRK", "USA"), ("USA", "PRK")}
    assert b"<html" in by_type["text/html"][:500].lower()
    # The images and the report are made when asked for, not drawn on every first render.
    assert {name.rsplit(".", 1)[1] for name in downloads.made_on_click} == {"png", "svg", "html"}


@pytest.mark.parametrize(("page", "params", "buttons"), [
    ("overview", {"preset": "custom", "start": LATER_START, "end": "2023-12-31"}, 9),
    ("timeline", {"pairs": "PRK-USA"}, 4),
    ("quotes", {}, 1),
])
def test_dashboard_exports_never_rerun_the_page(app_env, page, params, buttons):
    """A download changes nothing on the page, so its click starts no run: a run started by it
    replaced the id of a file made on click while the browser asked for it (pipeline.dashboard_exports)."""
    at = app(page, **params)
    assert not at.exception, at.exception
    assert len(at.download_button) == buttons
    assert all(button.proto.ignore_rerun for button in at.download_button)


def test_dashboard_exports_overview_charts_png_svg_and_csv(app_env, downloads):
    at = app("overview", preset="custom", start=LATER_START, end="2023-12-31")
    assert not at.exception, at.exception
    names = set(downloads)
    for stem in ("most-hostile", "risers", "who-targets-whom"):
        files = {name.rsplit(".", 1)[1]: downloads[name][0] for name in names if name.startswith(stem)}
        assert files["png"].startswith(b"\x89PNG") and b"<svg" in files["svg"][:500]
        assert len(pd.read_csv(io.BytesIO(files["csv"])))
    assert {name.rsplit(".", 1)[1] for name in downloads.made_on_click} == {"png", "svg"}
