"""Smoke test in a real browser: `streamlit run app.py` on the sample database, every page opened in
Debian's chromium through Playwright, no exception box, one export downloaded, a screenshot of each
page saved to test-artifacts/screenshots/<page>.png (git-ignored; the README links them).

Skips where /usr/bin/chromium is absent, unless CI is set: CI installs it (.ci/run), so there it fails.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest

from pipeline.dashboard import HEADINGS
from tests.app_fixtures import charts_written, sample_db_url_fixture  # noqa: F401  (fixture)

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
PAGES = {"overview": "", "timeline": "Timeline?pairs=PRK-USA", "quotes": "Quotes",
         "evidence": "Evidence"}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
DONE = "[data-testid='stApp'][data-test-script-state='notRunning']"
SERVER_LOGS: dict[str, Path] = {}  # what each server started here printed, by its address


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(base: str, server: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit exited with {server.returncode}: {log.read_text()}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("streamlit did not report healthy within a minute")


@pytest.fixture(scope="module")
def server(sample_db_url, tmp_path_factory):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing under CI; .ci/run should have installed chromium")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium); CI runs this test")
    if not charts_written():
        pytest.skip("pipeline/charts.py or pipeline/report.py not written yet (another change)")
    port = free_port()
    # Streamlit's settings are the project's own (.streamlit/config.toml), not the test's.
    env = {name: value for name, value in os.environ.items() if not name.startswith("STREAMLIT_")}
    env["TENSION_DB_URL"] = sample_db_url
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    with open(log, "w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1"],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    SERVER_LOGS[base] = log
    try:
        wait_healthy(base, process, log)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def browser_page(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1600}, accept_downloads=True)
            yield context.new_page()
        finally:
            browser.close()


# An element whose code the browser is still fetching (a chart, a table, a date input: each loaded
# the first time one is shown) stands as a grey skeleton, after the script has finished.
SKELETON = "[data-testid^='stSkeleton']"


def open_page(page, url: str) -> None:
    """Load a page and wait until it is drawn whole: its script done, and no element still a skeleton."""
    page.goto(url)
    page.wait_for_selector(DONE, timeout=60_000)
    page.wait_for_timeout(500)  # a rerun triggered by the URL sync may start right after the first
    page.wait_for_selector(DONE, timeout=60_000)
    page.wait_for_function(f"() => !document.querySelector({SKELETON!r})", timeout=60_000)


@pytest.mark.parametrize("name", list(PAGES))
def test_browser_page_renders_without_exception(server, browser_page, name):
    open_page(browser_page, f"{server}/{PAGES[name]}")
    assert browser_page.locator("[data-testid='stException']").count() == 0
    assert browser_page.locator("[data-testid='stAlertContentError']").count() == 0
    # The page asked for, at its address: an unknown address gets the overview and a dialog.
    assert browser_page.locator("h1").first.inner_text() == HEADINGS[name]
    assert browser_page.url == f"{server}/{PAGES[name]}" and "Page not found" not in browser_page.content()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser_page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_browser_pages_ask_nothing_of_any_other_host_and_offer_no_deploy(server, browser_page):
    """Every request the pages make goes to the dashboard's own server: no usage statistics (which
    Streamlit sends by default), no fonts or scripts from elsewhere, so it works offline and what an
    analyst looks at stays on the machine; and the menu is a reader's, without "Deploy"."""
    from urllib.parse import urlsplit

    requested: list[str] = []

    def record(request) -> None:
        requested.append(request.url)

    browser_page.on("request", record)
    try:
        for path in PAGES.values():
            open_page(browser_page, f"{server}/{path}")
        browser_page.wait_for_timeout(2_000)  # statistics are sent a moment after the page loads
    finally:
        browser_page.remove_listener("request", record)
    elsewhere = {url for url in requested if urlsplit(url).netloc != urlsplit(server).netloc
                 and not url.startswith(("data:", "blob:"))}
    assert requested and not elsewhere, sorted(elsewhere)
    assert browser_page.locator("[data-testid='stAppDeployButton']").count() == 0


def test_browser_timeline_csv_download(server, browser_page, tmp_path):
    open_page(browser_page, f"{server}/{PAGES['timeline']}")
    with browser_page.expect_download(timeout=30_000) as info:
        browser_page.get_by_role("button", name="Data as CSV").click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    lines = saved.read_text().splitlines()
    assert lines[0].startswith("day,") or "tension_index" in lines[0]
    assert len(lines) > 1


def settled(page, quiet_seconds: float = 1.5) -> None:
    """Wait until the app has not run for `quiet_seconds`: a button whose file is made on click holds
    an id that the app's next run replaces, and a click just before that run is lost (Streamlit)."""
    quiet_since = time.monotonic()
    while time.monotonic() - quiet_since < quiet_seconds:
        if page.locator(DONE).count() == 0:  # a run is under way
            page.wait_for_selector(DONE, timeout=60_000)
            quiet_since = time.monotonic()
        page.wait_for_timeout(100)


