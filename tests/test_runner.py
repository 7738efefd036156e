"""`run` end to end on real databases: incremental, idempotent, kill-safe, rejects counted and the
batch going on, the command line's summary and errors, and the same rows whatever the workers, the head
start, the batch size or the database (SQLite or PostgreSQL). Records replaced by newer versions are in
test_runner_replacing.py, copies and the same words on other days in test_runner_duplicates.py."""

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pipeline import preparing, runner, store
from pipeline.cli import main
from pipeline.ingest import read_paths
from tests.conftest import SEED_ARTICLE, SHARED_DATA, shared, stored_rows
from tests.runner_fixtures import STORY, counts, engine_for, wire

REPO = Path(__file__).resolve().parents[1]


def test_runner_same_input_twice_adds_nothing(db_url, resources, tmp_path):
    source = wire(tmp_path / "a.jsonl", [{"id": "1", "date": "2021-05-03", "text": STORY}])
    engine = engine_for(db_url)
    first = runner.run([source], engine, resources)
    after_first = counts(engine)
    second = runner.run([source], engine, resources)
    assert first.counts["stored"] == 1 and second.counts["unchanged"] == 1
    assert counts(engine) == after_first
    assert after_first["statements"] > 0 and after_first["dyad_daily"] > 0
    assert after_first["dirty_days"] == 0


def test_runner_boilerplate_only_record_is_rejected(sqlite_url, resources, tmp_path):
    source = wire(tmp_path / "a.jsonl", [{"id": "x", "text": "Advertisement"},
                                         {"id": "y", "date": "2021-05-03", "text": STORY}])
    engine = engine_for(sqlite_url)
    summary = runner.run([source], engine, resources)
    assert summary.rejects == {"no-text": 1} and summary.counts["stored"] == 1
    assert any("only boilerplate" in message for message in summary.messages)


def test_runner_rejects_are_counted_and_the_batch_goes_on(db_url, resources, tmp_path):
    source = tmp_path / "mixed.jsonl"
    source.write_text(json.dumps({"id": "1", "date": "2021-05-03", "text": STORY}) + "\n{broken\n")
    engine = engine_for(db_url)
    summary = runner.run([source], engine, resources)
    assert summary.counts["stored"] == 1 and summary.rejects == {"bad-json": 1}
    with engine.connect() as conn:
        run = conn.execute(select(store.runs)).one()
    assert run.status == "done" and run.rejects == {"bad-json": 1} and run.counts["stored"] == 1


