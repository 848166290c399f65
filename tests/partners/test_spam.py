"""Spam defences of registration: the honeypot and the rate limits."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from partners.models import Activity, CommunityGroup, ConsentRecord, Need
from partners.ratelimit import rate_parse, ratelimit_hit
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def place():  # type: ignore[no-untyped-def]
    cache.clear()
    return f.registration_place()


def fill_in(client, answers, **headers):  # type: ignore[no-untyped-def]
    for step in ("group", "where", "activities", "needs", "contact"):
        response = client.post(f"/register/{step}/", answers[step], **headers)
        assert response.status_code == 302, step


def finish(client, data, capture, **headers):  # type: ignore[no-untyped-def]
    with capture(execute=True):
        response = client.post("/register/check/", data, **headers)
    return response


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (CommunityGroup, Activity, Need, ConsentRecord))


def test_the_honeypot_is_hidden_from_people(client):
    answers = f.registration_answers()
    fill_in(client, answers)
    html = client.get("/register/contact/").content.decode()
    trap = re.search(
        r'<div class="visually-hidden" aria-hidden="true">.*?</div>', html, re.S
    ).group(0)
    assert "Leave this field empty" in trap
    field = re.search(r"<input[^>]*>", trap).group(0)
    assert 'tabindex="-1"' in field and 'autocomplete="off"' in field


def test_a_filled_honeypot_creates_nothing_and_sends_nothing(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    answers = f.registration_answers()
    answers["contact"]["extra_details"] = "cheap watches"
    before = counts()
    fill_in(client, answers)
    response = finish(client, {}, django_capture_on_commit_callbacks)
    assert response["Location"] == "/register/done/"
    assert counts() == before
    assert mailoutbox == []


def test_a_filled_honeypot_on_the_last_page_creates_nothing(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    fill_in(client, f.registration_answers())
    finish(client, {"extra_details": "http://spam.example"}, django_capture_on_commit_callbacks)
    assert not CommunityGroup.objects.exists()
    assert mailoutbox == []


def test_the_robot_sees_exactly_what_a_person_sees(client, django_capture_on_commit_callbacks):
    from django.test import Client

    person, robot = client, Client()
    answers = f.registration_answers()
    fill_in(person, answers)
    person_end = finish(person, {}, django_capture_on_commit_callbacks)
    answers["contact"]["extra_details"] = "spam"
    fill_in(robot, answers)
    robot_end = finish(robot, {}, django_capture_on_commit_callbacks)
    assert person_end.status_code == robot_end.status_code == 302
    assert person_end["Location"] == robot_end["Location"]
    person_page = without_csrf(person.get("/register/done/").content.decode())
    robot_page = without_csrf(robot.get("/register/done/").content.decode())
    assert person_page == robot_page
    assert CommunityGroup.objects.count() == 1


@pytest.mark.parametrize("rate", ["2/h"])
def test_the_next_submission_over_the_limit_gets_a_429(
    client, settings, django_capture_on_commit_callbacks, rate
):
    settings.BACKER_REGISTRATION_RATE = rate
    answers = f.registration_answers()
    for _ in range(2):
        fill_in(client, answers)
        assert finish(client, {}, django_capture_on_commit_callbacks).status_code == 302
    fill_in(client, answers)
    response = finish(client, {}, django_capture_on_commit_callbacks)
    assert response.status_code == 429
    assert b"Too many attempts" in response.content
    assert 0 < int(response["Retry-After"]) <= 3600
    assert CommunityGroup.objects.count() == 2
    # What was typed is still there for when the wait is over.
    assert client.get("/register/check/").status_code == 200


def test_the_limit_is_per_address(client, settings, django_capture_on_commit_callbacks):
    settings.BACKER_REGISTRATION_RATE = "1/h"
    answers = f.registration_answers()
    fill_in(client, answers)
    assert finish(client, {}, django_capture_on_commit_callbacks).status_code == 302
    fill_in(client, answers, REMOTE_ADDR="192.0.2.7")
    response = finish(client, {}, django_capture_on_commit_callbacks, REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 302


def test_page_posts_have_a_generous_limit_too(client, settings):
    settings.BACKER_REGISTRATION_PAGE_RATE = "3/h"
    answers = f.registration_answers()
    for _ in range(3):
        assert client.post("/register/group/", answers["group"]).status_code == 302
    response = client.post("/register/group/", answers["group"])
    assert response.status_code == 429
    assert response.has_header("Retry-After")


def test_x_forwarded_for_is_ignored_unless_trusted(
    client, settings, django_capture_on_commit_callbacks
):
    settings.BACKER_REGISTRATION_RATE = "1/h"
    answers = f.registration_answers()
    fill_in(client, answers)
    finish(client, {}, django_capture_on_commit_callbacks)
    fill_in(client, answers)
    spoofed = finish(
        client, {}, django_capture_on_commit_callbacks, HTTP_X_FORWARDED_FOR="198.51.100.1"
    )
    assert spoofed.status_code == 429


def test_behind_a_trusted_proxy_the_last_forwarded_address_counts(
    client, settings, django_capture_on_commit_callbacks
):
    settings.BACKER_REGISTRATION_RATE = "1/h"
    settings.BACKER_TRUSTED_PROXIES = "1"
    answers = f.registration_answers()
    fill_in(client, answers)
    first = {"HTTP_X_FORWARDED_FOR": "203.0.113.9, 198.51.100.1"}
    assert finish(client, {}, django_capture_on_commit_callbacks, **first).status_code == 302
    fill_in(client, answers)
    # The client can choose the first entry, not the one our proxy appends.
    same_client = {"HTTP_X_FORWARDED_FOR": "192.0.2.200, 198.51.100.1"}
    assert finish(client, {}, django_capture_on_commit_callbacks, **same_client).status_code == 429
    # The answers are still in the session: only the final submit is repeated.
    other_client = {"HTTP_X_FORWARDED_FOR": "198.51.100.2"}
    assert finish(client, {}, django_capture_on_commit_callbacks, **other_client).status_code == 302


def test_the_window_resets():
    assert ratelimit_hit(scope="t", key="a", rate="1/m", now=60.0).allowed
    blocked = ratelimit_hit(scope="t", key="a", rate="1/m", now=90.0)
    assert not blocked.allowed and blocked.retry_after == 30
    assert ratelimit_hit(scope="t", key="a", rate="1/m", now=120.0).allowed


@pytest.mark.parametrize("bad", ["five/h", "5/fortnight", "0/h", "5"])
def test_a_malformed_rate_fails_loudly(bad):
    with pytest.raises(ValueError, match="5/h"):
        rate_parse(rate=bad)
