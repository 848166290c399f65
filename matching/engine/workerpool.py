"""A run's jobs in worker processes: which run side by side, and stopping early.

:func:`run_jobs` runs jobs (a run's parts, a batch of them each) in this
process or in forked workers; :func:`jobs_to_start` keeps the edges held at
once within :data:`POOL_MAX_EDGES`. A caller that needs only the first of
its jobs, in their order, says when it has enough, and the rest are not
started or are stopped (:func:`~matching.engine.deadlines.stoppable`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any, TypeVar

from .deadlines import stoppable

#: Edges the worker processes' flows may hold at once: jobs (parts) run side
#: by side only while their edges add up to at most this, and a larger one
#: runs alone. OR-Tools holds about 90 bytes an edge while it solves a flow
#: (2 million random edges: 170 MB); the second generator's 300,000 x 15,000
#: has two parts of 12 million edges, which took 4.0 GB beside the parent's
#: 2.0 GB when solved at once. England's largest parts (100,000 x 5,000:
#: 0.94 and 0.91 million edges on the second generator's towns, 0.26 million
#: on the first's) still run side by side.
POOL_MAX_EDGES = 4_000_000

T = TypeVar("T")


def run_jobs(
    job: Callable[[int], T],
    order: Sequence[int],
    size: Sequence[int],
    *,
    workers: int,
    context: Any = None,
    enough: Callable[[dict[int, T]], bool] | None = None,
) -> dict[int, T]:
    """``job(b)`` for each job ``b`` of ``order``, with its results by job.

    In ``workers`` processes forked from ``context`` (a multiprocessing
    context; with None or one worker, in this process), started in
    ``order`` as far as :func:`jobs_to_start` lets them (``size``: each
    job's edges). With ``enough``, the jobs end at the first prefix of
    ``order`` whose results make ``enough(results)`` true: the jobs after it
    are not started, those running are stopped, and only the prefix's
    results are returned, so the same jobs count whatever the number of
    processes (and, if each job is, the results are deterministic).
    """
    done: dict[int, T] = {}
    if context is None or workers <= 1:
        for b in order:
            done[b] = job(b)
            if enough is not None and enough(done):
                break
        return done
    # Looked up at the call (tests stand in for the executor).
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    waiting = list(order)
    running: dict[Future[T], int] = {}
    prefix = 0  # the jobs of order[:prefix] are done, and not enough
    kept: dict[int, T] | None = None
    with stoppable(context) as stop, ProcessPoolExecutor(workers, mp_context=context) as pool:
        while waiting or running:
            for b in jobs_to_start(waiting, [size[r] for r in running.values()], size, workers):
                waiting.remove(b)
                running[pool.submit(job, b)] = b
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                done[running.pop(future)] = future.result()
            # Each prefix in turn, as one process would have seen them.
            while enough is not None and kept is None and prefix < len(order):
                if order[prefix] not in done:
                    break
                prefix += 1
                firsts = {b: done[b] for b in order[:prefix]}
                if enough(firsts):
                    kept = firsts
                    waiting.clear()
                    stop()
    return done if kept is None else kept


def jobs_to_start(
    waiting: Sequence[int], running: Sequence[int], size: Sequence[int], workers: int
) -> list[int]:
    """Which of the ``waiting`` jobs to start now, in their order, beside jobs
    of ``running`` edges in ``workers`` processes: as many as there are free
    processes, while the edges of the jobs running add up to at most
    :data:`POOL_MAX_EDGES`; a job larger than that starts only alone. A job
    that does not fit waits, and smaller ones after it go ahead."""
    held = sum(running)
    start: list[int] = []
    for b in waiting:
        if len(running) + len(start) >= workers:
            break
        if held + size[b] <= POOL_MAX_EDGES or not (running or start):
            start.append(b)
            held += size[b]
    return start


def fork_context() -> Any:
    """The fork context, or None where there is none (not on Linux)."""
    import multiprocessing as mp

    # fork starts a worker in milliseconds (spawn re-imports numpy, scipy
    # and OR-Tools: about a second) and shares the parts without copying.
    # Without fork the parts must be pickled to each worker, which
    # runparts' _SHARED does not do: solve in this process there.
    return mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
