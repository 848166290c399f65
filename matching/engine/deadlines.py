"""The run's clock: one deadline shared by every part, and what is left of it.

A run's time budget is a ``time.monotonic`` deadline (None: no limit).
Monotonic time is the same clock in forked worker processes, so one
deadline holds wherever a part is solved.

A run's worker processes can also be *stopped* before their deadline, by
the process that forked them (:func:`stoppable`): once the parts refined so
far bring the run within its gap, the refinements still running are of no
use (:func:`~matching.engine.runparts.solve_parts`). A stopped process is
:func:`late` whatever its deadline, and its MILPs are interrupted
(:mod:`matching.engine.highs`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from time import monotonic
from typing import Any

# The flag of the block of :func:`stoppable` this process was forked in (or
# runs): a byte in shared memory, which the forking process sets.
_stop: Any = None


def late(deadline: float | None) -> bool:
    """Whether the run's ``deadline`` (``time.monotonic``) has passed, or its
    worker processes were stopped."""
    return stopped() or (deadline is not None and monotonic() >= deadline)


def deadline_after(seconds: float | None) -> float | None:
    """The ``time.monotonic`` deadline ``seconds`` from now (None: no limit)."""
    return None if seconds is None else monotonic() + seconds


def seconds_left(deadline: float | None) -> float | None:
    """Seconds a solver may still take (at least 0.05: HiGHS needs a positive limit)."""
    if stopped():
        return 0.05
    return None if deadline is None else max(deadline - monotonic(), 0.05)


def stopped() -> bool:
    """Whether the process that forked this one has stopped it (:func:`stoppable`)."""
    return _stop is not None and bool(_stop.value)


@contextmanager
def stoppable(context: Any) -> Iterator[Callable[[], None]]:
    """A block whose worker processes (forked in it from ``context``, a
    multiprocessing context) can be stopped: it gives the function that
    stops them (and this process, until the block ends)."""
    global _stop
    flag = context.RawValue("b", 0)
    _stop = flag
    try:
        yield lambda: setattr(flag, "value", 1)
    finally:
        _stop = None
