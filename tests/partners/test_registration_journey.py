"""Registration end to end with the Django test client: plain form posts
and redirects, exactly what a browser with JavaScript off sends."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from partners.models import Activity, CommunityGroup, ConsentRecord, Need
from partners.services.registration import CONSENT_WORDING, CONSENT_WORDING_VERSION
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def place():  # type: ignore[no-untyped-def]
    cache.clear()
    return f.registration_place()


def post_pages(client, answers, until="contact"):  # type: ignore[no-untyped-def]
    for step in ("group", "where", "activities", "needs", "contact"):
        response = client.post(f"/register/{step}/", answers[step])
        assert response.status_code == 302, (step, response.content.decode()[:2000])
        if step == until:
            return response
    return response


def register(client, answers, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    post_pages(client, answers)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/register/check/", {})
    return response


def test_it_walks_every_page_with_plain_posts(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    answers = f.registration_answers()
    assert client.get("/register/").status_code == 200
    expected_next = {
        "group": "/register/where/",
        "where": "/register/activities/",
        "activities": "/register/needs/",
        "needs": "/register/contact/",
        "contact": "/register/check/",
    }
    for step, following in expected_next.items():
        page = client.get(f"/register/{step}/")
        assert page.status_code == 200
        response = client.post(f"/register/{step}/", answers[step])
        assert response["Location"] == following
    check = client.get("/register/check/")
    assert check.status_code == 200
    assert b"Ordsall Lunch Club" in check.content
    assert b"Ordsall Test 001A" in check.content  # the neighbourhood found from the postcode
    assert b"\xc2\xa3250.50" in check.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/register/check/", {})
    assert response["Location"] == "/register/done/"
    done = client.get("/register/done/")
    assert b"Check your email" in done.content
    assert b"pat@example.org" in done.content
    assert len(mailoutbox) == 1


def test_it_creates_the_group_activities_and_needs(
    client, django_capture_on_commit_callbacks, place
):
    register(client, f.registration_answers(), django_capture_on_commit_callbacks)
    group = CommunityGroup.objects.get()
    assert group.name == "Ordsall Lunch Club"
    assert group.status == "pending"
    assert group.email_verified_at is None
    assert group.postcode == "M5 4WT"
    assert group.neighbourhood == place.neighbourhood
    assert (group.latitude, group.longitude) == (place.inside.latitude, place.inside.longitude)
    assert group.outside_area is False
    assert group.meets_at_home is False
    assert group.contact_email == "pat@example.org"
    activity = Activity.objects.get(group=group)
    assert sorted(activity.themes.values_list("slug", flat=True)) == [
        "food",
        "loneliness-and-isolation",
    ]
    assert activity.people_reached_per_month == 40
    need = Need.objects.get(activity=activity)
    assert (need.kind, need.amount) == ("seed_funding", 25050)  # pounds typed, pence stored


def test_it_records_consent_with_time_and_wording_version(
    client, django_capture_on_commit_callbacks
):
    register(client, f.registration_answers(), django_capture_on_commit_callbacks)
    group = CommunityGroup.objects.get()
    assert group.consent_public is True
    assert group.consent_wording_version == CONSENT_WORDING_VERSION
    assert group.consent_recorded_at is not None
    record = ConsentRecord.objects.get(group=group)
    assert (record.consent_public, record.wording_version, record.via) == (
        True,
        CONSENT_WORDING_VERSION,
        "registration",
    )


def test_consent_is_unticked_by_default_and_its_wording_is_shown(client):
    post_pages(client, f.registration_answers(), until="needs")
    page = client.get("/register/contact/").content.decode()
    box = re.search(r'<input[^>]*name="consent_public"[^>]*>', page).group(0)
    assert "checked" not in box
    assert 'type="checkbox"' in box
    assert CONSENT_WORDING.replace("'", "&#x27;") in page


def test_no_consent_means_no_consent_recorded(client, django_capture_on_commit_callbacks):
    answers = f.registration_answers()
    del answers["contact"]["consent_public"]
    register(client, answers, django_capture_on_commit_callbacks)
    group = CommunityGroup.objects.get()
    assert group.consent_public is False
    assert group.consent_recorded_at is None
    assert not ConsentRecord.objects.exists()


def test_a_postcode_outside_the_area_is_accepted_and_marked(
    client, django_capture_on_commit_callbacks
):
    answers = f.registration_answers()
    answers["where"]["postcode"] = "sw1a1aa"
    post_pages(client, answers)
    assert b"Outside the area Backer covers" in client.get("/register/check/").content
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/register/check/", {})
    group = CommunityGroup.objects.get()
    assert group.outside_area is True
    assert group.neighbourhood is None
    assert group.postcode == "SW1A 1AA"


def test_it_adds_another_activity_and_removes_one(client, django_capture_on_commit_callbacks):
    answers = f.registration_answers()
    post_pages(client, answers, until="where")
    first = {**answers["activities"], "action": "add"}
    assert client.post("/register/activities/", first)["Location"] == "/register/activities/"
    second = {
        **answers["activities"],
        "title": "Litter pick",
        "themes": ["environment-and-green-space"],
    }
    second["action"] = "add"
    client.post("/register/activities/", second)
    page = client.get("/register/activities/").content.decode()
    assert "Tuesday lunch club" in page and "Litter pick" in page
    key = re.search(
        r'name="remove" value="([0-9a-f]+)"[^>]*>Remove<span class="visually-hidden"> Litter pick',
        page,
    )
    assert client.post("/register/activities/", {"remove": key.group(1)}).status_code == 302
    page = client.get("/register/activities/").content.decode()
    assert "Litter pick" not in page
    # An empty form with an activity already added continues.
    assert (
        client.post("/register/activities/", {"action": "continue"})["Location"]
        == "/register/needs/"
    )
    for step in ("needs", "contact"):
        client.post(f"/register/{step}/", answers[step])
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/register/check/", {})
    assert list(Activity.objects.values_list("title", flat=True)) == ["Tuesday lunch club"]


def test_needs_are_asked_per_activity_with_space_capacity(
    client, django_capture_on_commit_callbacks
):
    answers = f.registration_answers()
    post_pages(client, answers, until="where")
    client.post("/register/activities/", {**answers["activities"], "action": "add"})
    client.post(
        "/register/activities/",
        {**answers["activities"], "title": "Walking group", "themes": ["physical-activity"]},
    )
    page = client.get("/register/needs/").content.decode()
    keys = re.findall(r'name="activity" value="([0-9a-f]+)"', page)
    assert len(keys) == 2  # a choice of activity, as radios
    space = {
        "activity": keys[1],
        "kind": "space",
        "amount": "4",
        "space_capacity": "20",
        "accessibility_needs": "Step-free access",
        "why": "",
        "action": "add",
    }
    client.post("/register/needs/", space)
    time_need = {**space, "activity": keys[0], "kind": "time", "amount": "6", "space_capacity": ""}
    client.post("/register/needs/", {**time_need, "action": "continue"})
    client.post("/register/contact/", answers["contact"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/register/check/", {})
    space_need = Need.objects.get(kind="space")
    assert (space_need.activity.title, space_need.amount, space_need.space_capacity) == (
        "Walking group",
        4,
        20,
    )
    assert space_need.accessibility_needs == "Step-free access"
    assert Need.objects.get(kind="time").activity.title == "Tuesday lunch club"


def test_skipping_ahead_goes_back_to_the_first_unanswered_page(client):
    answers = f.registration_answers()
    assert client.get("/register/check/")["Location"] == "/register/group/"
    assert client.get("/register/needs/")["Location"] == "/register/group/"
    client.post("/register/group/", answers["group"])
    assert client.get("/register/contact/")["Location"] == "/register/where/"
    assert client.post("/register/check/", {})["Location"] == "/register/where/"
    assert not CommunityGroup.objects.exists()


def test_done_without_a_registration_goes_to_the_start(client):
    assert client.get("/register/done/")["Location"] == "/register/"


def test_a_change_link_comes_back_to_the_check_page(client):
    answers = f.registration_answers()
    post_pages(client, answers)
    check = client.get("/register/check/").content.decode()
    assert 'href="/register/group/?change=1"' in check
    page = client.get("/register/group/?change=1")
    assert 'value="Ordsall Lunch Club"' in page.content.decode()  # the answer is kept
    changed = {**answers["group"], "name": "Ordsall Lunch & Social Club"}
    response = client.post("/register/group/?change=1", changed)
    assert response["Location"] == "/register/check/"
    assert b"Ordsall Lunch &amp; Social Club" in client.get("/register/check/").content


def test_the_session_is_cleared_after_sending(client, django_capture_on_commit_callbacks):
    register(client, f.registration_answers(), django_capture_on_commit_callbacks)
    assert client.get("/register/check/")["Location"] == "/register/group/"
