"""The API's match list builds its rows from plain columns (issue 18: DRF's
field-by-field path and 350 model instances a page were most of its time).
Each row must be exactly what MatchSerializer's declared fields give through
DRF's own path, key for key and in order: a match with a run, reviewed,
with a distance and an outcome; one with none of those; one whose group has
no neighbourhood."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from rest_framework import serializers

from matching.models import Match, MatchRun
from matching.selectors import match_list_lean
from matching.serializers import MatchSerializer
from tests import factories as f


@pytest.fixture
def matches(personas):  # type: ignore[no-untyped-def]
    resource = f.ResourceFactory(anchor=personas.anchor_a, title="Seed fund")
    run = MatchRun.objects.create(anchor=personas.anchor_a, status="succeeded")
    f.MatchFactory(
        resource=resource,
        run=run,
        status="approved",
        reviewed_at=dt.datetime(2026, 7, 1, 9, 30, tzinfo=dt.UTC),
        distance_m=1234.5,
        notes="Good fit",
        outcome_people_reached=40,
        outcome_story="They met every week.",
    )
    f.MatchFactory(resource=resource, score=0.5)
    nowhere = f.NeedFactory(activity__group__neighbourhood=None)
    f.MatchFactory(resource=resource, need=nowhere, score=0.3)
    return personas


def test_each_row_is_what_drfs_own_path_gives(matches):
    anchors = [matches.anchor_a.pk]
    rows = list(match_list_lean(anchor_ids=anchors, rows=MatchSerializer.row_columns()))
    models = list(match_list_lean(anchor_ids=anchors))
    assert [row["id"] for row in rows] == [match.pk for match in models]
    assert len(rows) == 3
    for row, match in zip(rows, models, strict=True):
        serializer = MatchSerializer(match)
        slow = serializers.ModelSerializer.to_representation(serializer, match)
        assert list(MatchSerializer().to_representation(row).items()) == list(slow.items())
        assert list(serializer.data.items()) == list(slow.items())
    shown = MatchSerializer(rows, many=True).data
    assert shown[0]["reviewed_at"] == "2026-07-01T10:30:00+01:00"
    assert shown[2]["neighbourhood"] is None


def test_the_list_answers_the_rows(matches, client):
    client.force_login(matches.alice)
    body = client.get("/api/matches/").json()
    assert body["count"] == 3
    first = Match.objects.order_by("-score", "id").first()
    assert body["results"][0] == MatchSerializer(first).data


def test_a_page_is_written_in_the_time_zone_in_force(matches):
    """The rows' time zone is looked up once a page, in the zone then in force."""
    anchors = [matches.anchor_a.pk]
    rows = list(match_list_lean(anchor_ids=anchors, rows=MatchSerializer.row_columns()))
    with timezone.override(ZoneInfo("America/New_York")):
        shown = MatchSerializer(rows, many=True).data
    assert shown[0]["reviewed_at"] == "2026-07-01T05:30:00-04:00"
