"""Withdraw, export and erase: the contact's rights over the group's data."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model

from partners.models import Activity, CommunityGroup, ConsentRecord, Need
from partners.selectors_group import group_export
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, personas):  # type: ignore[no-untyped-def]
    client.force_login(personas.dave)
    group = personas.group_a
    activity = f.ActivityFactory(group=group, title="Lunch club", themes=["food"])
    f.NeedFactory(activity=activity, amount=25_000, why="A new cooker")
    ConsentRecord.objects.create(
        group=group,
        consent_public=True,
        wording_version="2026-11",
        recorded_at=group.consent_recorded_at,
        via="registration",
    )
    return group


def test_withdrawing_asks_first_then_drops_the_group_from_public_outputs(client, signed_in):
    assert signed_in in CommunityGroup.objects.public()
    assert b"Withdraw the group" in client.get(f"/group/{signed_in.pk}/withdraw/").content
    response = client.post(f"/group/{signed_in.pk}/withdraw/")
    assert response["Location"] == f"/group/{signed_in.pk}/"
    signed_in.refresh_from_db()
    assert signed_in.withdrawn_at is not None
    assert signed_in.status == "verified"  # the anchor team's decision stands
    assert signed_in not in CommunityGroup.objects.public()
    assert b"You withdrew this group" in client.get(f"/group/{signed_in.pk}/").content


def test_the_export_is_a_json_download_of_everything_held(client, signed_in):
    response = client.get(f"/group/{signed_in.pk}/export.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="backer-group-{signed_in.pk}.json"'
    )
    data = json.loads(response.content)
    group = data["group"]
    assert group["name"] == signed_in.name
    assert group["contact_email"] == signed_in.contact_email
    assert group["contact_phone"] == signed_in.contact_phone
    assert group["postcode"] == signed_in.postcode
    assert group["neighbourhood"]["code"] == signed_in.neighbourhood.code
    assert "reviewed_by_id" not in group
    (activity,) = data["activities"]
    assert activity["title"] == "Lunch club"
    assert activity["themes"] == ["food"]
    (need,) = activity["needs"]
    assert (need["kind"], need["amount"], need["unit"], need["why"]) == (
        "seed_funding",
        25_000,
        "pence",
        "A new cooker",
    )
    assert data["consent_records"][0]["wording_version"] == "2026-11"
    assert data["matches"] == []


def test_the_export_takes_a_fixed_number_of_queries(signed_in, django_assert_max_num_queries):
    for n in range(5):
        f.NeedFactory(activity=f.ActivityFactory(group=signed_in, title=f"Activity {n}"))
    with django_assert_max_num_queries(8):
        group_export(group=signed_in)


def test_erasing_asks_first(client, signed_in):
    page = client.get(f"/group/{signed_in.pk}/erase/")
    assert b"This cannot be undone" in page.content
    signed_in.refresh_from_db()
    assert signed_in.erased_at is None


def test_erasing_clears_personal_data_keeps_the_row_and_signs_out(client, signed_in, personas):
    group_id, neighbourhood = signed_in.pk, signed_in.neighbourhood
    response = client.post(f"/group/{signed_in.pk}/erase/")
    assert response["Location"] == "/group/erased/"
    group = CommunityGroup.objects.get(pk=group_id)
    assert group.name == f"Erased group {group_id}"
    for field in ("contact_name", "contact_email", "contact_phone", "address", "description"):
        assert getattr(group, field) == "", field
    assert group.contact_user is None
    assert group.erased_at is not None
    assert group.neighbourhood == neighbourhood  # still counted in its neighbourhood
    assert group not in CommunityGroup.objects.public()
    assert not Activity.objects.filter(group=group).exists()
    assert not Need.objects.filter(activity__group=group).exists()
    assert "_auth_user_id" not in client.session
    # dave acted for no other group: his account (username, e-mail) goes too.
    assert not get_user_model().objects.filter(pk=personas.dave.pk).exists()


def test_erasing_a_home_group_removes_its_postcode_and_point(client, signed_in):
    CommunityGroup.objects.filter(pk=signed_in.pk).update(meets_at_home=True)
    client.post(f"/group/{signed_in.pk}/erase/")
    group = CommunityGroup.objects.get(pk=signed_in.pk)
    assert (group.postcode, group.latitude, group.longitude) == ("", None, None)
    assert group.neighbourhood is not None


def test_erasing_records_that_consent_ended(client, signed_in):
    client.post(f"/group/{signed_in.pk}/erase/")
    last = ConsentRecord.objects.filter(group=signed_in).last()
    assert (last.consent_public, last.via) == (False, "erasure")


def test_an_erased_group_is_gone_from_the_dashboard_and_its_pages(client, signed_in, personas):
    client.post(f"/group/{signed_in.pk}/erase/")
    other = f.CommunityGroupFactory(contact_email="again@example.org")
    user = f.contact_of(other, username="again")
    client.force_login(user)
    assert client.get(f"/group/{signed_in.pk}/").status_code == 404


def test_erasing_keeps_needs_that_backing_points_to_without_their_text(client, signed_in):
    backed = Need.objects.get(activity__group=signed_in)
    match = f.MatchFactory(need=backed, status="approved")
    unbacked = f.NeedFactory(activity=f.ActivityFactory(group=signed_in, title="Walks"))
    client.post(f"/group/{signed_in.pk}/erase/")
    backed.refresh_from_db()
    assert backed.why == "" and backed.amount == 25_000
    assert backed.activity.title == f"Erased activity {backed.activity_id}"
    assert backed.activity.description == ""
    match.refresh_from_db()  # the record of backing is whole
    assert match.need_id == backed.pk
    assert not Need.objects.filter(pk=unbacked.pk).exists()
    assert not Activity.objects.filter(title="Walks").exists()


def test_removing_a_backed_need_withdraws_it_instead(client, signed_in):
    need = Need.objects.get(activity__group=signed_in)
    f.MatchFactory(need=need)
    client.post(f"/group/{signed_in.pk}/needs/{need.pk}/remove/")
    need.refresh_from_db()
    assert need.status == "withdrawn"
    client.post(f"/group/{signed_in.pk}/activities/{need.activity_id}/remove/")
    assert Activity.objects.filter(pk=need.activity_id).exists()


def test_the_export_includes_matches_but_not_the_anchors_notes(client, signed_in):
    need = Need.objects.get(activity__group=signed_in)
    f.MatchFactory(need=need, notes="Internal: check their accounts", status="approved")
    data = json.loads(client.get(f"/group/{signed_in.pk}/export.json").content)
    (match,) = data["matches"]
    assert (match["type"], match["need_id"], match["amount"], match["status"]) == (
        "matching.Match",
        need.pk,
        15_000,
        "approved",
    )
    assert "notes" not in match and "reviewer_id" not in match
    assert "Internal" not in json.dumps(data)
