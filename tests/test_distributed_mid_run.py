"""`run --scheduler` as workers come and go: a worker joining after the run started prepares when it
runs this checkout's code and ends the run in one line when it does not; one that leaves holding the
run's tasks is named; a scheduler lost before or during a run is one line, exit 75, with the batches
stored so far kept."""

import json
import logging
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from pipeline import store
from pipeline.distributed import ClusterLostError, dask_preparer
from pipeline.ingest import read_paths
from tests.dask_fixtures import (
    REPO,
    free_port,
    other_checkout,
    probe_until_up,
    running_cluster,
    start,
    stop,
    stored,
)


def test_distributed_worker_joining_later_from_this_checkout_prepares(tmp_path, resources, caplog):
    """A run may start before its workers: the check passes with none, saying that the run waits for
    them, and one started later from this folder prepares what was sent, as this process would."""
    from pipeline.preparing import prepare

    articles = list(read_paths([str(REPO / "data" / "sample" / "wire.jsonl")]))[:5]
    (tmp_path / "logs").mkdir()
    with running_cluster(tmp_path / "logs", REPO, workers=0) as address, dask_preparer(address) as submit:
        said = [record.getMessage() for record in caplog.records if record.name == "pipeline.distributed"]
        assert said == [f"no Dask workers at {address} yet: the run waits for them to join (Ctrl-C stops it)"]
        waiting = submit(articles)
        worker = start(tmp_path / "logs" / "late.log", REPO, "worker", address, "--nthreads", "1",
                       "--no-dashboard")
        try:
            prepared = waiting()
        finally:
            stop(worker)
    assert [p.statement_rows for p in prepared] == [prepare(a, resources).statement_rows for a in articles]
    assert [p.article_id for p in prepared] == [prepare(a, resources).article_id for a in articles]


def run_joined_late_by(tmp_path: Path, checkout: Path) -> tuple[int, list[str], str, Path]:
    """`run` on a cluster with no workers, joined by a worker from `checkout` once the run has said
    that it waits for workers (its check passed): (exit code, stderr lines, address, database)."""
    logs = tmp_path / "logs"
    logs.mkdir()
    database = tmp_path / "late.db"
    with running_cluster(logs, REPO, workers=0) as address:
        run = subprocess.Popen([sys.executable, "-m", "pipeline", "run", str(REPO / "data" / "sample"),
                                "--db", f"sqlite:///{database}", "--scheduler", address],
                               cwd=REPO, stderr=subprocess.PIPE, text=True)
        waiting = run.stderr.readline()
        worker = start(logs / "late.log", checkout, "worker", address, "--nthreads", "1", "--no-dashboard")
        try:
            _, rest = run.communicate(timeout=120)
        finally:
            stop(worker)
    return run.returncode, (waiting + rest).splitlines(), address, database


def test_distributed_worker_joining_later_that_cannot_import_the_project_is_named_as_it_leaves(tmp_path):
    """A worker started later where `pipeline` cannot be imported leaves as it reads its first task:
    the run, which would wait for another worker without a word, says which left and why it may
    have, then waits on until it is stopped (Ctrl-C: exit 130)."""
    (tmp_path / "empty").mkdir()
    logs = tmp_path / "logs"
    logs.mkdir()
    with running_cluster(logs, REPO, workers=0) as address:
        run = subprocess.Popen([sys.executable, "-m", "pipeline", "run", str(REPO / "data" / "sample"),
                                "--db", f"sqlite:///{tmp_path / 'late.db'}", "--scheduler", address],
                               cwd=REPO, stderr=subprocess.PIPE, text=True)
        waiting = run.stderr.readline()
        worker = start(logs / "late.log", tmp_path / "empty", "worker", address, "--nthreads", "1",
                       "--no-dashboard")
        stopping = threading.Timer(60, run.send_signal, [signal.SIGINT])  # should nothing be said
        stopping.start()
        try:
            left = run.stderr.readline()
            run.send_signal(signal.SIGINT)
            _, rest = run.communicate(timeout=60)
        finally:
            stopping.cancel()
            stop(worker)
    assert waiting == f"no Dask workers at {address} yet: the run waits for them to join (Ctrl-C stops it)\n"
    assert left.startswith("Dask worker tcp://127.0.0.1:") and f" of {address} left holding " in left
    assert left.endswith(" of this run's tasks, which wait for another worker (one that cannot import "
                         "`pipeline` leaves on its first task: start workers from this folder, with its "
                         "environment)\n")
    assert "No module named 'pipeline'" in (logs / "late.log").read_text()
    assert (run.returncode, rest) == (130, "interrupted\n")


