"""The migration that brings in the yearly re-check counts every existing
group as checked when it was verified, or, never reviewed, when created."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from partners.models import CommunityGroup
from tests.assessment.test_moved_tables import migrated_back  # noqa: F401  (a fixture)

BEFORE = [("partners", "0008_merge_grants_kind_directory_indexes")]
AFTER = [("partners", "0010_group_last_checked_required")]


def migrate(targets):  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("migrated_back")
def test_existing_groups_were_last_checked_when_verified_else_when_created():  # type: ignore[no-untyped-def]
    old = migrate(BEFORE)
    group = old.get_model("partners", "CommunityGroup")
    verified_on = datetime(2025, 6, 1, 10, 0, tzinfo=UTC)
    created_on = datetime(2024, 11, 5, 8, 30, tzinfo=UTC)
    verified = group.objects.create(name="Verified Before", status="verified")
    pending = group.objects.create(name="Never Reviewed", status="pending")
    group.objects.filter(pk=verified.pk).update(reviewed_at=verified_on, created_at=created_on)
    group.objects.filter(pk=pending.pk).update(created_at=created_on)

    migrate(AFTER)

    checked = dict(CommunityGroup.objects.values_list("name", "last_checked_at"))
    assert checked == {"Verified Before": verified_on, "Never Reviewed": created_on}
