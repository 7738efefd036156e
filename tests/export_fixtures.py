"""What the export tests share: the hand-made database (tests/queries_fixtures.py) in a SQLite
file, and `python -m pipeline export` called in process."""

from pathlib import Path

import pytest

from pipeline.cli import main
from tests.queries_fixtures import build_database

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(name="engine")
def engine_fixture(sqlite_url):
    engine = build_database(sqlite_url)
    yield engine
    engine.dispose()


def run(url, *options):
    return main(["export", "--db", url, *options])
