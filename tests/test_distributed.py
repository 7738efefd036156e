"""`run --scheduler`: scoring on a real Dask cluster, started with the `dask` command as a user would,
stores the rows of a local run; an unreachable scheduler, or workers running other code, is one line
and exit 2."""

import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text

from pipeline import runner, store
from pipeline.cli import main
from pipeline.distributed import ClusterLostError, SchedulerUnreachableError, dask_preparer, probe
from pipeline.ingest import read_paths
from tests.conftest import stored_rows

REPO = Path(__file__).resolve().parents[1]
DASK = Path(sys.executable).with_name("dask")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(log: Path, checkout: Path, *args: str) -> subprocess.Popen:
    """A `dask` command run from `checkout`, in its own process group (so that it ends with all its
    children)."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    with log.open("wb") as out:
        return subprocess.Popen([str(DASK), *args], cwd=checkout, env=env, start_new_session=True,
                                stdout=out, stderr=subprocess.STDOUT)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A scheduler and one `dask worker` command running two single-threaded worker processes, from
    this checkout."""
    with running_cluster(tmp_path_factory.mktemp("dask"), REPO) as address:
        yield address


@contextmanager
def running_cluster(logs: Path, checkout: Path, workers: int = 2) -> Iterator[str]:
    """The address of a scheduler and `workers` worker processes started from `checkout`. The `dask`
    command is a pinned dependency: a cluster that cannot start fails the tests, with its logs."""
    from distributed import Client

    address = f"tcp://127.0.0.1:{free_port()}"
    processes = []
    try:
        processes.append(start(logs / "scheduler.log", checkout, "scheduler", "--host", "127.0.0.1",
                               "--port", address.rsplit(":", 1)[1], "--no-dashboard"))
        if workers:
            processes.append(start(logs / "worker.log", checkout, "worker", address, "--nworkers",
                                   str(workers), "--nthreads", "1", "--no-dashboard"))
        try:
            with Client(address, timeout="60s", set_as_default=False) as client:
                if workers:
                    client.wait_for_workers(workers, timeout=120)
        except (OSError, TimeoutError) as error:
            output = "\n".join(f"--- {log.name}\n{log.read_text()[-3000:]}" for log in sorted(logs.iterdir()))
            pytest.fail(f"the Dask cluster did not start: {error}\n{output}")
        yield address
    finally:
        for process in reversed(processes):  # workers first, then the scheduler; no leftovers
            stop(process)


