"""A run's working data kept in Redis between its tasks: the result backend's Redis.

A fanned-out run keeps its inputs, parts and solutions there
(matching/services/fanout.py); a run with floors keeps its problem there for
the price of fairness, worked out after the run (matching/services/price.py).
Redis writes 80 MB in 0.1 s where a bytea column took 2.5 s. Every key
expires: the data is needed for minutes, and a run that ends badly leaves
nothing behind for long.

Pickle, because these are engine values (numpy arrays in dataclasses) that
only Backer's own workers write and read, in its own Redis.
"""

from __future__ import annotations

import pickle
from functools import cache
from typing import Any

from celery import current_app


class WorkingDataLost(Exception):
    """Redis no longer holds what a run stored (expired or flushed), or there is none."""


def payload_url() -> str | None:
    """The Redis that holds runs' working data: the result backend's (None: no Redis)."""
    backend = current_app.conf.result_backend
    if isinstance(backend, str) and backend.startswith(("redis://", "rediss://")):
        return backend
    return None


@cache
def _client(url: str) -> Any:
    import redis

    return redis.Redis.from_url(url)


def working_store() -> Any:
    """The Redis client; raises WorkingDataLost when there is no Redis result backend."""
    url = payload_url()
    if url is None:
        raise WorkingDataLost("no Redis result backend to keep a run's working data in")
    return _client(url)


def dumps(value: Any) -> bytes:
    # Protocol 5 writes numpy arrays' buffers as they are, without copies.
    return pickle.dumps(value, protocol=5)


def loads(data: bytes) -> Any:
    return pickle.loads(data)  # noqa: S301 - written by Backer's own workers (dumps)
