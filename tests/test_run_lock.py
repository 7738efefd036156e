"""One run writes to a database at a time (pipeline.run_lock), on a real SQLite file and a real
PostgreSQL server: a run started while another process holds the database is refused in one line,
exit 75, before it stores or records anything; the lock goes with a killed holder."""

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text

from pipeline import run_lock, runner, store
from pipeline.cli import main
from pipeline.run_lock import RunInProgressError, RunLockLostError, exclusive_run
from tests.conftest import stored_rows

REPO = Path(__file__).resolve().parents[1]
WIRE = str(REPO / "data" / "sample" / "wire.jsonl")
# A second process that takes the lock, forks a child that lives on for a minute (as `run`'s
# workers are forked), says so with the child's pid, and waits to be killed.
HOLDER = """
import os, sys, time
from pipeline import store
from pipeline.run_lock import exclusive_run
with exclusive_run(store.make_engine(sys.argv[1])):
    child = os.fork()
    if child == 0:
        time.sleep(60)
        os._exit(0)
    print("held", child, flush=True)
    time.sleep(600)
"""


@contextmanager
def holder(url: str) -> Iterator[subprocess.Popen]:
    """A process holding the run lock, with a forked child; the child is killed on leaving."""
    process = subprocess.Popen([sys.executable, "-c", HOLDER, url], cwd=REPO, stdout=subprocess.PIPE,
                               text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    said, child = process.stdout.readline().split()
    assert said == "held"
    try:
        yield process
    finally:
        process.kill()
        process.wait()
        os.kill(int(child), signal.SIGKILL)


def counts(url: str) -> tuple[int, int]:
    engine = store.make_engine(url)
    with engine.connect() as conn:
        return (conn.execute(text("SELECT count(*) FROM articles")).scalar(),
                conn.execute(text("SELECT count(*) FROM runs")).scalar())


def lock_taken_once_free(engine, seconds: float = 10.0) -> bool:
    """Whether the lock can be taken within `seconds` (a server notices a killed client's closed
    connection, and ends its session, a moment later)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with exclusive_run(engine):
                return True
        except RunInProgressError:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)


def test_run_lock_second_run_is_refused_in_one_line_and_stores_nothing(db_url, capsys):
    """Refused in one line naming the run at work, as the runs table records it (here one recorded by
    hand beside the holding process): no article, and no run recorded."""
    assert main(["run", WIRE, "--db", db_url]) == 0  # the schema, and a first run's rows
    capsys.readouterr()
    at_work = store.start_run(store.make_engine(db_url), ["elsewhere.jsonl"], "0")
    before = counts(db_url)
    with holder(db_url):
        code = main(["run", WIRE, "--db", db_url, "--workers", "2"])
    error = capsys.readouterr().err
    assert code == 75
    assert re.fullmatch(rf"error: another run is writing to \S+ \(run {at_work}, started "
                        r"\d{4}-\d\d-\d\d \d\d:\d\d UTC\): this one stored nothing; run it again once that "
                        r"one has ended\n", error), error
    assert counts(db_url) == before


def test_run_lock_goes_with_a_killed_holder_and_the_next_run_stores_all(db_url, tmp_path, capsys):
    """Killed outright, the holder lets go at once, though the child it forked lives on; the refused
    input, run then, stores what one run into a fresh database stores."""
    reference = f"sqlite:///{tmp_path / 'reference.db'}"
    assert main(["run", WIRE, "--db", reference]) == 0
    with holder(db_url) as process:
        assert main(["run", WIRE, "--db", db_url]) == 75
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert lock_taken_once_free(store.make_engine(db_url), seconds=5)
        assert main(["run", WIRE, "--db", db_url]) == 0
    assert stored_rows(store.make_engine(db_url)) == stored_rows(store.make_engine(reference))


def refusal_in_another_thread(engine) -> BaseException | None:
    """What taking the lock raises in another thread of this process (None if it is taken)."""
    raised = []

    def take():
        try:
            with exclusive_run(engine):
                pass
        except BaseException as error:  # noqa: BLE001 - handed to the test to assert on
            raised.append(error)

    thread = threading.Thread(target=take)
    thread.start()
    thread.join()
    return raised[0] if raised else None


def test_run_lock_is_held_by_one_block_at_a_time_and_released_after(db_url):
    """The block holding the lock may enter it again (the command line takes it before the runner
    does); another thread may not; once the block has ended, the lock is free."""
    store.upgrade(engine := store.make_engine(db_url))
    with exclusive_run(engine):
        with exclusive_run(store.make_engine(db_url)):  # nested: the same holder
            refused = refusal_in_another_thread(store.make_engine(db_url))
        assert isinstance(refused, RunInProgressError) and "another run is writing to" in str(refused)
    assert refusal_in_another_thread(engine) is None  # released when the block ended


def test_run_lock_hides_the_password_of_the_database_it_names(pg_server):
    from sqlalchemy.engine import make_url

    url = make_url(pg_server.create_database("locked")).set(password="s3cret")
    engine = store.make_engine(url.render_as_string(hide_password=False))
    try:
        with exclusive_run(engine):
            refused = refusal_in_another_thread(engine)
    finally:
        engine.dispose()
        pg_server.drop_database("locked")
    assert "s3cret" not in str(refused) and "***" in str(refused)


def test_run_lock_needs_none_for_an_in_memory_database():
    engine = store.make_engine("sqlite://")
    with exclusive_run(engine):
        assert refusal_in_another_thread(engine) is None  # each connection its own database


# SQLAlchemy 2.x warns that it picks its pool for such a URL from mode=memory: its choice, not ours.
@pytest.mark.filterwarnings("ignore:Selection of the SingletonThreadPool")
def test_run_lock_needs_none_for_an_in_memory_uri_database(tmp_path, monkeypatch):
    """A named in-memory database (a URI with mode=memory) is no file: no lock file appears where it
    is named, and another process's database of the same name, its own, is not refused."""
    monkeypatch.chdir(tmp_path)
    engine = store.make_engine("sqlite:///file:shared-t?mode=memory&cache=shared&uri=true")
    with exclusive_run(engine):
        assert refusal_in_another_thread(engine) is None
    assert list(tmp_path.iterdir()) == []


def test_run_lock_is_the_file_sqlite_opens_whatever_the_url_says(tmp_path):
    """A folder whose name needs quoting in a URL (é, :, @, %, #, =), a link to the database and a
    URI filename all name one lock: a run through any of them is refused while another holds it."""
    folder = tmp_path / "josé: @%#=x"
    folder.mkdir()
    database = folder / "t.db"
    plain = f"sqlite:///{database}"
    assert main(["run", WIRE, "--db", plain]) == 0
    (tmp_path / "link.db").symlink_to(database)
    uri_folder = tmp_path / "plain"
    uri_folder.mkdir()
    (uri_folder / "t.db").symlink_to(database)
    others = [f"sqlite:///{tmp_path / 'link.db'}", f"sqlite:///file:{uri_folder / 't.db'}?uri=true"]
    with holder(plain):
        assert [main(["run", WIRE, "--db", url]) for url in [plain, *others]] == [75, 75, 75]
    assert main(["run", WIRE, "--db", others[1]]) == 0  # the URI filename runs once the lock is free


def test_run_lock_is_taken_before_the_schema_is_created(tmp_path, capsys):
    """Two first runs on a new file: the second is refused before it creates any table (each would
    create them), so it fails as refused (75), never on a table that already exists."""
    database = tmp_path / "new.db"
    with holder(f"sqlite:///{database}"):
        assert main(["run", WIRE, "--db", f"sqlite:///{database}"]) == 75
    assert not database.exists()


def test_run_lock_a_lock_file_that_cannot_be_opened_is_one_line_exit_2(tmp_path, capsys):
    (tmp_path / "t.db.lock").mkdir()  # a folder where the lock file goes
    assert main(["run", WIRE, "--db", f"sqlite:///{tmp_path / 't.db'}"]) == 2
    error = capsys.readouterr().err
    assert error == f"error: cannot open the run lock {tmp_path / 't.db.lock'}: Is a directory\n"


def test_run_lock_lost_with_its_session_stops_the_run(pg_server):
    """The server ends the session holding the lock (a restart, a failover, an idle timeout): the
    run learns it before its next batch, instead of writing on beside a run that took the lock."""
    url = pg_server.create_database("lost")
    engine = store.make_engine(url)
    try:
        with exclusive_run(engine):
            run_lock.ensure_held(engine)  # held: nothing raised
            with store.make_engine(url).begin() as admin:
                ended = admin.execute(text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' "
                    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")).all()
            assert ended == [(True,)]
            with pytest.raises(RunLockLostError, match="lost the run lock on .*: this run stopped"):
                run_lock.ensure_held(engine)
        assert refusal_in_another_thread(engine) is None  # the block ended quietly, the lock free
    finally:
        engine.dispose()
        pg_server.drop_database("lost")


def test_run_lock_outlives_an_idle_session_timeout_between_batches(pg_server):
    """A server that ends idle sessions (idle_session_timeout, as a managed service may set) does not
    end the lock's, which sits idle while a batch is prepared."""
    url = pg_server.create_database("idle")
    with store.make_engine(url).begin() as admin:
        admin.execute(text("ALTER DATABASE idle SET idle_session_timeout = '300ms'"))
    engine = store.make_engine(url)
    try:
        with exclusive_run(engine):
            time.sleep(1)
            run_lock.ensure_held(engine)  # still held: nothing raised
    finally:
        engine.dispose()
        pg_server.drop_database("idle")


def test_run_lock_watch_refused_goes_on_to_its_next_cycle(tmp_path):
    """`watch` started while another run holds the database: its first cycle says so in one line and
    the watch goes on; once the lock is free, a cycle stores the input."""
    url = f"sqlite:///{tmp_path / 'watched.db'}"
    with holder(url):
        child = subprocess.Popen([sys.executable, "-m", "pipeline", "watch", WIRE, "--every", "0.5s",
                                  "--db", url, "--workers", "1"], cwd=REPO, stderr=subprocess.PIPE, text=True)
        first = child.stderr.readline()
    assert first == (f"cycle failed: RunInProgressError: another run is writing to {url}: this one stored "
                     "nothing; run it again once that one has ended\n")
    later = child.stderr.readline()
    child.send_signal(signal.SIGINT)
    _, rest = child.communicate(timeout=60)
    assert later.startswith("run 1 into ") and " stored," in later, later + rest
    assert child.returncode == 0 and "Traceback" not in rest


def test_run_lock_lost_mid_run_stops_the_run_before_its_next_batch(pg_server, resources, tmp_path):
    """The lock's session ended once the first batch is stored: the run stops there, that batch
    stays, and nothing more is written."""
    url = pg_server.create_database("midrun")
    engine = store.make_engine(url)
    texts = ["Seoul protested to Tokyo.", "Beijing warned Manila.", "Oslo summoned Moscow's envoy.",
             "Kyiv thanked Warsaw."]
    source = tmp_path / "wire.jsonl"
    source.write_text("".join(json.dumps({"id": str(n), "date": "2021-05-03", "text": text}) + "\n"
                              for n, text in enumerate(texts)), encoding="utf-8")

    def end_the_lock_session(counts):
        if counts["stored"] == 2 and not ended:
            with store.make_engine(url).begin() as admin:
                ended.extend(admin.execute(text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' "
                    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")).all())

    ended = []
    try:
        store.upgrade(engine)
        with pytest.raises(RunLockLostError):
            runner.run([source], engine, resources, on_article=end_the_lock_session, batch_size=2)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM articles")).scalar() == 2
        assert ended == [(True,)]
    finally:
        engine.dispose()
        pg_server.drop_database("midrun")
