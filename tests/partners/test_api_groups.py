"""/api/groups/: who sees which groups and fields, filters, pagination,
and the anchor team's verify / reject."""

from __future__ import annotations

import pytest

from partners.models import VerificationStatus
from places.models import Neighbourhood
from tests import factories as f

PERSONAL = {"contact_name", "contact_email", "contact_phone", "address"}


@pytest.fixture
def groups(personas):
    poor = f.NeighbourhoodFactory(name="Little Hulton", code="E01000201", imd_decile=1)
    lunch = f.CommunityGroupFactory(
        name="Hulton Lunch", description="Hot dinners", neighbourhood=poor
    )
    f.ActivityFactory(group=lunch, themes=["food"])
    pending = f.CommunityGroupFactory(name="Pending Pals", status=VerificationStatus.PENDING)
    home = f.CommunityGroupFactory(name="Home Helpers", meets_at_home=True, postcode="M6 7QQ")
    # Factory deciles follow a sequence that runs on across the suite: pin every
    # other neighbourhood, once all are made, so only "poor" is decile 1.
    Neighbourhood.objects.exclude(pk=poor.pk).update(imd_decile=5)
    return lunch, pending, home


def _names(response):
    return {row["name"] for row in response.json()["results"]}


def test_the_public_sees_public_groups_without_personal_fields(client, groups):
    _lunch, _pending, home = groups
    response = client.get("/api/groups/")
    assert "Pending Pals" not in _names(response)
    for row in response.json()["results"]:
        assert not PERSONAL & set(row), row
        assert "status" not in row
    row = next(r for r in response.json()["results"] if r["id"] == home.pk)
    assert (row["postcode"], row["latitude"], row["longitude"]) == (None, None, None)
    assert row["neighbourhood"]["code"] == home.neighbourhood.code


def test_a_team_sees_every_group_with_contacts(client, personas, groups):
    client.force_login(personas.alice)
    response = client.get("/api/groups/")
    assert "Pending Pals" in _names(response)
    home = next(r for r in response.json()["results"] if r["name"] == "Home Helpers")
    assert home["contact_email"] and home["postcode"] == "M6 7QQ"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?q=dinners", {"Hulton Lunch"}),
        ("?theme=food", {"Hulton Lunch"}),
        ("?neighbourhood=E01000201", {"Hulton Lunch"}),
        ("?imd_decile=1", {"Hulton Lunch"}),
        ("?status=pending", {"Pending Pals"}),
    ],
)
def test_it_filters(client, personas, groups, query, expected):
    client.force_login(personas.alice)
    assert _names(client.get(f"/api/groups/{query}")) == expected


def test_the_status_filter_cannot_reveal_pending_groups_to_the_public(client, groups):
    assert _names(client.get("/api/groups/?status=pending")) == set()


def test_a_bad_filter_value_is_a_400_with_the_field(client, groups):
    response = client.get("/api/groups/?imd_decile=eleven")
    assert response.status_code == 400
    assert response.json()["message"] == "Validation error"
    assert "imd_decile" in response.json()["extra"]["fields"]
    assert client.get("/api/groups/?status=nonsense").status_code == 400


def test_it_paginates(client, groups):
    f.CommunityGroupFactory.create_batch(5)
    first = client.get("/api/groups/?page_size=3").json()
    assert first["count"] == 9  # 2 personas, lunch, home, 5 more
    assert len(first["results"]) == 3
    assert "page=2" in first["next"]
    assert len(client.get("/api/groups/?page_size=3&page=3").json()["results"]) == 3


def test_a_page_past_the_end_is_a_404_with_a_message(client, groups):
    response = client.get("/api/groups/?page=99")
    assert response.status_code == 404
    assert response.json()["message"] == "Invalid page."


def test_a_group_the_caller_may_not_see_is_a_404_with_a_message(client, groups):
    _lunch, pending, _home = groups
    response = client.get(f"/api/groups/{pending.pk}/")
    assert response.status_code == 404
    assert response.json() == {"message": "Not found.", "extra": {}}


def test_verify_by_api(client, personas, groups):
    _lunch, pending, _home = groups
    client.force_login(personas.alice)
    response = client.post(f"/api/groups/{pending.pk}/verify/")
    assert response.status_code == 200
    assert response.json()["status"] == "verified"


def test_verifying_twice_is_a_400_saying_why(client, personas, groups):
    lunch, _pending, _home = groups
    client.force_login(personas.alice)
    response = client.post(f"/api/groups/{lunch.pk}/verify/")
    assert response.status_code == 400
    assert "cannot be verified" in response.json()["message"]
    assert response.json()["extra"] == {"status": "verified"}


def test_reject_needs_a_reason(client, personas, groups):
    _lunch, pending, _home = groups
    client.force_login(personas.alice)
    response = client.post(f"/api/groups/{pending.pk}/reject/", {}, content_type="application/json")
    assert response.status_code == 400
    assert "reason" in response.json()["extra"]["fields"]
    response = client.post(
        f"/api/groups/{pending.pk}/reject/",
        {"reason": "Duplicate"},
        content_type="application/json",
    )
    assert response.json()["status"] == "rejected"


def test_the_board_is_refused_with_a_message(client, personas, groups):
    _lunch, pending, _home = groups
    client.force_login(personas.carol)
    response = client.post(f"/api/groups/{pending.pk}/verify/")
    assert response.status_code == 403
    assert response.json() == {"message": "Only an anchor team can do this.", "extra": {}}


def test_unknown_group_is_a_404_for_a_team(client, personas):
    client.force_login(personas.alice)
    response = client.post("/api/groups/999999/verify/")
    assert response.status_code == 404
    assert "message" in response.json()
