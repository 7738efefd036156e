"""The watch loop and its interval; Ctrl-C in `run` and `watch`."""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from pipeline import store, tracking
from pipeline.cli import main


def test_tracking_watch_runs_every_interval_and_survives_a_failed_cycle():
    calls, slept, reported = [], [], []

    def cycle():
        calls.append(len(calls))
        if len(calls) == 2:
            raise OSError("database is locked\nsecond line")

    tracking.watch(cycle, 60.0, reported.append, sleep=slept.append, cycles=3, first_delay=5.0)
    assert calls == [0, 1, 2]
    assert reported == ["cycle failed: OSError: database is locked"]
    assert slept[0] == 5.0 and len(slept) == 3 and all(55 < s <= 60 for s in slept[1:])


@pytest.mark.parametrize("text", ["", "15x", "-5m", "0", "m"])
def test_tracking_bad_interval_is_refused(text):
    with pytest.raises(ValueError, match="not an interval"):
        tracking.parse_interval(text)


def test_tracking_watch_with_a_bad_interval_is_a_usage_error(tmp_path, capsys):
    assert main(["watch", "data/sample", "--every", "soon", "--db", f"sqlite:///{tmp_path / 'x.db'}"]) == 2
    assert "not an interval: 'soon'" in capsys.readouterr().err


def test_tracking_ctrl_c_stops_a_run_with_exit_130_and_a_watch_with_0(tmp_path):
    """A real SIGINT to a real process, sent once it has stored a first batch: `run` ends with 130,
    `watch` (interrupted in its first cycle) with 0; neither prints a traceback."""
    repo = Path(__file__).resolve().parents[1]
    stories = tmp_path / "many.jsonl"
    stories.write_text("".join(json.dumps({"id": str(n), "date": "2024-03-01", "text": (
        f"Report {n}. Seoul warned Pyongyang on Monday that it would answer any provocation near the "
        f"border island, officials said in statement number {n}.")}) + "\n" for n in range(40_000)))
    for command, expected in (("run", 130), ("watch", 0)):
        db = f"sqlite:///{tmp_path / command}.db"
        child = subprocess.Popen([sys.executable, "-m", "pipeline", command, str(stories), "--db", db,
                                  "--workers", "1"] + (["--every", "1h"] if command == "watch" else []),
                                 cwd=repo, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not _stored_any(db) and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.2)
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=60)
        assert child.returncode == expected, err
        assert "Traceback" not in err and ("interrupted" in err or "watch stopped" in err)


def _stored_any(db: str) -> bool:
    try:
        with store.make_engine(db).connect() as conn:
            return conn.execute(select(func.count()).select_from(store.articles)).scalar_one() > 0
    except OperationalError:  # not created yet
        return False


def test_tracking_watch_reads_a_feed_again_and_again_and_stops_on_ctrl_c(tmp_path):
    """A real `watch --every 0.5s` process on a feed of a local server: the first cycle stores the item,
    later cycles read the feed again and fetch nothing new; Ctrl-C ends it with 0."""
    from tests.web import Route, canned_web

    repo = Path(__file__).resolve().parents[1]
    text = ("Norway summoned Russia's ambassador and condemned the jamming of navigation signals over "
            "Finnmark, warning that it would answer any repeat.")
    routes = {"/robots.txt": Route("", content_type="text/plain"),
              "/news/1": Route(f"<html><head><title>Oslo summons envoy</title></head><body><article>"
                               f"<p>{text}</p><p>{text}</p></article></body></html>")}
    with canned_web(routes) as web:
        routes["/feed.xml"] = Route(
            f"<rss version='2.0'><channel><title>Nordic Wire</title><item><title>Oslo summons envoy"
            f"</title><link>{web.url('/news/1')}</link><pubDate>Mon, 01 Jul 2024 08:00:00 GMT</pubDate>"
            f"</item></channel></rss>", content_type="application/rss+xml")
        db = f"sqlite:///{tmp_path / 'watch.db'}"
        child = subprocess.Popen([sys.executable, "-m", "pipeline", "watch", "--feed", web.url("/feed.xml"),
                                  "--every", "0.5s", "--db", db, "--workers", "1", "--host-interval", "0"],
                                 cwd=repo, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while web.hits["/feed.xml"] < 3 and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.1)
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=60)
    assert child.returncode == 0 and "watch stopped" in err and "Traceback" not in err, err
    assert web.hits["/feed.xml"] >= 3 and web.hits["/news/1"] == 1
    assert err.count(": 1 stored,") == 1 and err.count(": 0 stored,") >= 1