def test_runner_cli_unreachable_database_is_one_line_exit_2(tmp_path, capsys):
    source = wire(tmp_path / "a.jsonl", [{"id": "1", "text": STORY}])
    assert main(["run", str(source), "--db", "postgresql://nobody:secret@127.0.0.1:1/none"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: cannot reach database postgresql://nobody:***@127.0.0.1:1/none")
    assert "\n" not in err and "secret" not in err


def test_runner_cli_sample_corpus_summary(sqlite_url, capsys):
    assert main(["run", str(REPO / "data" / "sample"), "--db", sqlite_url]) == 0
    err = capsys.readouterr().err
    assert "stored" in err and "daily rows rebuilt" in err
    assert counts(store.make_engine(sqlite_url))["statements"] > 100


def test_runner_sqlite_and_postgresql_store_the_same_rows(sqlite_url, pg_server, resources):
    name = "test_same_rows"
    pg_url = pg_server.create_database(name)
    try:
        results = []
        for url in (sqlite_url, pg_url):
            engine = engine_for(url)
            runner.run([REPO / "data" / "sample"], engine, resources)
            results.append((counts(engine), _snapshot_engine(engine)))
            engine.dispose()
        assert results[0] == results[1]
        assert results[0][0]["statements"] > 100
    finally:
        pg_server.drop_database(name)


def test_runner_two_workers_store_the_rows_of_one(tmp_path, resources):
    snapshots = []
    for workers in (1, 2):
        engine = engine_for(f"sqlite:///{tmp_path / f'w{workers}.db'}")
        summary = runner.run([REPO / "data" / "sample"], engine, resources, workers=workers)
        snapshots.append((dict(summary.counts), _snapshot_engine(engine)))
    assert snapshots[0] == snapshots[1]
    assert snapshots[0][0]["stored"] > 60


def test_runner_head_started_batches_drop_what_is_stored(tmp_path, resources):
    """The command line hands the first batches to the workers before it opens the database: their
    articles already stored are prepared but not stored again, and the rows are a plain run's."""
    sample = REPO / "data" / "sample"
    results = []
    for started in (False, True):
        engine = engine_for(f"sqlite:///{tmp_path / f'started-{started}.db'}")
        runner.run([sample / "wire.jsonl"], engine, resources)  # part of the input is stored already
        with preparing.preparer(resources, workers=2) as submit:
            # a head start of two batches of 16, then the rest
            head = preparing.head_start(read_paths([str(sample)]), submit, 2, 16) if started else None
            summary = runner.run([sample], engine, resources, workers=2, head=head, batch_size=16)
        assert not (head and head.batches)  # taken out as stored: no prepared batch held for the run
        results.append((dict(summary.counts), _snapshot_engine(engine)))
    assert results[0] == results[1]
    assert results[1][0]["unchanged"] > 16 and results[1][0]["stored"] > 10


def test_runner_batch_size_sets_the_articles_a_transaction_stores_not_the_rows(tmp_path, resources,
                                                                                stored_at_once):
    sample = REPO / "data" / "sample"
    whole = engine_for(f"sqlite:///{tmp_path / 'whole.db'}")
    runner.run([sample], whole, resources)  # one batch: the sample is smaller than the default
    for workers in (1, 2):
        stored_at_once.clear()
        engine = engine_for(f"sqlite:///{tmp_path / f'small-{workers}.db'}")
        runner.run([sample], engine, resources, workers=workers, batch_size=16)
        assert len(stored_at_once) > 2 and max(stored_at_once) <= 16
        assert _snapshot_engine(engine) == _snapshot_engine(whole)


def test_runner_with_workers_stores_the_inputs_short_last_batch_in_shrinking_pieces(
        tmp_path, resources, stored_at_once, monkeypatch):
    """With workers, the input's last batch, short of the batch size, is stored in pieces of a half, a
    quarter, ... of it (preparing.pieces_of), read ahead by the command line's head start or not, with
    the rows of one transaction; one worker, which prepares as it stores, stores it whole."""
    sample = REPO / "data" / "sample"
    whole = engine_for(f"sqlite:///{tmp_path / 'whole.db'}")
    runner.run([sample], whole, resources)
    assert len(stored_at_once) == 1  # the sample is smaller than a batch, and than two chunks
    monkeypatch.setattr(preparing, "TAPER_FLOOR", 4)
    for workers, started in ((1, False), (2, False), (2, True)):
        stored_at_once.clear()
        engine = engine_for(f"sqlite:///{tmp_path / f'tapered-{workers}-{started}.db'}")
        with preparing.preparer(resources, workers) as submit:
            items = read_paths([str(sample)])
            head = preparing.head_start(items, submit, 2, 48, taper=True) if started else None
            runner.run([sample], engine, resources, workers=workers, head=head, batch_size=48)
        # 70 records: a batch of 48, then 22 whole, or in pieces of 11, 6 and 5 (each stores its articles)
        assert len(stored_at_once) == (2 if workers == 1 else 4) and stored_at_once[0] <= 48
        assert max(stored_at_once[1:]) <= (22 if workers == 1 else 11)
        assert _snapshot_engine(engine) == _snapshot_engine(whole)


def test_runner_folds_the_sqlite_log_while_the_index_is_rebuilt(tmp_path, resources, monkeypatch):
    """database.folding_log around the daily index: its thread is handed the database file."""
    from pipeline import database

    folded = []
    monkeypatch.setattr(database, "_fold_log", folded.append)
    engine = engine_for(f"sqlite:///{tmp_path / 'x.db'}")
    runner.run([REPO / "data" / "sample" / "wire.jsonl"], engine, resources)
    assert folded == [(tmp_path / "x.db").resolve()]


def test_runner_cli_with_workers_stores_the_rows_of_one_worker(tmp_path, resources, capsys):
    sample = REPO / "data" / "sample"
    one = engine_for(f"sqlite:///{tmp_path / 'one.db'}")
    runner.run([sample], one, resources)
    url = f"sqlite:///{tmp_path / 'two.db'}"
    assert main(["run", str(sample), "--db", url, "--workers", "2"]) == 0
    assert _snapshot_engine(store.make_engine(url)) == _snapshot_engine(one)
    capsys.readouterr()


@pytest.mark.slow
def test_runner_demo_corpus_twice_gives_identical_rows(db_url, resources):
    demo = shared(SHARED_DATA / "news" / "demo_articles.jsonl.gz")
    engine = engine_for(db_url)
    runner.run([demo, shared(SEED_ARTICLE)], engine, resources)
    first = counts(engine)
    runner.run([demo, SEED_ARTICLE], engine, resources)
    assert counts(engine) == first
    assert first["articles"] > 1500 and first["statements"] > 1000
    with engine.connect() as conn:
        seed = conn.execute(select(store.articles.c.day, store.articles.c.published_at).where(
            store.articles.c.origin == str(SEED_ARTICLE))).one()
    assert seed.day == date(2019, 12, 21)
    assert seed.published_at.date() == date(2019, 12, 21)


@pytest.mark.slow
def test_runner_killed_run_then_rerun_equals_one_clean_run(tmp_path):
    demo = shared(SHARED_DATA / "news" / "demo_articles.jsonl.gz")
    killed, clean = f"sqlite:///{tmp_path / 'killed.db'}", f"sqlite:///{tmp_path / 'clean.db'}"
    command = [sys.executable, "-m", "pipeline", "run", str(demo), "--batch-size", "256", "--db"]
    child = subprocess.Popen([*command, killed], cwd=REPO, stderr=subprocess.DEVNULL)
    engine = store.make_engine(killed)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and _stored(engine) < 300:
        time.sleep(0.2)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    partial = _stored(engine)
    assert 0 < partial < 1600, "the run was not killed part-way"
    # exit 1: done, with the corpus's few empty records reported as rejects
    for url in (killed, clean):
        finished = subprocess.run([*command, url], cwd=REPO, stderr=subprocess.DEVNULL)
        assert finished.returncode == 1
    assert _snapshot(killed) == _snapshot(clean)


def _stored(engine):
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(store.articles)).scalar_one()
    except Exception:  # noqa: BLE001 - the schema may not exist yet in the first moments
        return 0


def _snapshot(url):
    return _snapshot_engine(store.make_engine(url))


def _snapshot_engine(engine):
    return stored_rows(engine)


def test_runner_nul_characters_and_overlong_ids_do_not_stop_the_batch(db_url, resources, tmp_path):
    source = wire(tmp_path / "a.jsonl", [
        {"id": "nul\u0000id", "date": "2021-05-03", "text": STORY.replace("Monday", "Mon\u0000day")},
        {"id": "x" * 600, "date": "2021-05-03", "text": "Tokyo protested to Beijing."},
    ])
    engine = engine_for(db_url)
    summary = runner.run([source], engine, resources)
    assert summary.counts["stored"] == 1 and summary.rejects == {"bad-id": 1}
