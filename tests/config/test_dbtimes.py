"""Date-times from PostgreSQL: parsed by psycopg's C loader (config/dbtimes.py),
with exactly the values Django's own loader gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import BaseTzLoader
from psycopg.pq import Format

from config.dbtimes import FastTimestamptzLoader, timestamptz_loader
from partners.models import CommunityGroup
from tests.factories import CommunityGroupFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

OID = 1184  # timestamptz

# Around the UK's clock changes, a leap day, the epoch, microseconds and none.
MOMENTS = [
    "2026-03-29 00:59:59.999999+00",
    "2026-03-29 01:00:00+00",
    "2026-10-25 00:30:00.5+00",
    "2026-10-25 01:30:00+01",
    "2024-02-29 23:59:59.000001-05:30",
    "1970-01-01 00:00:00+00",
    "0001-01-02 00:00:00+00",
    "9999-12-31 23:59:59.999999+00",
]


def _loaders():
    with connection.cursor() as cursor:
        used = cursor.cursor.adapters.get_loader(OID, Format.TEXT)
    return used


def test_connections_read_timestamptz_with_the_c_parsing_loader():
    connection.ensure_connection()
    used = _loaders()
    assert issubclass(used, FastTimestamptzLoader)
    assert used.timezone == connection.timezone
    # psycopg[binary]'s C loader does the parsing, not the Python one Django subclasses.
    with connection.cursor() as cursor:
        loader = used(OID, cursor.cursor)
    assert type(loader._parse.__self__).__module__.startswith("psycopg_binary")


@pytest.mark.parametrize("session_zone", ["UTC", "Europe/London"])
@pytest.mark.parametrize("moment", MOMENTS)
def test_each_value_equals_what_djangos_own_loader_reads(moment, session_zone):
    """Also when the session's time zone is not Django's (a role's default
    time zone, say): Django then keeps the wall time and replaces the zone,
    and so must this loader."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL TIME ZONE %s", [session_zone])
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::timestamptz, %s::timestamptz::text", [moment, moment])
        fast, text = cursor.fetchone()
        django_loader = type("Tz", (BaseTzLoader,), {"timezone": connection.timezone})
        expected = django_loader(OID, cursor.cursor).load(text.encode())
    assert fast == expected
    assert fast.tzinfo is expected.tzinfo is UTC
    assert fast.isoformat() == expected.isoformat()


def test_a_model_field_reads_back_the_instant_it_stored():
    when = datetime(2026, 10, 25, 1, 30, 15, 123456, tzinfo=timezone(timedelta(hours=1)))
    group = CommunityGroupFactory(last_checked_at=when)
    read = CommunityGroup.objects.values_list("last_checked_at", flat=True).get(pk=group.pk)
    assert read == when
    assert read.tzinfo is UTC


def test_the_loader_class_is_made_once_per_time_zone():
    assert timestamptz_loader(UTC) is timestamptz_loader(UTC)
    assert timestamptz_loader(None).timezone is None