@pytest.mark.parametrize(("page", "button", "starts"), [
    ("timeline", "Chart as PNG", b"\x89PNG"),
    ("timeline", "One-page HTML report", b"<!doctype html"),
    ("overview", "SVG", b"<svg"),
])
def test_browser_files_made_on_click_download_whole(server, browser_page, tmp_path, page, button, starts):
    """The images and the report are made by the server when their button is clicked (Streamlit's
    deferred downloads), then downloaded like any file."""
    open_page(browser_page, f"{server}/{PAGES[page]}")
    settled(browser_page)
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        with browser_page.expect_download(timeout=60_000) as info:
            browser_page.get_by_role("button", name=button, exact=True).last.click()
    except PlaywrightTimeout:
        shown = browser_page.locator("[data-testid='stDownloadButtonError']").all_inner_texts()
        pytest.fail(f"no {button} download within a minute (the button says {shown}); the server said:\n"
                    f"{SERVER_LOGS[server].read_text()[-3000:]}")
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    data = saved.read_bytes()
    assert data[:len(starts)].lower() == starts.lower(), data[:80]
    assert saved.suffix == {"Chart as PNG": ".png", "One-page HTML report": ".html", "SVG": ".svg"}[button]
    if button == "One-page HTML report":
        assert b"<svg" in data and b"PRK" in data  # the chart inlined, the pair named
    assert browser_page.locator("[data-testid='stException']").count() == 0


def test_browser_timeline_plots_get_their_height_besides_titles_and_axes(server, browser_page):
    """Each direction's index chart, its volume chart, then its words and deeds apart: each drawn
    taller than its plot alone (fitted into its own height, the volume plot was a strip a few pixels
    high)."""
    from pipeline.charts import INDEX_HEIGHT, KINDS_HEIGHT, VOLUME_HEIGHT

    open_page(browser_page, f"{server}/{PAGES['timeline']}")
    browser_page.wait_for_selector("[data-testid='stVegaLiteChart'] svg", timeout=30_000)
    drawn = [chart.bounding_box()["height"]
             for chart in browser_page.locator("[data-testid='stVegaLiteChart'] svg").all()]
    assert drawn and len(drawn) % 3 == 0, drawn
    for index, volume, apart in zip(drawn[::3], drawn[1::3], drawn[2::3], strict=True):
        assert index >= INDEX_HEIGHT + 60 and volume >= VOLUME_HEIGHT + 50, drawn
        assert apart >= KINDS_HEIGHT + 50, drawn


def test_browser_timeline_directions_share_the_period_as_their_day_axis(server, browser_page):
    """A → B beside B → A, index, volume and the words and deeds apart alike, each drawn over the
    period in the caption, not over the days that direction has statements on (the sample's
    USA → PRK has one)."""
    open_page(browser_page, f"{server}/{PAGES['timeline']}")
    browser_page.wait_for_selector("[data-testid='stVegaLiteChart'] svg", timeout=30_000)
    caption = browser_page.get_by_text(re.compile(r"^\d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d\.")).inner_text()
    first, last = (date.fromisoformat(day) for day in re.findall(r"\d{4}-\d\d-\d\d", caption))
    axes = [axis.get_attribute("aria-label") for axis in
            browser_page.locator("[data-testid='stVegaLiteChart'] svg [aria-label^='X-axis']").all()]
    assert len(axes) == 6 and set(axes) == {
        f"X-axis for a time scale with values from {first:%d %B %Y} to {last:%d %B %Y}"}, axes


def test_browser_filters_follow_page_switches(server, browser_page):
    open_page(browser_page, f"{server}/?preset=1y")
    browser_page.locator("[data-testid='stSidebarNav'] a", has_text="Quotes").click()
    browser_page.wait_for_url("**/Quotes**", timeout=30_000)
    browser_page.wait_for_selector(DONE, timeout=60_000)
    browser_page.wait_for_function("() => location.search.includes('preset=1y')", timeout=30_000)
    assert browser_page.locator("[data-testid='stException']").count() == 0


def test_browser_navigation_names_every_page_and_keeps_their_addresses(server, browser_page):
    """The sidebar names the pages as an analyst calls them ("Overview", not the entry file's name),
    and each opens at the address a bookmark made before keeps (/Timeline, /Quotes, /Evidence)."""
    open_page(browser_page, f"{server}/")
    links = browser_page.locator("[data-testid='stSidebarNav'] a")
    assert links.all_inner_texts() == ["Overview", "Timeline", "Quotes", "Evidence"]
    addresses = [link.get_attribute("href") or "" for link in links.all()]
    assert [address.rstrip("/").rsplit("/", 1)[-1] for address in addresses[1:]] == [
        "Timeline", "Quotes", "Evidence"]