def test_distributed_departures_name_only_this_run_s_tasks_on_an_unexpected_leave(caplog):
    """Events as the scheduler logs them on its "all" topic: a worker leaving with another client's
    tasks (a second run on the same cluster), or retired on purpose, says nothing."""
    from pipeline.distributed import _departures

    said = _departures("tcp://sched:8786", {"prepare_chunk-mine-0", "prepare_chunk-mine-1"})

    def left(keys, expected=False):
        return (1.0, {"action": "remove-worker", "processing-tasks": set(keys), "lost-computed-tasks": set(),
                      "lost-scattered-tasks": set(), "stimulus_id": "s", "expected": expected,
                      "worker": "tcp://10.0.0.7:40001"})

    with caplog.at_level(logging.WARNING, logger="pipeline.distributed"):
        said(left({"prepare_chunk-theirs-0"}))
        said(left({"prepare_chunk-mine-0"}, expected=True))
        said((1.0, {"action": "add-worker", "worker": "tcp://10.0.0.7:40001"}))
        said(left({"prepare_chunk-mine-0", "prepare_chunk-mine-1", "prepare_chunk-theirs-0"}))
    assert [record.getMessage().split(", which")[0] for record in caplog.records] == [
        "Dask worker tcp://10.0.0.7:40001 of tcp://sched:8786 left holding 2 of this run's tasks"]


def test_distributed_worker_joining_later_with_other_code_ends_the_run_in_one_line(tmp_path):
    """A worker from another checkout that joins after the check refuses the tasks it is given: the
    run ends with one line and exit 2, and nothing it would have prepared is stored."""
    code, lines, address, database = run_joined_late_by(tmp_path, other_checkout(tmp_path))
    assert code == 2, lines
    waiting, refused = lines  # the notice that the run waits for workers, then the error
    assert waiting == f"no Dask workers at {address} yet: the run waits for them to join (Ctrl-C stops it)"
    assert refused.startswith("error: Dask worker tcp://127.0.0.1:")
    assert refused.endswith(" prepares with other code or data than this process: restart it from this "
                            "folder, with its environment")
    engine = store.make_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM articles")).scalar() == 0
        assert connection.execute(text("SELECT count(*) FROM runs")).scalar() == 1


def test_distributed_worker_joining_later_from_an_older_checkout_ends_the_run_in_one_line(tmp_path):
    """A worker from a checkout older than the fingerprinted tasks, whose prepare_chunk takes no
    fingerprint, fails each task with a TypeError: one line naming it, exit 2, not a traceback."""
    checkout = other_checkout(tmp_path)
    module = checkout / "pipeline" / "distributed.py"
    code = module.read_text(encoding="utf-8")
    signature = "def prepare_chunk(articles: list[Article], expected: str) -> list:"
    assert signature in code
    module.write_text(code.replace(signature, "def prepare_chunk(articles: list[Article]) -> list:"),
                      encoding="utf-8")
    code, lines, address, _ = run_joined_late_by(tmp_path, checkout)
    assert code == 2, lines
    assert lines[1:] == [f"error: a task failed on a Dask worker of {address}: TypeError: prepare_chunk() "
                         "got an unexpected keyword argument 'expected' (start the workers from this folder, "
                         "with its environment)"]


