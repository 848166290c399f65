"""Turns at PostgreSQL's connections across `make test`'s parallel processes.

The concurrency tests (tests/matching/test_approve_concurrency.py,
test_concurrency_kinds.py) open about 100 connections at once, PostgreSQL's
default max_connections. Run beside a browser test, whose live server opens
a connection per request thread, they left it none: "sorry, too many clients
already", and the browser test failed. So they hold a file lock alone, and
each browser test holds it shared: browser tests run beside each other, never
beside the concurrency tests. The lock is a file in the run's shared
temporary folder (one per run, seen by every pytest-xdist process).
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["postgres_connections_turn"]


@contextmanager
def postgres_connections_turn(tmp_path_factory: Any, *, exclusive: bool) -> Iterator[None]:
    """Wait for, then hold, this run's turn: alone (``exclusive``), or beside
    the other shared holders."""
    lock = tmp_path_factory.getbasetemp().parent / "backer-postgres-connections.lock"
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
