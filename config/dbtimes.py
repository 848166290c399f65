"""Date-times read from PostgreSQL by psycopg's C loader (issue 18).

Django's psycopg 3 backend reads every ``timestamptz`` through a loader it
derives from psycopg's *pure-Python* ``TimestamptzLoader`` (to set the
tzinfo it wants; Django ticket #36960), so the C loader that
``psycopg[binary]`` ships is never used: about 10 microseconds a value, half
a millisecond for the 50 dates of one API page, more than the page's SQL.

``fast_timestamptz`` (on ``connection_created``) registers, on each new
PostgreSQL connection, a loader with Django's exact semantics (the value in
the session's time zone, its tzinfo replaced by Django's connection time
zone, the ``timezone`` attribute Django's ``create_cursor`` compares) whose
parsing is psycopg's C loader's. Without the C extension it is the Python
one again: same values, no gain.
"""

from __future__ import annotations

from datetime import tzinfo
from functools import lru_cache
from typing import Any

import psycopg
from psycopg.adapt import Buffer, Loader
from psycopg.pq import Format

__all__ = ["FastTimestamptzLoader", "fast_timestamptz", "timestamptz_loader"]


class FastTimestamptzLoader(Loader):
    """Django's BaseTzLoader, parsing in C: the value in the session's time
    zone, its tzinfo replaced by ``timezone``."""

    # What Django's create_cursor compares with its connection's time zone:
    # equal, so it keeps this loader rather than registering its own.
    timezone: tzinfo | None = None

    def __init__(self, oid: int, context: Any = None) -> None:
        super().__init__(oid, context)
        # psycopg's default class: the C one with psycopg[binary] (an
        # AdaptersMap registers the optimised class of what it is given).
        default = psycopg.adapters.get_loader(oid, Format.TEXT)
        assert default is not None
        self._parse = default(oid, context).load

    def load(self, data: Buffer) -> Any:
        return self._parse(data).replace(tzinfo=self.timezone)


@lru_cache
def timestamptz_loader(timezone: tzinfo | None) -> type[FastTimestamptzLoader]:
    """The loader class for Django's connection time zone ``timezone``."""
    return type("TimestamptzLoader", (FastTimestamptzLoader,), {"timezone": timezone})


def fast_timestamptz(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: the C-parsing loader on a new
    PostgreSQL (psycopg 3) connection."""
    if connection.vendor != "postgresql" or not hasattr(connection.connection, "adapters"):
        return
    connection.connection.adapters.register_loader(
        "timestamptz", timestamptz_loader(connection.timezone)
    )
