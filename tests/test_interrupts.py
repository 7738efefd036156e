"""Ctrl-C is never lost: one that lands in a weakref callback (where Python drops it) is raised again."""

import os
import signal
import sys
import weakref

import pytest

from pipeline.interrupts import Interrupts


class Thing:
    pass


def ctrl_c_inside_a_weakref_callback() -> None:
    def callback(_ref):
        os.kill(os.getpid(), signal.SIGINT)  # the handler runs here, inside the callback
        sum(range(10_000))

    thing = Thing()
    ref = weakref.ref(thing, callback)  # noqa: F841 - the callback needs the ref alive
    del thing


def test_interrupts_a_dropped_ctrl_c_is_raised_again_without_a_traceback(capsys):
    with Interrupts() as stop:
        ctrl_c_inside_a_weakref_callback()  # Python drops the KeyboardInterrupt here
        assert stop.pending
        with pytest.raises(KeyboardInterrupt):
            stop.check()
    assert "Traceback" not in capsys.readouterr().err


def test_interrupts_restores_the_handlers_and_checks_nothing_without_ctrl_c():
    before = signal.getsignal(signal.SIGINT), sys.unraisablehook
    with Interrupts() as stop:
        stop.check()
        assert signal.getsignal(signal.SIGINT) != before[0]
    assert (signal.getsignal(signal.SIGINT), sys.unraisablehook) == before
