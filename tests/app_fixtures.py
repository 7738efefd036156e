"""Databases for the app tests (a helper module, not a test file): the sample corpus run through the
pipeline itself into a SQLite file, and one article whose text holds HTML. Tests import the fixtures
by their `*_fixture` names; they are requested as `sample_db_url` and `app_env`."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"
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
