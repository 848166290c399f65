"""Every role finds its own way in: a signed-out group contact following any
group link reaches the e-mailed-link sign-in (never the staff password page
alone), "Sign in" offers both doors, and each role lands on its start page."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # tests/factories.py


@pytest.fixture(autouse=True)
def fresh_cache():  # type: ignore[no-untyped-def]
    cache.clear()  # the sign-in link rate limit


def link_in(message) -> str:  # type: ignore[no-untyped-def]
    return urlsplit(re.search(r"https?://\S+", message.body).group(0)).path


@pytest.mark.parametrize(
    "path", ["/group/", "/group/offers/", "/group/connections/", "/group/{group}/"]
)
def test_a_signed_out_contact_following_a_group_link_reaches_the_group_sign_in(
    client, personas, path
):
    path = path.format(group=personas.group_a.pk)
    response = client.get(path, follow=True)
    landed = response.redirect_chain[-1][0]
    assert urlsplit(landed).path == "/group/sign-in/"
    html = response.content.decode()
    assert "Sign in to manage your group" in html
    assert "We will email you a link" in html
    assert 'type="password"' not in html


def test_the_header_sign_in_offers_both_doors(client):
    home = client.get("/").content.decode()
    assert 'href="/sign-in/"' in home
    html = client.get("/sign-in/").content.decode()
    assert 'href="/group/sign-in/"' in html and "Sign in as a community group" in html
    assert 'href="/accounts/login/"' in html and "Sign in as anchor staff" in html


def test_the_staff_page_shows_groups_their_own_door(client):
    html = client.get("/accounts/login/").content.decode()
    assert 'href="/group/sign-in/"' in html


@pytest.mark.parametrize(
    ("who", "start"),
    [("alice", "/team/groups/queue/"), ("carol", "/board/"), ("root", "/admin/")],
)
def test_staff_land_on_their_own_start_page(client, personas, who, start):
    response = client.post("/accounts/login/", {"username": who, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == start
    assert response.status_code == 200


def test_without_a_next_the_contact_lands_on_their_group(
    client, personas, mailoutbox, django_capture_on_commit_callbacks
):
    # The link is sent by the outbox task the request queues, as a worker would.
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/group/sign-in/", {"email": personas.group_a.contact_email})
    signed_in = client.post(link_in(mailoutbox[-1]), follow=True)
    assert signed_in.redirect_chain[-1][0] == "/group/"
    assert personas.group_a.name in signed_in.content.decode()


@pytest.mark.parametrize("bad", ["https://evil.example/", "//evil.example/", "javascript:x"])
def test_a_next_to_another_site_is_ignored(
    client, personas, mailoutbox, bad, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/group/sign-in/", {"email": personas.group_a.contact_email, "next": bad})
    signed_in = client.post(link_in(mailoutbox[-1]))
    assert signed_in["Location"] == "/group/"
