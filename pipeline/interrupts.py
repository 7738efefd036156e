"""Ctrl-C (and, where a command asks, SIGTERM) that always ends a command.

Python raises KeyboardInterrupt wherever the main thread happens to be. When that is a garbage
collector's weakref callback (SQLAlchemy registers some), Python prints "Exception ignored ..." with a
traceback and drops the exception, and the run goes on as if nothing was pressed. Within
`with INTERRUPTS:` a Ctrl-C is remembered, a dropped one is not printed, and `INTERRUPTS.check()`
(called by the command line after each stored article, once its batch is committed) raises it again.

SIGTERM (`kill`, systemd, `docker stop`, `timeout`) ends Python at once, without running `finally`
blocks; within `INTERRUPTS.terminable()` it raises Terminated instead, so that what a command
leaves half-done (an export's partial file) is cleaned up on the way out.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Terminated(BaseException):
    """SIGTERM, raised like KeyboardInterrupt: not an Exception, so `except Exception` lets it by."""


STOPS = {signal.SIGINT: KeyboardInterrupt, signal.SIGTERM: Terminated}


class Interrupts:
    """Remembers Ctrl-C while active; outside the main thread (no handler can be set) does nothing."""

    def __init__(self) -> None:
        self.pending = False
        self._stop: type[BaseException] = KeyboardInterrupt  # what check() raises again
        self._saved: tuple | None = None

    def __enter__(self) -> Interrupts:
        self.pending, self._stop = False, KeyboardInterrupt
        if threading.current_thread() is threading.main_thread():
            self._saved = (signal.signal(signal.SIGINT, self._on_signal), sys.unraisablehook)
            sys.unraisablehook = self._on_unraisable
        return self

    def __exit__(self, *_exc) -> None:
        if self._saved:
            signal.signal(signal.SIGINT, self._saved[0])
            sys.unraisablehook = self._saved[1]
            self._saved = None

    @contextmanager
    def terminable(self) -> Iterator[None]:
        """Within, SIGTERM raises Terminated and is remembered as Ctrl-C is. Only where a command
        asks: `run`'s forked workers would inherit the handler (a broken process pool ends its
        workers with SIGTERM), and a run killed outright loses nothing: each batch is a transaction."""
        if not self._saved:  # not entered, or not the main thread
            yield
            return
        saved = signal.signal(signal.SIGTERM, self._on_signal)
        try:
            yield
        finally:
            signal.signal(signal.SIGTERM, saved)

    def check(self) -> None:
        """Raise the Ctrl-C (or SIGTERM) that Python dropped, if there was one."""
        if self.pending:
            raise self._stop

    def _on_signal(self, signum, _frame) -> None:
        self.pending, self._stop = True, STOPS[signum]
        raise self._stop

    def _on_unraisable(self, info) -> None:
        if not issubclass(info.exc_type, tuple(STOPS.values())):
            self._saved[1](info)


INTERRUPTS = Interrupts()
