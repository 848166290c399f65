"""The health check of config.pgbackend: a connection the server closed is
replaced before a request uses it; one checked moments ago, with nothing
on its socket, costs no SELECT 1 (issue 18)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.db import connection, connections
from django.db.backends.postgresql import base as django_postgresql

from config import pgbackend
from config.pgbackend import base as backer_postgresql

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def worker_db() -> Any:
    """A connection as a gunicorn worker holds one: its own, kept between
    requests, health-checked (production's settings)."""
    db = backer_postgresql.DatabaseWrapper(
        {**connection.settings_dict, "CONN_MAX_AGE": 600, "CONN_HEALTH_CHECKS": True},
        alias="worker",
    )
    yield db
    db.close()


def serve(db: Any) -> int:
    """One request: Django's request_started and request_finished around a
    query; the server process that answered it."""
    db.close_if_unusable_or_obsolete()
    with db.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = int(cursor.fetchone()[0])
    db.close_if_unusable_or_obsolete()
    return pid


@pytest.fixture
def select_ones(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per SELECT 1 that Django's health check sends."""
    sent: list[int] = []
    django_is_usable = django_postgresql.DatabaseWrapper.is_usable

    def counted(self: Any) -> bool:
        sent.append(1)
        return bool(django_is_usable(self))

    monkeypatch.setattr(django_postgresql.DatabaseWrapper, "is_usable", counted)
    return sent


def test_postgresql_is_served_through_backers_backend() -> None:
    assert isinstance(connections["default"], backer_postgresql.DatabaseWrapper)
    assert connection.settings_dict["ENGINE"] == pgbackend.__name__


def test_a_connection_the_server_closed_is_replaced_before_a_request_uses_it(
    worker_db: Any,
) -> None:
    first = serve(worker_db)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [first])
        for _ in range(100):  # the server's process ends moments later
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [first])
            if not cursor.fetchone()[0]:
                break
            time.sleep(0.05)
    # Checked moments ago, but the server's goodbye is waiting on the socket:
    # the request gets a new connection, not an error.
    second = serve(worker_db)
    assert second != first


def test_a_connection_checked_moments_ago_costs_no_select_1(
    worker_db: Any, select_ones: list[int]
) -> None:
    served = {serve(worker_db) for _ in range(5)}
    assert len(served) == 1  # one connection, kept
    assert select_ones == []


def test_past_its_window_a_connection_is_checked_again(
    worker_db: Any, select_ones: list[int]
) -> None:
    serve(worker_db)
    worker_db._checked_at -= backer_postgresql.CHECKED_FOR
    serve(worker_db)
    assert select_ones == [1]
    serve(worker_db)  # and that check starts a new window
    assert select_ones == [1]
