"""Wall time by pipeline stage, for `bench`: a lap clock the stages call as they finish.

    >>> clock = StageClock()
    >>> clock.lap("read"); clock.lap("clean")
    >>> sorted(clock.seconds) == ["clean", "read"] and all(s >= 0 for s in clock.seconds.values())
    True

The stages pass OFF by default, whose lap does nothing: the hot path pays one method call a stage.
"""

from __future__ import annotations

from time import perf_counter

# The stages in pipeline order, as `bench` reports them.
STAGES = ("read", "clean", "sign", "actors", "split", "rhetoric", "attribution", "store", "index")


class StageClock:
    """lap(stage) charges the time since the previous lap (or since the clock started) to `stage`."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = perf_counter()

    def lap(self, stage: str) -> None:
        now = perf_counter()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self._last
        self._last = now


class _Off:
    def lap(self, stage: str) -> None:
        pass


OFF = _Off()