def test_distributed_scheduler_lost_before_a_batch_is_sent_is_one_line_too(tmp_path, caplog):
    """The client gives up reaching a lost scheduler again (after its timeout) before the run hands
    over its next batch, as a run reading slow feeds does: ClusterLostError, and no log line."""
    articles = list(read_paths([str(REPO / "data" / "sample" / "wire.jsonl")]))[:3]
    address = f"tcp://127.0.0.1:{free_port()}"
    scheduler = start(tmp_path / "scheduler.log", REPO, "scheduler", "--host", "127.0.0.1", "--port",
                      address.rsplit(":", 1)[1], "--no-dashboard")
    try:
        probe_until_up(address)
        with dask_preparer(address, timeout=1) as submit:
            stop(scheduler)
            deadline, refused = time.monotonic() + 30, None
            while refused is None and time.monotonic() < deadline:  # until the client has given up
                try:
                    waiting = submit(articles)
                except ClusterLostError as error:
                    refused = error
                else:
                    with pytest.raises(ClusterLostError):  # the batch sent while it still tried
                        waiting()
                    time.sleep(0.5)
    finally:
        stop(scheduler)
    assert str(refused) == (f"lost the Dask scheduler at {address} mid-run: the batches stored so far stay, "
                            "and the next run carries on from them")
    assert not [r for r in caplog.records if r.getMessage().startswith("Failed to reconnect")]


def test_distributed_client_noise_about_a_lost_scheduler_is_dropped(caplog):
    """distributed's own lines as it loses the scheduler (its run says so in one line) are dropped;
    its other warnings are not."""
    from pipeline.distributed import _quiet_closing_noise

    _quiet_closing_noise()
    log = logging.getLogger("distributed.client")
    with caplog.at_level(logging.WARNING, logger="distributed.client"):
        log.warning("Couldn't gather %s keys, rescheduling %s", 4, ("prepare_chunk-1",))
        log.warning("Failed to reconnect to scheduler after %.2f seconds, closing client", 30.0)
        log.warning("Some other warning of the client's")
    assert [record.getMessage() for record in caplog.records] == ["Some other warning of the client's"]


@pytest.mark.parametrize("command", ["run", "watch"])
def test_distributed_scheduler_lost_mid_run_is_one_line_exit_75_and_stored_batches_stay(tmp_path, command):
    """The scheduler stopped while the run waits for results: one line, not distributed's traceback,
    and the batches already stored stay. Worth trying again: `run` exits 75, and `watch` says the
    cycle failed and goes on (its next cycle finds no scheduler) until it is stopped."""
    story = ("officials said the talks on the border dispute had stalled again after the latest "
             "exchange of fire, and that envoys would meet next week to try once more. ") * 4
    records = [{"id": str(n), "date": "2021-05-03", "text": f"Dispatch {n}: {story}"} for n in range(6000)]
    source = tmp_path / "dispatches.jsonl"
    source.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    logs, database = tmp_path / "logs", tmp_path / "lost.db"
    logs.mkdir()
    address = f"tcp://127.0.0.1:{free_port()}"
    scheduler = start(logs / "scheduler.log", REPO, "scheduler", "--host", "127.0.0.1", "--port",
                      address.rsplit(":", 1)[1], "--no-dashboard")
    worker = start(logs / "worker.log", REPO, "worker", address, "--nthreads", "1", "--no-dashboard")
    try:
        from distributed import Client

        with Client(address, timeout="60s", set_as_default=False) as client:
            client.wait_for_workers(1, timeout=120)
        every = ["--every", "1s"] if command == "watch" else []
        run = subprocess.Popen([sys.executable, "-m", "pipeline", command, str(source), "--db",
                                f"sqlite:///{database}", "--scheduler", address, "--batch-size", "256",
                                *every], cwd=REPO, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while stored(database) == 0 and run.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        stop(scheduler)
        if command == "watch":
            time.sleep(15)  # the lost cycle ends, and the next one finds no scheduler
            run.send_signal(signal.SIGINT)
        _, error = run.communicate(timeout=120)
    finally:
        stop(worker)
        stop(scheduler)
    lost = (f"lost the Dask scheduler at {address} mid-run: the batches stored so far stay, and the next "
            "run carries on from them")
    if command == "run":
        assert run.returncode == 75 and error == f"error: {lost}\n", error
    else:
        lines = error.splitlines()
        assert run.returncode == 0 and lines[0] == f"cycle failed: ClusterLostError: {lost}", error
        assert lines[-1] == "watch stopped" and any(f"cannot reach Dask scheduler {address}" in line
                                                    for line in lines[1:-1]), error
    assert 0 < stored(database) < len(records)
