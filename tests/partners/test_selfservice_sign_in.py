"""Group contacts sign in with an e-mailed link: single use, expiring, and
the page never tells a stranger whether an address is registered."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import F

from accounts.roles import GROUP_CONTACT, has_role
from partners.models import SignInLink
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():  # type: ignore[no-untyped-def]
    cache.clear()


def link(message) -> str:  # type: ignore[no-untyped-def]
    return urlsplit(re.search(r"https?://\S+/group/sign-in/link/\S+/", message.body).group(0)).path


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_a_known_address_gets_a_link_and_an_unknown_one_the_same_answer(client, mailoutbox, ask):
    group = f.CommunityGroupFactory(contact_email="pat@example.org")
    known = ask(client, "Pat@Example.org")
    unknown = ask(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    assert without_csrf(known.content.decode()) == without_csrf(unknown.content.decode())
    assert b"If we have a group for that address" in known.content
    (message,) = mailoutbox
    assert message.to == ["pat@example.org"]
    assert group.name not in message.body  # the link is all it needs to carry


def test_the_link_signs_the_contact_in_and_links_their_groups(client, mailoutbox, ask):
    group = f.CommunityGroupFactory(contact_email="Pat@Example.org", email_verified_at=None)
    ask(client, "pat@example.org")
    path = link(mailoutbox[0])
    assert b"Sign in" in client.get(path).content
    assert "_auth_user_id" not in client.session  # a GET (a mail scanner) signs nobody in
    response = client.post(path)
    assert response["Location"] == "/group/"
    user = get_user_model().objects.get(username="pat@example.org")
    assert not user.has_usable_password()
    assert has_role(user, GROUP_CONTACT)
    group.refresh_from_db()
    assert group.contact_user == user
    assert group.email_verified_at is not None  # the link proved the address
    dashboard = client.get("/group/")
    assert group.name.encode() in dashboard.content


def test_an_existing_contact_user_is_signed_in_as_themselves(client, personas, mailoutbox, ask):
    ask(client, personas.group_a.contact_email)
    client.post(link(mailoutbox[0]))
    assert int(client.session["_auth_user_id"]) == personas.dave.pk


def test_a_sign_in_link_works_once(client, mailoutbox, ask):
    f.CommunityGroupFactory(contact_email="pat@example.org")
    ask(client, "pat@example.org")
    path = link(mailoutbox[0])
    client.post(path)
    other = client.__class__()
    for response in (other.get(path), other.post(path)):
        assert response.status_code == 410
        assert b"This link has already been used" in response.content
        assert b'href="/group/sign-in/"' in response.content
    assert "_auth_user_id" not in other.session


def test_an_older_link_stops_working_once_a_newer_one_is_used(client, mailoutbox, ask):
    f.CommunityGroupFactory(contact_email="pat@example.org")
    ask(client, "pat@example.org")
    ask(client, "pat@example.org")
    first, second = (link(m) for m in mailoutbox)
    assert client.post(second).status_code == 302
    assert client.__class__().post(first).status_code == 410


def test_a_sign_in_link_expires_after_30_minutes(client, mailoutbox, ask):
    f.CommunityGroupFactory(contact_email="pat@example.org")
    ask(client, "pat@example.org")
    SignInLink.objects.update(created_at=F("created_at") - timedelta(minutes=31))
    response = client.post(link(mailoutbox[0]))
    assert response.status_code == 410
    assert b"This link has expired" in response.content


def test_a_tampered_sign_in_link_is_refused(client, mailoutbox, ask):
    f.CommunityGroupFactory(contact_email="pat@example.org")
    ask(client, "pat@example.org")
    path = link(mailoutbox[0])
    response = client.post(path.replace("/link/", "/link/x"))
    assert response.status_code == 400
    assert b"This link does not work" in response.content


def test_a_verification_link_cannot_sign_anyone_in(client, mailoutbox):
    from django.core import signing

    f.CommunityGroupFactory(contact_email="pat@example.org")
    forged = signing.dumps({"e": "pat@example.org", "s": ""}, salt="partners.verify-email")
    assert client.post(f"/group/sign-in/link/{forged}/").status_code == 400


def test_staff_and_board_accounts_never_sign_in_by_link(client, personas, mailoutbox, ask):
    board = f.member(personas.anchor_a, "board", username="board@example.org")
    f.CommunityGroupFactory(contact_email="board@example.org")
    ask(client, "board@example.org")
    assert mailoutbox == []
    board.refresh_from_db()
    assert not has_role(board, GROUP_CONTACT)


def test_a_link_to_a_staff_members_address_never_signs_in_the_staff_account(
    client, personas, mailoutbox, ask
):
    f.CommunityGroupFactory(contact_email=personas.carol.email)
    ask(client, personas.carol.email)
    client.post(link(mailoutbox[0]))
    signed_in = get_user_model().objects.get(pk=client.session["_auth_user_id"])
    assert signed_in != personas.carol
    assert not signed_in.anchor_memberships.exists()


def test_an_erased_group_gets_no_link(client, mailoutbox, ask):
    f.CommunityGroupFactory(contact_email="pat@example.org", erased_at="2026-01-01T00:00:00Z")
    ask(client, "pat@example.org")
    assert mailoutbox == []


def test_asking_for_a_link_needs_a_real_address(client, ask):
    response = ask(client, "pat")
    assert response.status_code == 200
    assert b'<a href="#id_email">Enter an email address in the correct format' in response.content


def test_asking_for_links_is_rate_limited(client, settings, ask):
    settings.BACKER_LINK_RATE = "2/h"
    ask(client, "a@example.org")
    ask(client, "b@example.org")
    assert ask(client, "c@example.org").status_code == 429


def test_signed_out_people_are_sent_to_sign_in(client, personas):
    assert client.get("/group/")["Location"] == "/group/sign-in/?next=/group/"
    group_page = f"/group/{personas.group_a.pk}/"
    assert client.get(group_page)["Location"] == f"/group/sign-in/?next={group_page}"


@pytest.mark.parametrize("who", ["alice", "carol", "erin", "root"])
def test_only_the_groups_own_contact_sees_its_pages(client, personas, who):
    group = personas.group_a
    client.force_login(getattr(personas, who))
    for path in ("", "edit/", "export.json", "erase/", "withdraw/", "consent/", "activities/add/"):
        assert client.get(f"/group/{group.pk}/{path}").status_code == 404, path
    assert client.post(f"/group/{group.pk}/erase/").status_code == 404
    group.refresh_from_db()
    assert group.erased_at is None


def test_the_contact_sees_their_group(client, personas):
    client.force_login(personas.dave)
    response = client.get(f"/group/{personas.group_a.pk}/")
    assert response.status_code == 200
    assert personas.group_a.name.encode() in response.content
    assert response["Cache-Control"].startswith("max-age=0")
