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


@pytest.fixture
def personas(db):  # type: ignore[no-untyped-def]
    """The cast of the permission tests.

    alice is on anchor A's team, bob on anchor B's; carol sits on A's board;
    dave is the contact of group_a, erin the contact of another group;
    root is an admin.
    """
    from types import SimpleNamespace

    from tests import factories as f

    anchor_a = f.AnchorFactory(slug="anchor-a", name="Salford Royal Test Trust")
    anchor_b = f.AnchorFactory(slug="anchor-b", name="Test Housing Association")
    group_a = f.CommunityGroupFactory(name="Ordsall Lunch Club")
    group_b = f.CommunityGroupFactory(name="Irwell Litter Pickers")
    return SimpleNamespace(
        anchor_a=anchor_a,
        anchor_b=anchor_b,
        group_a=group_a,
        group_b=group_b,
        alice=f.member(anchor_a, "team", username="alice"),
        bob=f.member(anchor_b, "team", username="bob"),
        carol=f.member(anchor_a, "board", username="carol"),
        dave=f.contact_of(group_a, username="dave"),
        erin=f.contact_of(group_b, username="erin"),
        root=f.UserFactory(username="root", is_staff=True, is_superuser=True),
    )
