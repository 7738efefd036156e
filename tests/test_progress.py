"""The run's per-article callback: Ctrl-C checked, progress shown on a terminal."""

import sys

import pytest


def test_progress_ends_the_run_at_a_pending_ctrl_c_on_a_terminal_or_not(monkeypatch):
    """The per-article callback raises a Ctrl-C that Python dropped, with a bar or without."""
    import os
    import pty
    from collections import Counter

    from pipeline.interrupts import INTERRUPTS
    from pipeline.progress import run_progress

    main_end, terminal_end = pty.openpty()
    terminal = os.fdopen(terminal_end, "w")
    try:
        for stderr in (sys.stderr, terminal):  # pytest's capture is no terminal
            monkeypatch.setattr(sys, "stderr", stderr)
            with run_progress() as update:
                update(Counter(stored=1))  # nothing pending: the run goes on
                monkeypatch.setattr(INTERRUPTS, "pending", True)
                with pytest.raises(KeyboardInterrupt):
                    update(Counter(stored=2))
                monkeypatch.setattr(INTERRUPTS, "pending", False)
    finally:
        terminal.close()
        os.close(main_end)
