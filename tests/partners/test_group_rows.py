"""PublicGroupSerializer builds its rows directly (issue 18: DRF's field-by-field
path cost more than the page's queries), from a group or, in the API list,
from a plain row (values(): no model instance). Each must be exactly what the
declared fields give through DRF's own path, key for key and in order, for
every kind of group the public list shows: a home-based group (no postcode,
no point), a group without a neighbourhood or decile, with and without themes,
read as the API list reads them (only its columns, themes in the row)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from rest_framework import serializers

from partners.selectors import group_list_lean, group_visible_to
from partners.serializers import PublicGroupSerializer, TeamGroupSerializer
from tests import factories as f


@pytest.fixture
def groups(db):  # type: ignore[no-untyped-def]
    plain = f.CommunityGroupFactory(
        name="A plain group", website="https://example.org/", public_email="hi@example.org"
    )
    f.ActivityFactory(group=plain, themes=["food", "older-people"])
    f.ActivityFactory(group=plain, themes=["food"])
    home = f.CommunityGroupFactory(name="B at home", meets_at_home=True, postcode="M6 7QQ")
    f.ActivityFactory(group=home, themes=["loneliness-and-isolation"])
    f.CommunityGroupFactory(name="C nowhere", neighbourhood=None, postcode="")
    undecided = f.CommunityGroupFactory(name="D no decile")
    undecided.neighbourhood.imd_decile = None
    undecided.neighbourhood.save()
    f.CommunityGroupFactory(
        name="E summer", last_checked_at=dt.datetime(2026, 7, 1, 9, 30, tzinfo=dt.UTC)
    )


def _page(serializer, rows=False):  # type: ignore[no-untyped-def]
    return list(
        group_list_lean(
            queryset=group_visible_to(user=AnonymousUser()),
            columns=serializer.columns(),
            rows=rows,
        )
    )


def test_each_public_row_is_what_drfs_own_path_gives(groups):
    page = _page(PublicGroupSerializer)
    plain = _page(PublicGroupSerializer, rows=True)
    assert len(page) == len(plain) == 5
    for group, row in zip(page, plain, strict=True):
        serializer = PublicGroupSerializer(group)
        fast = serializer.to_representation(group)
        from_row = serializer.to_representation(row)
        slow = serializers.ModelSerializer.to_representation(serializer, group)
        assert list(fast.items()) == list(slow.items()), group.name
        assert list(from_row.items()) == list(slow.items()), group.name
    rows = {row["name"]: row for row in PublicGroupSerializer(plain, many=True).data}
    home = rows["B at home"]
    assert (home["postcode"], home["latitude"], home["longitude"]) == (None, None, None)
    assert rows["A plain group"]["themes"] == ["food", "older-people"]
    assert rows["C nowhere"]["neighbourhood"] is None
    assert rows["E summer"]["last_checked_at"] == "2026-07-01T10:30:00+01:00"


def test_the_team_rows_keep_drfs_path_with_contacts(groups):
    page = _page(TeamGroupSerializer)
    for row in TeamGroupSerializer(page, many=True).data:
        assert row["contact_email"].endswith("@example.org")
        assert list(row)[: len(PublicGroupSerializer.Meta.fields)] == (
            PublicGroupSerializer.Meta.fields
        )


def test_the_public_list_reads_its_page_its_themes_and_its_count_in_one_query(
    groups, client, django_assert_num_queries
):
    """One query: the page, with each group's theme slugs from its own row
    (partners/theme_slugs.py) and the count it carries (config/paging.py),
    on SQLite as on PostgreSQL."""
    with django_assert_num_queries(1):
        response = client.get("/api/groups/")
    assert response.json()["results"][0]["themes"] == ["food", "older-people"]


def test_a_page_is_written_in_the_time_zone_in_force(groups):
    """The rows' time zone is looked up once a page, in the zone then in force."""
    plain = _page(PublicGroupSerializer, rows=True)
    with timezone.override(ZoneInfo("America/New_York")):
        rows = {row["name"]: row for row in PublicGroupSerializer(plain, many=True).data}
    assert rows["E summer"]["last_checked_at"] == "2026-07-01T05:30:00-04:00"
