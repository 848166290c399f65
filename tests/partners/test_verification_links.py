"""E-mail verification links: signed, single use, expiring; and nothing
reaches the review queue until one has been followed."""

from __future__ import annotations

import re
import time
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.db import transaction

from partners.models import CommunityGroup
from partners.services.registration import (
    ActivityInput,
    GroupInput,
    NeedInput,
    group_register,
    group_send_verification_email,
)
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def place():  # type: ignore[no-untyped-def]
    cache.clear()
    return f.registration_place()


@pytest.fixture
def registered(client, django_capture_on_commit_callbacks, mailoutbox):  # type: ignore[no-untyped-def]
    answers = f.registration_answers()
    for step in ("group", "where", "activities", "needs", "contact"):
        client.post(f"/register/{step}/", answers[step])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post("/register/check/", {})
    assert len(callbacks) == 1  # the e-mail waits for the commit
    return CommunityGroup.objects.get()


def link_path(message) -> str:  # type: ignore[no-untyped-def]
    url = re.search(r"https?://\S+/register/verify/\S+/", message.body).group(0)
    return urlsplit(url).path


def test_the_email_has_a_link_and_no_one_else_gets_it(registered, mailoutbox):
    (message,) = mailoutbox
    assert message.to == ["pat@example.org"]
    assert "Ordsall Lunch Club" in message.subject
    assert link_path(message).startswith("/register/verify/")


def test_the_group_is_not_in_the_review_queue_before_verification(registered):
    assert not CommunityGroup.objects.review_queue().exists()


def test_a_valid_link_verifies_and_the_group_reaches_the_review_queue(
    client, registered, mailoutbox
):
    path = link_path(mailoutbox[0])
    page = client.get(path)
    assert page.status_code == 200
    assert b"Confirm my email address" in page.content
    assert not CommunityGroup.objects.review_queue().exists()  # a GET uses nothing up
    response = client.post(path)
    assert response["Location"] == "/register/verified/"
    registered.refresh_from_db()
    assert registered.email_verified_at is not None
    assert list(CommunityGroup.objects.review_queue()) == [registered]


def test_a_reused_link_is_refused(client, registered, mailoutbox):
    path = link_path(mailoutbox[0])
    client.post(path)
    first_verified = CommunityGroup.objects.get().email_verified_at
    for response in (client.get(path), client.post(path)):
        assert response.status_code == 410
        assert b"This link has already been used" in response.content
        assert b'href="/register/verify/new/"' in response.content
    assert CommunityGroup.objects.get().email_verified_at == first_verified


def test_an_expired_link_is_refused(client, registered, mailoutbox):
    path = link_path(mailoutbox[0])
    four_days_later = time.time() + 4 * 24 * 3600
    with mock.patch("django.core.signing.time.time", return_value=four_days_later):
        for response in (client.get(path), client.post(path)):
            assert response.status_code == 410
            assert b"This link has expired" in response.content
    assert not CommunityGroup.objects.review_queue().exists()


def test_a_link_within_its_time_still_works(client, registered, mailoutbox):
    two_days_later = time.time() + 2 * 24 * 3600
    with mock.patch("django.core.signing.time.time", return_value=two_days_later):
        assert client.post(link_path(mailoutbox[0])).status_code == 302


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: "x" + token,
        lambda token: "not-a-token",
    ],
)
def test_a_tampered_link_is_refused(client, registered, mailoutbox, tamper):
    token = link_path(mailoutbox[0]).split("/")[3]
    path = f"/register/verify/{tamper(token)}/"
    for response in (client.get(path), client.post(path)):
        assert response.status_code == 400
        assert b"This link does not work" in response.content
    assert not CommunityGroup.objects.review_queue().exists()


def test_a_link_for_another_purpose_is_refused(client, registered):
    from django.core import signing

    forged = signing.dumps({"g": registered.pk, "s": "x"}, salt="partners.contact-sign-in")
    assert client.post(f"/register/verify/{forged}/").status_code == 400


def test_a_new_link_can_be_asked_for_without_revealing_the_address(
    client, registered, mailoutbox, django_capture_on_commit_callbacks
):
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post("/register/verify/new/", {"email": "PAT@example.org"})
        unknown = client.post("/register/verify/new/", {"email": "nobody@example.org"})
    assert known.content == unknown.content
    assert len(mailoutbox) == 1
    assert client.post(link_path(mailoutbox[0])).status_code == 302


def test_asking_for_a_new_link_needs_a_real_address(client):
    response = client.post("/register/verify/new/", {"email": "nonsense"})
    assert response.status_code == 200
    assert b'href="#id_email"' in response.content


def test_no_email_is_sent_for_a_verified_group(registered, mailoutbox):
    mailoutbox.clear()
    CommunityGroup.objects.update(email_verified_at="2026-01-01T00:00:00Z")
    assert group_send_verification_email(group_id=registered.pk) is False
    assert mailoutbox == []


def test_a_rolled_back_registration_sends_nothing(mailoutbox, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        group_register(
            group=GroupInput(name="Rolled back", kind="other"),
            postcode="M5 4WT",
            meets_at_home=False,
            address="",
            activities=[ActivityInput(key="a", title="Walks", theme_slugs=("food",))],
            needs=[NeedInput(activity_key="a", kind="time", amount=3)],
            contact_name="Pat",
            contact_email="pat@example.org",
            contact_phone="",
            consent_public=False,
        )
        raise RuntimeError("something after it failed")
    assert callbacks == []
    assert mailoutbox == []
    assert not CommunityGroup.objects.exists()


def test_the_log_names_the_group_by_id_only(registered, caplog, client, mailoutbox):
    import logging

    caplog.set_level(logging.INFO, logger="partners")
    group_send_verification_email(group_id=registered.pk)
    client.post(link_path(mailoutbox[-1]))
    text = caplog.text
    assert str(registered.pk) in text
    for personal in ("pat@example.org", "Pat Example", "0161 496 0000", "M5 4WT"):
        assert personal not in text
