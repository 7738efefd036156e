"""Ctrl-C that always ends a run.

Python raises KeyboardInterrupt wherever the main thread happens to be. When that is a garbage
collector's weakref callback (SQLAlchemy registers some), Python prints "Exception ignored ..." with a
traceback and drops the exception, and the run goes on as if nothing was pressed. Within
`with INTERRUPTS:` a Ctrl-C is remembered, a dropped one is not printed, and `INTERRUPTS.check()`
(called by the command line after each stored article, once its batch is committed) raises it again.
"""

from __future__ import annotations

import signal
import sys
import threading


class Interrupts:
    """Remembers Ctrl-C while active; outside the main thread (no handler can be set) does nothing."""

    def __init__(self) -> None:
        self.pending = False
        self._saved: tuple | None = None

    def __enter__(self) -> Interrupts:
        self.pending = False
        if threading.current_thread() is threading.main_thread():
            self._saved = (signal.signal(signal.SIGINT, self._on_signal), sys.unraisablehook)
            sys.unraisablehook = self._on_unraisable
        return self

    def __exit__(self, *_exc) -> None:
        if self._saved:
            signal.signal(signal.SIGINT, self._saved[0])
            sys.unraisablehook = self._saved[1]
            self._saved = None

    def check(self) -> None:
        """Raise the Ctrl-C that Python dropped, if there was one."""
        if self.pending:
            raise KeyboardInterrupt

    def _on_signal(self, _signum, _frame) -> None:
        self.pending = True
        raise KeyboardInterrupt

    def _on_unraisable(self, info) -> None:
        if not issubclass(info.exc_type, KeyboardInterrupt):
            self._saved[1](info)


INTERRUPTS = Interrupts()
