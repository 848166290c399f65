"""PostgreSQL, as Django's backend, with a cheaper health check.

With ``CONN_HEALTH_CHECKS`` Django sends ``SELECT 1`` before the first query
of every request, so a connection the server closed while it sat in a
worker is replaced instead of failing a user's request. That is one more
round trip in every request: at 10 connections on two cores, a third of the
groups API's exchanges with the database (issue 18).

Here a connection is trusted without the round trip when both hold:

- its last ``SELECT 1`` passed less than ``CHECKED_FOR`` seconds ago (as
  PgBouncer's ``server_check_delay``, whose default this is); and
- nothing is waiting on its socket. A server that closes a connection
  (``pg_terminate_backend``, a restart, a crash) sends its error message or
  its end of stream, which makes the socket readable at once; a healthy
  idle connection has nothing to read.

Otherwise Django's ``SELECT 1`` runs, as before. What the window leaves to
the next ``SELECT 1``: a server that vanished without a word (a host cut
off), which a ``SELECT 1`` would have waited on for TCP's time-out anyway.
"""

from __future__ import annotations

import select
import time

from django.db.backends.postgresql import base

__all__ = ["CHECKED_FOR", "DatabaseWrapper"]

CHECKED_FOR = 30.0


class DatabaseWrapper(base.DatabaseWrapper):
    _checked_at: float | None = None

    def close_if_health_check_failed(self) -> None:
        # Django's own attributes, which its type stubs leave out.
        state = vars(self)
        if (
            self.connection is not None
            and state.get("health_check_enabled")
            and not state.get("health_check_done")
            and self._trusted()
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def is_usable(self) -> bool:
        usable = bool(super().is_usable())
        self._checked_at = time.monotonic() if usable else None
        return usable

    def connect(self) -> None:
        # A new connection has just answered the server's start-up.
        super().connect()
        self._checked_at = time.monotonic()

    def _trusted(self) -> bool:
        checked = self._checked_at
        if checked is None or time.monotonic() - checked >= CHECKED_FOR:
            return False
        connection = self.connection
        if connection.closed or connection.broken:
            return False
        waiting = select.poll()
        waiting.register(connection.fileno(), select.POLLIN | select.POLLPRI)
        return not waiting.poll(0)
