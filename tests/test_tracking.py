"""The watch loop and its interval; run over files and feeds together."""

import pytest

from pipeline import tracking
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
