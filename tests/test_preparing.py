"""The parallel half of `run`: articles prepared in input order, the head start's batches, and no
database layer on the workers' side."""

import os
import signal
import subprocess
import sys
import time
from concurrent.futures.process import EXTRA_QUEUED_CALLS
from pathlib import Path

import pytest

from pipeline import preparing
from pipeline.models import Article, Reject

REPO = Path(__file__).resolve().parents[1]
TEXTS = [
    "Tokyo protested to Beijing over the coast guard vessels near the islands.",
    "The ministry in Ankara said talks with Athens would resume next month.",
    "Seoul warned Pyongyang that any further launch would meet a firm response.",
    "Officials in Canberra and Wellington signed a fisheries agreement on Friday.",
    "Cairo accused Addis Ababa of filling the dam without an agreement.",
]


def articles():
    return [Article(id=str(i), text=text, origin=f"wire.jsonl:{i + 1}") for i, text in enumerate(TEXTS)]


def recording(resources, submitted):
    """The in-process preparer's submit, recording what each call handed it."""
    def submit(batch):
        submitted.append([article.id for article in batch])
        return lambda: [preparing.prepare(article, resources) for article in batch]
    return submit


def test_preparing_head_start_submits_the_first_batches_and_leaves_the_rest(resources):
    items = articles()
    items.insert(1, Reject("wire.jsonl", 2, "bad-json", "wire.jsonl:2: not JSON"))
    submitted = []
    head = preparing.head_start(items, recording(resources, submitted), batches=2, size=2)
    assert [batch for batch, _ in head.batches] == [items[0:2], items[2:4]]
    assert submitted == [["0"], ["1", "2"]]  # the reject is not sent to the workers
    assert list(head.rest) == items[4:]  # read on by the writer, from where the head start stopped
    assert [item.article.id for item in head.batches[1][1]()] == ["1", "2"]


def test_preparing_head_start_of_no_batches_reads_nothing(resources):
    items, submitted = iter(articles()), []
    head = preparing.head_start(items, recording(resources, submitted), batches=0)
    assert not head.batches and submitted == [] and len(list(head.rest)) == len(TEXTS)


def test_preparing_only_new_keeps_the_prepared_articles_that_are_new(resources):
    batch = articles()[:3]
    batch.insert(2, Reject("wire.jsonl", 3, "bad-json", "wire.jsonl:3: not JSON"))
    ready = recording(resources, [])([item for item in batch if not isinstance(item, Reject)])
    kept = preparing.only_new(ready, batch, [False, True, False, True])()
    assert [item.article.id for item in kept] == ["1", "2"]


def test_preparing_pool_gives_the_results_in_input_order(resources, monkeypatch):
    monkeypatch.setattr(preparing, "CHUNK_SIZE", 2)  # several chunks, finishing in any order
    with preparing.preparer(resources, workers=2) as submit:
        prepared = submit(articles() * 3)()
    in_process = [preparing.prepare(article, resources) for article in articles() * 3]
    assert prepared == in_process


def test_preparing_interrupted_pool_cancels_what_is_queued(resources):
    """Ctrl-C in the writer: what the workers have not started is dropped at once, whatever becomes
    of the pool object (shutdown's own cancel_futures was lost when it was collected first)."""
    with pytest.raises(KeyboardInterrupt), preparing._pool(resources, workers=2) as start:
        started = [start([article]) for article in articles() * 8]  # a chunk an article
        raise KeyboardInterrupt
    # Beyond cancelling: a chunk each worker is running, and the pool's call queue, which holds
    # workers + EXTRA_QUEUED_CALLS chunks already marked running. The rest is dropped.
    beyond = 2 + 2 + EXTRA_QUEUED_CALLS
    assert sum(future.cancelled() for future in started) >= len(started) - beyond


def test_preparing_imports_no_database_layer():
    """The command line starts the workers before it imports SQLAlchemy, so that importing it and
    opening the database overlap with their work: nothing the workers need may import it."""
    code = ("import sys; from pipeline import cli, preparing, ingest, distributed, feeds; "
            "print('sqlalchemy' in sys.modules)")
    found = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "False"


def test_preparing_workers_end_when_the_writer_is_killed(tmp_path):
    """A writer killed outright cannot stop its pool: its workers must notice and end on their own,
    not wait for work for ever."""
    code = ("import time\n"
            "from pipeline import preparing, score\n"
            "from pipeline.models import Article\n"
            "with preparing.preparer(score.load_resources(), workers=2) as submit:\n"
            "    submit([Article(id='1', text='Tokyo protested to Beijing.')])()\n"
            "    print('ready', flush=True)\n"
            "    time.sleep(60)\n")
    writer = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "ready"
        workers = _children(writer.pid)
        assert len(workers) == 2
    finally:
        writer.kill()
        writer.wait()
    deadline = time.monotonic() + 10 * preparing.WRITER_CHECK_SECONDS
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [pid for pid in workers if _alive(pid)]
    for pid in left:  # leave no process behind, even when failing
        os.kill(pid, signal.SIGKILL)
    assert not left


def _children(pid: int) -> list[int]:
    """The live child processes of `pid` (Linux)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        if found:
            return found
        time.sleep(0.05)
    return []


def _alive(pid: int) -> bool:
    """Running, or stopped: not gone, nor a zombie left for its new parent to reap."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status
