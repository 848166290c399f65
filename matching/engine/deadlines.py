"""The run's clock: one deadline shared by every part, and what is left of it.

A run's time budget is a ``time.monotonic`` deadline (None: no limit).
Monotonic time is the same clock in forked worker processes, so one
deadline holds wherever a part is solved.
"""

from __future__ import annotations

from time import monotonic


def late(deadline: float | None) -> bool:
    """Whether the run's ``deadline`` (``time.monotonic``) has passed."""
    return deadline is not None and monotonic() >= deadline


def deadline_after(seconds: float | None) -> float | None:
    """The ``time.monotonic`` deadline ``seconds`` from now (None: no limit)."""
    return None if seconds is None else monotonic() + seconds


def seconds_left(deadline: float | None) -> float | None:
    """Seconds a solver may still take (at least 0.05: HiGHS needs a positive limit)."""
    return None if deadline is None else max(deadline - monotonic(), 0.05)
