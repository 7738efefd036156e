"""Databases and a runner for the app tests (a helper module, not a test file): the sample corpus run
through the pipeline itself into a SQLite file, one article whose text holds HTML, each page run
headless (`app`), and what its download buttons hand out (`downloads`). Tests import the fixtures by
their `*_fixture` names; they are requested as `sample_db_url`, `app_env` and `downloads`.

Each page runs as part of the app: AppTest.from_file("app.py"), then switch_page("views/...") before
the first run, which finds the page by its file's name (each is named as its address); the one run
is the page's, checked by its title, since the navigation falls back to the overview unasked. Run
alone, a page is its own entry point and its st.page_link to a sibling page cannot resolve.

Download buttons: AppTest 1.67 keeps only a media URL in the element tree, and the in-memory media
store it creates lives for one run, so `downloads` records what each download_button hands to that
store (data, mime type, file name) and the tests check those bytes. A file made when its button is
clicked (a function given as the data) has no store without Streamlit's server: `downloads` calls
the function, as the server does on a click, records what it made, and names it in `made_on_click`.
tests/test_browser.py clicks such buttons in a real browser.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.dashboard import HEADINGS

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"
ENTRY = REPO / "app.py"
PAGES = {"overview": REPO / "views" / "overview.py", "timeline": REPO / "views" / "Timeline.py",
         "quotes": REPO / "views" / "Quotes.py", "evidence": REPO / "views" / "Evidence.py"}
TIMEOUT = 60
LATER_START = "2021-01-01"  # the sample's stories begin in 2019: a period from here has one before it
UNREACHABLE_URL = "postgresql://nobody@127.0.0.1:1/none"
SCRIPT_TEXT = ("Pyongyang said Washington would <script>alert('x')</script> pay dearly, "
               "and North Korea threatened the United States again.")


def charts_written() -> bool:
    """Whether pipeline.charts and pipeline.report exist (written in a parallel change)."""
    try:
        import pipeline.charts  # noqa: F401
        import pipeline.report  # noqa: F401
    except ModuleNotFoundError as error:
        if error.name in ("pipeline.charts", "pipeline.report"):
            return False
        raise
    return True


def build_sample_db(folder: Path) -> str:
    """Run the pipeline on data/sample into folder/tension.db -> its URL."""
    from pipeline import runner, store
    from pipeline.score import load_resources

    url = f"sqlite:///{folder / 'tension.db'}"
    engine = store.make_engine(url)
    store.upgrade(engine)
    runner.run([str(SAMPLE)], engine, load_resources())
    engine.dispose()
    return url


def build_outdated_sample_db(folder: Path, revision: str = "0009") -> str:
    """The sample database as the code of migration `revision` left it -> its URL."""
    from pipeline import store
    from tests.conftest import downgrade

    url = build_sample_db(folder)
    engine = store.make_engine(url)
    downgrade(engine, revision)
    engine.dispose()
    return url


def build_script_db(folder: Path) -> tuple[str, str]:
    """One article whose text holds a <script> tag, stored by the pipeline -> (URL, article id)."""
    import json

    from pipeline import queries, runner, store
    from pipeline.score import load_resources

    source = folder / "script.jsonl"
    source.write_text(json.dumps({"id": "script-1", "date": "2019-12-21", "source": "Test Wire",
                                  "url": "https://example.invalid/x", "title": "A <b>title</b>",
                                  "text": SCRIPT_TEXT}) + "\n")
    url = f"sqlite:///{folder / 'script.db'}"
    engine = store.make_engine(url)
    store.upgrade(engine)
    runner.run([str(source)], engine, load_resources())
    ids = queries.key_quotes(engine, None, None)["article_id"].tolist()
    engine.dispose()
    return url, ids[0] if ids else ""


@pytest.fixture(scope="session", name="sample_db_url")
def sample_db_url_fixture(tmp_path_factory) -> str:
    """The URL of the sample database, built once per test session."""
    return build_sample_db(tmp_path_factory.mktemp("sample-db"))


@pytest.fixture(name="app_env")
def app_env_fixture(monkeypatch, sample_db_url) -> str:
    """TENSION_DB_URL set to the sample database for the app under test; fresh app caches."""
    import streamlit as st

    monkeypatch.setenv("TENSION_DB_URL", sample_db_url)
    st.cache_data.clear()
    return sample_db_url


def app(page: str, **params: str):
    """`page` run headless as part of the app, with `params` in its URL -> the AppTest after its run."""
    from streamlit.testing.v1 import AppTest

    if page != "evidence" and not charts_written():
        pytest.skip("pipeline/charts.py or pipeline/report.py not written yet (another change)")
    at = AppTest.from_file(str(ENTRY), default_timeout=TIMEOUT)
    if page != "overview":  # run as part of the app, so links between pages resolve as in a browser
        at.switch_page(str(PAGES[page].relative_to(REPO)))
    at.query_params.update(params)
    at.run()
    assert [title.value for title in at.title][:1] == [HEADINGS[page]], f"{page} did not run"
    return at


def metrics(at) -> dict[str, str]:
    """The headline figures an AppTest run shows, by label."""
    return {m.label: m.value for m in at.metric}


class Downloads(dict):
    """file name -> (data, mime type) of every download_button rendered, and which of them are made
    on click."""

    def __init__(self) -> None:
        super().__init__()
        self.made_on_click: set[str] = set()

    def add(self, name: str | None, data: bytes | str, mime: str) -> None:
        self[name or f"unnamed-{len(self)}"] = (data.encode() if isinstance(data, str) else bytes(data), mime)


def made_on_a_thread_of_its_own(make):
    """What `make()` returns, run on a new thread without the page's script context, as Streamlit's
    server runs a download's function; its exception is raised here."""
    import threading

    outcome: dict = {}

    def run() -> None:
        try:
            outcome["made"] = make()
        except Exception as error:  # noqa: BLE001 - raised again below, on the test's thread
            outcome["error"] = error

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["made"]


@pytest.fixture(name="downloads")
def downloads_fixture(monkeypatch) -> Downloads:
    """What every download_button rendered while the test runs hands out (Downloads)."""
    from streamlit.elements.widgets import button
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    seen = Downloads()
    stored, marshalled = MemoryMediaFileStorage.load_and_get_id, button.marshall_file

    def store_file(self, path_or_data, mimetype, kind, filename=None):
        seen.add(filename, path_or_data, mimetype)
        return stored(self, path_or_data, mimetype, kind, filename)

    def marshall_file(coordinates, data, proto, mimetype, file_name=None, **options):
        if callable(data):  # what the server runs when the button is clicked, as it runs it
            seen.add(file_name, made_on_a_thread_of_its_own(data), mimetype)
            seen.made_on_click.add(file_name)
        return marshalled(coordinates, data, proto, mimetype, file_name, **options)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", store_file)
    monkeypatch.setattr(button, "marshall_file", marshall_file)
    return seen
