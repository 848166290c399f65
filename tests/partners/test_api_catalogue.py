"""/api/activities/, /api/needs/, /api/themes/, /api/anchors/: visibility
follows the group; filters and pagination."""

from __future__ import annotations

import pytest

from partners.models import NeedKind, VerificationStatus
from tests import factories as f


@pytest.fixture
def data(personas):
    public_activity = f.ActivityFactory(group=personas.group_a, themes=["food"], where="The hall")
    f.NeedFactory(activity=public_activity, kind=NeedKind.SPACE, amount=4)
    pending = f.CommunityGroupFactory(status=VerificationStatus.PENDING)
    hidden_activity = f.ActivityFactory(group=pending, themes=["housing"])
    hidden_need = f.NeedFactory(activity=hidden_activity)
    home = f.CommunityGroupFactory(meets_at_home=True)
    home_activity = f.ActivityFactory(group=home, where="My flat, 2 Hidden Close")
    return public_activity, hidden_activity, hidden_need, home_activity


def test_the_public_sees_activities_and_needs_of_public_groups_only(client, data):
    public_activity, hidden_activity, hidden_need, _home = data
    activities = {row["id"] for row in client.get("/api/activities/").json()["results"]}
    assert public_activity.pk in activities and hidden_activity.pk not in activities
    needs = {row["id"] for row in client.get("/api/needs/").json()["results"]}
    assert hidden_need.pk not in needs
    assert client.get(f"/api/needs/{hidden_need.pk}/").status_code == 404


def test_a_team_sees_every_need(client, personas, data):
    _a, _b, hidden_need, _home = data
    client.force_login(personas.alice)
    assert client.get(f"/api/needs/{hidden_need.pk}/").json()["unit"] == "pence"


def test_where_is_hidden_for_a_home_based_group(client, personas, data):
    public_activity, _b, _c, home_activity = data
    assert client.get(f"/api/activities/{home_activity.pk}/").json()["where"] is None
    assert client.get(f"/api/activities/{public_activity.pk}/").json()["where"] == "The hall"
    client.force_login(personas.alice)
    assert "Hidden Close" in client.get(f"/api/activities/{home_activity.pk}/").json()["where"]


def test_activities_and_needs_filter(client, personas, data):
    public_activity, *_ = data
    rows = client.get("/api/activities/?theme=food").json()["results"]
    assert [r["id"] for r in rows] == [public_activity.pk]
    rows = client.get(f"/api/needs/?kind=space&group={personas.group_a.pk}").json()["results"]
    assert [(r["kind"], r["amount"]) for r in rows] == [("space", 4)]
    assert client.get("/api/needs/?kind=gold").status_code == 400


def test_themes_and_anchors_are_listed(client, personas):
    themes = client.get("/api/themes/?page_size=100").json()["results"]
    assert "food" in {t["slug"] for t in themes}
    anchors = client.get("/api/anchors/").json()["results"]
    assert {a["slug"] for a in anchors} == {"anchor-a", "anchor-b"}
    assert client.get("/api/themes/no-such-theme/").json() == {"message": "Not found.", "extra": {}}
