"""Suite-wide fixtures and the rule for tests that need a real service.

A test marked ``postgres`` or ``redis`` skips when the service is not
configured (DATABASE_URL / CELERY_BROKER_URL), so `make test` passes on a
laptop; with REQUIRE_SERVICES=1 (CI) it fails instead of skipping.
"""

from __future__ import annotations

import os

import pytest
from django.conf import settings

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "").strip().lower() in {"1", "true", "yes"}


def missing_service(item: pytest.Item) -> str | None:
    engine = settings.DATABASES["default"]["ENGINE"]
    if item.get_closest_marker("postgres") and engine != "django.db.backends.postgresql":
        return "needs PostgreSQL: set DATABASE_URL=postgres://..."
    if item.get_closest_marker("redis") and not os.environ.get("CELERY_BROKER_URL"):
        return "needs a Celery broker: set CELERY_BROKER_URL=redis://..."
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    reason = missing_service(item)
    if reason is None:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but this test {reason}", pytrace=False)
    pytest.skip(reason)
