"""config.isotimes.iso_datetime writes what DRF's DateTimeField writes,
in the current time zone, across DST, with and without microseconds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone as django_timezone
from rest_framework import serializers

from config.isotimes import iso_datetime

VALUES = [
    datetime(2026, 1, 15, 9, 0, tzinfo=UTC),  # winter: London is UTC, "Z"
    datetime(2026, 7, 1, 9, 30, 15, 123456, tzinfo=UTC),  # summer, microseconds
    datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC),  # a second before the clocks go forward
    datetime(2026, 3, 29, 1, 0, tzinfo=UTC),  # the moment they do
    datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # the repeated hour, first time
    datetime(2026, 10, 25, 1, 30, tzinfo=UTC),  # and second
    datetime(2026, 5, 5, 12, 0, tzinfo=timezone(timedelta(hours=-5))),  # another offset
    datetime(2026, 5, 5, 12, 0, tzinfo=ZoneInfo("Asia/Kolkata")),
]


@pytest.mark.parametrize("zone", ["Europe/London", "UTC", "America/St_Johns"])
def test_it_writes_what_drfs_field_writes(zone):
    with django_timezone.override(ZoneInfo(zone)):
        drf = serializers.DateTimeField()
        for value in VALUES:
            assert iso_datetime(value) == drf.to_representation(value), (zone, value)


def test_none_stays_none():
    assert iso_datetime(None) is None
