"""pipeline.database on real databases: the write-ahead log of a SQLite file folded into it on a
thread while a block works (database.folding_log), and nothing of the kind elsewhere."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.engine import make_url

from pipeline.store import make_engine, metadata, runs

RUN = {"started_at": datetime(2026, 12, 7, 17, 0, tzinfo=UTC), "version": "0.1.0", "status": "done",
       "counts": {}, "rejects": {}}


def test_database_sqlite_log_is_folded_into_the_file_while_a_block_works(sqlite_url):
    """database.folding_log: what the write-ahead log holds is copied into the database file on a
    thread while the block runs, not left for the last connection to close (as a run's index is
    rebuilt); the connections stay open throughout, so nothing else folds it."""
    from pathlib import Path

    from pipeline.database import folding_log

    engine = make_engine(sqlite_url)
    file = Path(make_url(sqlite_url).database)
    try:
        metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(insert(runs), [{**RUN, "id": n, "inputs": ["x" * 400]} for n in range(1, 2001)])
        before = file.stat().st_size
        with folding_log(engine), engine.connect() as conn:  # the block works meanwhile
            assert conn.execute(select(func.count()).select_from(runs)).scalar() == 2000
        assert file.stat().st_size > before + 800_000
    finally:
        engine.dispose()


@pytest.mark.parametrize("url", ["pg", "sqlite://", "sqlite:///file:t.db?uri=true"])
def test_database_folding_log_leaves_other_databases_alone(request, url, monkeypatch):
    """PostgreSQL, SQLite in memory, and a URI filename (SQLite's to resolve) are not folded."""
    from pipeline import database

    folded = []
    monkeypatch.setattr(database, "_fold_log", folded.append)
    engine = make_engine(request.getfixturevalue("pg_server").url if url == "pg" else url)
    try:
        with database.folding_log(engine):
            pass
    finally:
        engine.dispose()
    assert folded == []


def test_database_folding_log_never_makes_a_file(tmp_path):
    """A database moved away during the run is not replaced by an empty file where it was."""
    from pipeline.database import _fold_log

    _fold_log(tmp_path / "gone.db")
    assert list(tmp_path.iterdir()) == []
