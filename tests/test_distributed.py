"""`run --scheduler`: scoring on a real Dask cluster, started with the `dask` command as a user would,
stores the rows of a local run; an unreachable scheduler is one line and exit 2."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pipeline import runner, store
from pipeline.cli import main
from pipeline.distributed import SchedulerUnreachableError, dask_preparer
from tests.conftest import stored_rows

REPO = Path(__file__).resolve().parents[1]
DASK = Path(sys.executable).with_name("dask")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(*args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([str(DASK), *args], cwd=REPO, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def cluster():
    """A scheduler and one `dask worker` command running two single-threaded worker processes."""
    from distributed import Client

    address = f"tcp://127.0.0.1:{free_port()}"
    processes = [start("scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
                       "--no-dashboard")]
    try:
        processes.append(start("worker", address, "--nworkers", "2", "--nthreads", "1", "--no-dashboard"))
        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for process in reversed(processes):  # workers first, then the scheduler; no leftovers
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


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


def test_distributed_unreachable_scheduler_is_one_line_exit_2(tmp_path, capsys):
    address = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there
    db = f"sqlite:///{tmp_path / 'x.db'}"
    began = time.monotonic()
    assert main(["run", str(REPO / "data" / "sample"), "--db", db, "--scheduler", address]) == 2
    assert time.monotonic() - began < 30
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: cannot reach Dask scheduler {address}: ") and "\n" not in err
    with store.make_engine(db).connect() as conn:  # the run never started: nothing recorded
        assert conn.execute(select(func.count()).select_from(store.runs)).scalar_one() == 0


def test_distributed_malformed_address_is_refused():
    with pytest.raises(SchedulerUnreachableError, match="cannot reach Dask scheduler nowhere:port"), \
            dask_preparer("nowhere:port"):
        pass
