"""`run --scheduler`: scoring on a real Dask cluster, started with the `dask` command as a user would,
stores the rows of a local run; an unreachable scheduler, or workers running other code, is one line
and exit 2. Workers that join or leave mid-run, and a scheduler lost, are in
test_distributed_mid_run.py."""

import json
import signal
import socket
import subprocess
import sys
import time

import pytest

from pipeline import runner
from pipeline.cli import main
from pipeline.distributed import SchedulerUnreachableError, dask_preparer
from tests.conftest import stored_rows
from tests.dask_fixtures import (
    REPO,
    engine_for,
    free_port,
    other_checkout,
    running_cluster,
)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A scheduler and one `dask worker` command running two single-threaded worker processes, from
    this checkout."""
    with running_cluster(tmp_path_factory.mktemp("dask"), REPO) as address:
        yield address


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
