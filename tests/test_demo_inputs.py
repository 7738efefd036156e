"""scripts/demo_inputs.py: `make demo` reads live feeds when they answer, the sample corpus when not."""

import subprocess
import sys
from pathlib import Path

from tests.web import Route, canned_web

REPO = Path(__file__).resolve().parents[1]
RSS = "<?xml version='1.0'?><rss version='2.0'><channel><title>t</title></channel></rss>"


def demo_inputs(feed_list: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "scripts/demo_inputs.py", str(feed_list), "data/sample"],
                          cwd=REPO, capture_output=True, text=True, timeout=60, check=True)


def test_demo_inputs_online_reads_the_feeds(tmp_path):
    with canned_web({"/rss": Route(RSS, content_type="application/rss+xml")}) as web:
        feeds = tmp_path / "feeds.txt"
        feeds.write_text(f"http://127.0.0.1:9/down  # nothing listens\n{web.url('/rss')}  # answers\n")
        result = demo_inputs(feeds)
    assert result.stdout.strip() == f"--feeds {feeds}"
    assert f"demo: online ({web.url('/rss')} answers)" in result.stderr


def test_demo_inputs_offline_reads_the_sample(tmp_path):
    feeds = tmp_path / "feeds.txt"
    feeds.write_text("http://127.0.0.1:9/a\nhttp://127.0.0.1:9/b\n")
    result = demo_inputs(feeds)
    assert result.stdout.strip() == "data/sample"
    assert "demo: offline" in result.stderr and "sample corpus data/sample" in result.stderr
