"""The signed-in contact edits the group, its activities, needs and consent."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from partners.models import Activity, ConsentRecord, Need, NeedStatus
from partners.services.registration import CONSENT_WORDING_VERSION
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, personas):  # type: ignore[no-untyped-def]
    cache.clear()
    f.registration_place()
    client.force_login(personas.dave)
    return personas.group_a


def edit_data(**changes):  # type: ignore[no-untyped-def]
    data = {
        "name": "Ordsall Lunch Club",
        "description": "Hot lunches.",
        "kind": "charity",
        "charity_number": "1234567",
        "company_number": "",
        "website": "",
        "postcode": "SW1A 1AA",
        "meets_at_home": "yes",
        "address": "",
        "contact_name": "Dave Example",
        "contact_phone": "",
    }
    return {**data, **changes}


def test_the_edit_page_shows_the_current_details(client, signed_in):
    html = client.get(f"/group/{signed_in.pk}/edit/").content.decode()
    assert f'value="{signed_in.name}"' in html
    assert f'value="{signed_in.postcode}"' in html
    assert re.search(r'value="no" id="id_meets_at_home_1"[^>]* checked', html)


def test_editing_saves_and_geocodes_the_new_postcode(client, signed_in):
    response = client.post(f"/group/{signed_in.pk}/edit/", edit_data())
    assert response["Location"] == f"/group/{signed_in.pk}/"
    signed_in.refresh_from_db()
    assert (signed_in.kind, signed_in.charity_number) == ("charity", "1234567")
    assert signed_in.postcode == "SW1A 1AA"
    assert signed_in.outside_area is True and signed_in.neighbourhood is None
    assert signed_in.meets_at_home is True
    assert signed_in.contact_name == "Dave Example"


def test_editing_errors_are_summarised_and_kept(client, signed_in):
    response = client.post(f"/group/{signed_in.pk}/edit/", edit_data(name="", postcode="M5 9ZZ"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<a href="#id_name">Enter the name of your group</a>' in html
    assert '<a href="#id_postcode">We could not find the postcode M5 9ZZ.' in html
    assert 'value="M5 9ZZ"' in html


def test_the_contact_adds_edits_and_removes_an_activity(client, signed_in):
    data = {
        "title": "Walking group",
        "themes": ["physical-activity"],
        "frequency": "weekly",
        "people_reached_per_month": "12",
    }
    assert client.post(f"/group/{signed_in.pk}/activities/add/", data).status_code == 302
    activity = Activity.objects.get(group=signed_in, title="Walking group")
    page = client.get(f"/group/{signed_in.pk}/activities/{activity.pk}/edit/").content.decode()
    assert 'value="physical-activity" id="id_themes_6" checked' in page
    client.post(
        f"/group/{signed_in.pk}/activities/{activity.pk}/edit/",
        {**data, "title": "Wednesday walk", "themes": ["physical-activity", "mental-health"]},
    )
    activity.refresh_from_db()
    assert activity.title == "Wednesday walk"
    assert activity.themes.count() == 2
    confirm = client.get(f"/group/{signed_in.pk}/activities/{activity.pk}/remove/")
    assert b"Are you sure" in confirm.content
    client.post(f"/group/{signed_in.pk}/activities/{activity.pk}/remove/")
    assert not Activity.objects.filter(pk=activity.pk).exists()


def test_adding_an_activity_without_a_theme_is_refused(client, signed_in):
    response = client.post(
        f"/group/{signed_in.pk}/activities/add/",
        {"title": "Walks", "frequency": "weekly", "people_reached_per_month": "5"},
    )
    assert b'<a href="#id_themes_0">Select at least one theme</a>' in response.content
    assert not Activity.objects.filter(title="Walks").exists()


def test_the_contact_adds_edits_and_removes_a_need(client, signed_in):
    activity = f.ActivityFactory(group=signed_in)
    data = {"activity": str(activity.pk), "kind": "seed_funding", "amount": "£1,250.75"}
    assert client.post(f"/group/{signed_in.pk}/needs/add/", data).status_code == 302
    need = Need.objects.get(activity=activity)
    assert need.amount == 125075
    page = client.get(f"/group/{signed_in.pk}/needs/{need.pk}/edit/").content.decode()
    assert 'value="1250.75"' in page  # shown in pounds, as it was typed
    client.post(
        f"/group/{signed_in.pk}/needs/{need.pk}/edit/", {**data, "kind": "time", "amount": "8"}
    )
    need.refresh_from_db()
    assert (need.kind, need.amount) == ("time", 8)
    assert b"8 hours a month" in client.get(f"/group/{signed_in.pk}/").content
    client.post(f"/group/{signed_in.pk}/needs/{need.pk}/remove/")
    assert not Need.objects.filter(pk=need.pk).exists()


def test_a_need_with_a_negative_amount_is_refused(client, signed_in):
    activity = f.ActivityFactory(group=signed_in)
    response = client.post(
        f"/group/{signed_in.pk}/needs/add/",
        {"activity": str(activity.pk), "kind": "seed_funding", "amount": "-5"},
    )
    assert b'<a href="#id_amount">The amount must be more than \xc2\xa30</a>' in response.content


def test_another_groups_activity_cannot_be_reached(client, signed_in, personas):
    theirs = f.ActivityFactory(group=personas.group_b)
    need = f.NeedFactory(activity=theirs)
    assert client.get(f"/group/{signed_in.pk}/activities/{theirs.pk}/edit/").status_code == 404
    assert client.post(f"/group/{signed_in.pk}/needs/{need.pk}/remove/").status_code == 404
    assert Need.objects.filter(pk=need.pk, status=NeedStatus.OPEN).exists()


def test_consent_is_withdrawn_and_given_again_and_each_change_recorded(client, signed_in):
    assert signed_in.is_public
    client.post(f"/group/{signed_in.pk}/consent/", {})
    signed_in.refresh_from_db()
    assert signed_in.consent_public is False
    assert signed_in.consent_withdrawn_at is not None
    assert not signed_in.is_public
    client.post(f"/group/{signed_in.pk}/consent/", {"consent_public": "on"})
    signed_in.refresh_from_db()
    assert signed_in.consent_public is True and signed_in.consent_withdrawn_at is None
    records = list(
        ConsentRecord.objects.filter(group=signed_in).values_list(
            "consent_public", "wording_version", "via"
        )
    )
    assert records == [
        (False, CONSENT_WORDING_VERSION, "self-service"),
        (True, CONSENT_WORDING_VERSION, "self-service"),
    ]