def stop(process: subprocess.Popen) -> None:
    """End a `dask` command and its children (those of them still there)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:  # stopped already
        process.wait()
        return
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def other_checkout(tmp_path: Path) -> Path:
    """A copy of this checkout's code and data with one comment added to a module: other code."""
    checkout = tmp_path / "other-checkout"
    shutil.copytree(REPO / "pipeline", checkout / "pipeline", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "data", checkout / "data", ignore=shutil.ignore_patterns("sample"))
    edited = checkout / "pipeline" / "clean.py"
    edited.write_text(edited.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    return checkout


def engine_for(url):
    engine = store.make_engine(url)
    store.upgrade(engine)
    return engine


def test_distributed_cluster_stores_the_rows_of_a_local_run(cluster, tmp_path, resources):
    snapshots = []
    for name, options in (("local", {"workers": 1}), ("dask", {"scheduler": cluster})):
        engine = engine_for(f"sqlite:///{tmp_path / name}.db")
        summary = runner.run([REPO / "data" / "sample"], engine, resources, **options)
        snapshots.append((dict(summary.counts), stored_rows(engine)))
        engine.dispose()
    assert snapshots[0][0]["stored"] > 60 and len(snapshots[0][1][1]) > 20  # articles and statements
    assert snapshots[1] == snapshots[0]


def test_distributed_results_come_back_in_input_order(cluster, resources):
    from pipeline.models import Article

    articles = [Article(id=str(i), text=f"Story {i}: Seoul warned Pyongyang.") for i in range(150)]
    with dask_preparer(cluster) as submit:
        prepared = submit(articles)()
    assert [item.article.id for item in prepared] == [str(i) for i in range(150)]


def test_distributed_ctrl_c_while_gathering_is_one_line_and_exit_130(cluster, tmp_path):
    """Ctrl-C while the client waits for the cluster: "interrupted" alone, without the tracebacks
    asyncio prints for the abandoned gather's tasks."""
    paragraph = ("Seoul warned Pyongyang on {day} that any further launch would meet a firm response. "
                 "Tokyo protested to Beijing over vessel {n} near the islands. ")
    stories = tmp_path / "stories.jsonl"
    stories.write_text("".join(json.dumps({"id": str(n), "text": paragraph.format(n=n, day=n % 28) * 12})
                               + "\n" for n in range(6000)))
    database = tmp_path / "x.db"
    run = subprocess.Popen([sys.executable, "-m", "pipeline", "run", str(stories), "--db", f"sqlite:///{database}",
                            "--scheduler", cluster], cwd=REPO, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not database.exists() and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # the first batches are being gathered
    run.send_signal(signal.SIGINT)
    _, err = run.communicate(timeout=60)
    assert (run.returncode, err) == (130, "interrupted\n")


def test_distributed_unreachable_scheduler_is_one_line_exit_2(tmp_path, capsys):
    address = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there
    db = f"sqlite:///{tmp_path / 'x.db'}"
    began = time.monotonic()
    assert main(["run", str(REPO / "data" / "sample"), "--db", db, "--scheduler", address]) == 2
    assert time.monotonic() - began < 10  # refused at once, not after the connection timeout
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: cannot reach Dask scheduler {address}: ") and "\n" not in err
    assert not (tmp_path / "x.db").exists()  # the run never started: the database was not even opened


def test_distributed_malformed_address_is_refused():
    with pytest.raises(SchedulerUnreachableError, match="cannot reach Dask scheduler nowhere:port"), \
            dask_preparer("nowhere:port"):
        pass


def test_distributed_unreachable_scheduler_fails_fast_again_and_again():
    """`watch` reaches for the scheduler every cycle: a failed attempt must not slow down the next."""
    address = f"tcp://127.0.0.1:{free_port()}"
    refused = f"^cannot reach Dask scheduler {address}: .*refused"
    began = time.monotonic()
    for _ in range(3):
        with pytest.raises(SchedulerUnreachableError, match=refused), dask_preparer(address):
            pass
    assert time.monotonic() - began < 5


def test_distributed_silent_port_times_out():
    """A port that accepts connections but never answers (not a Dask scheduler) fails after `timeout`."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        address = f"tcp://127.0.0.1:{silent.getsockname()[1]}"
        began = time.monotonic()
        with pytest.raises(SchedulerUnreachableError, match=f"^cannot reach Dask scheduler {address}: "), \
                dask_preparer(address, timeout=1):
            pass
        assert time.monotonic() - began < 5


def test_distributed_unknown_scheme_is_refused():
    with pytest.raises(SchedulerUnreachableError, match="unknown address scheme 'http'"), \
            dask_preparer("http://127.0.0.1:8786"):
        pass


def test_distributed_workers_running_other_code_are_refused_before_anything_is_sent(tmp_path, capsys):
    """Workers started from another checkout, here the same code with one comment added, would
    prepare with other code: the run ends with one line and exit 2, and stores nothing."""
    checkout = other_checkout(tmp_path)
    (tmp_path / "logs").mkdir()
    database = tmp_path / "refused.db"
    with running_cluster(tmp_path / "logs", checkout) as address:
        code = main(["run", str(REPO / "data" / "sample" / "wire.jsonl"), "--db", f"sqlite:///{database}",
                     "--scheduler", address])
    error = capsys.readouterr().err.strip()
    assert code == 2 and "\n" not in error
    assert error == (f"error: 2 of 2 Dask workers at {address} prepare with other code or data than this "
                     "process: restart them from this folder, with its environment")
    assert not database.exists()  # refused before the database was opened


def test_distributed_workers_that_cannot_import_the_project_are_refused(tmp_path, capsys):
    """Workers started where `pipeline` cannot be imported: one line and exit 2, not a traceback from
    the first task."""
    (tmp_path / "empty").mkdir()
    (tmp_path / "logs").mkdir()
    with running_cluster(tmp_path / "logs", tmp_path / "empty") as address:
        code = main(["run", str(REPO / "data" / "sample" / "wire.jsonl"), "--db", f"sqlite:///{tmp_path}/x.db",
                     "--scheduler", address])
    error = capsys.readouterr().err.strip()
    assert code == 2 and "\n" not in error
    assert error.startswith(f"error: Dask workers at {address} cannot run this project's code: ")
    assert error.endswith("(start them from this folder, with its environment)")


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


def probe_until_up(address: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            return probe(address, 1.0)
        except (OSError, TimeoutError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


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


def stored(database: Path) -> int:
    """Articles in a SQLite file a run is writing (0 before its schema exists)."""
    if not database.exists():
        return 0
    engine = store.make_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM articles")).scalar()
    except Exception:  # noqa: BLE001 - the schema is being created
        return 0
    finally:
        engine.dispose()
