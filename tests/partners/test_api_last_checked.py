"""/api/groups/ says when each group was last checked (the yearly re-check),
to the public and to anchor teams, read-only, as the schema declares."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from drf_spectacular.generators import SchemaGenerator

from partners.models import CommunityGroup

CHECKED = datetime(2026, 3, 3, 9, 30, tzinfo=UTC)


@pytest.fixture
def checked(personas):  # type: ignore[no-untyped-def]
    CommunityGroup.objects.filter(pk=personas.group_a.pk).update(last_checked_at=CHECKED)
    return personas


def _row(rows, group):  # type: ignore[no-untyped-def]
    return next(row for row in rows if row["id"] == group.pk)


@pytest.mark.parametrize("who", [None, "alice"])
def test_the_list_and_the_group_say_when_it_was_last_checked(client, checked, who):
    if who:
        client.force_login(getattr(checked, who))

    listed = _row(client.get("/api/groups/").json()["results"], checked.group_a)
    one = client.get(f"/api/groups/{checked.group_a.pk}/").json()

    for body in (listed, one):
        assert datetime.fromisoformat(body["last_checked_at"]) == CHECKED
    assert ("contact_email" in one) is bool(who)


def test_it_cannot_be_written_through_the_api(client, checked):
    client.force_login(checked.alice)

    response = client.post(
        f"/api/groups/{checked.group_a.pk}/reject/",
        {"reason": "Test", "last_checked_at": "2030-01-01T00:00:00Z"},
        content_type="application/json",
    )

    assert response.status_code == 400 and "last_checked_at" in response.content.decode()
    assert CommunityGroup.objects.get(pk=checked.group_a.pk).last_checked_at == CHECKED


@pytest.fixture(scope="module")
def schema():  # type: ignore[no-untyped-def]
    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.mark.parametrize("shape", ["PublicGroup", "TeamGroup"])
def test_the_schema_declares_it_a_read_only_date_time(schema, shape):
    field = schema["components"]["schemas"][shape]["properties"]["last_checked_at"]

    assert (field["type"], field["format"], field["readOnly"]) == ("string", "date-time", True)
    assert "re-check" in field["description"]
