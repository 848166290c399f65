"""axe-core finds no WCAG 2.2 A/AA violation on the pages anyone can reach
without signing in, nor on their forms' error states."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache

from partners.services.registration import verification_token_make
from partners.services.selfservice import group_contact_request_sign_in_link
from tests import factories as f

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def place(personas):
    cache.clear()
    place = f.registration_place()
    for group in (personas.group_a, personas.group_b):
        f.ActivityFactory(group=group, themes=["food", "older-people"])
    yield place
    cache.clear()


def test_the_home_and_accessibility_statement_have_no_violations(audit, place):
    audit.visit("/")
    audit.visit("/accessibility/")
    audit.visit("/no-such-page/", status=404)
    audit.assert_clean()


def test_the_login_page_and_its_errors_have_no_violations(audit, place):
    audit.visit("/accounts/login/")
    audit.submit("login: empty", selector="main form")
    audit.submit(
        "login: wrong password",
        selector="main form",
        answers={"username": "alice", "password": "not the password"},
    )
    audit.assert_clean()


def test_the_directory_its_search_and_a_group_have_no_violations(audit, personas, place):
    audit.visit("/directory/")
    audit.visit("/directory/?q=lunch&theme=food&postcode=M5+4WT&miles=2", label="search: found")
    audit.visit("/directory/?q=zzzz", label="search: nothing found")
    audit.visit("/directory/?postcode=NOT+A+POSTCODE", label="search: bad postcode")
    audit.visit(f"/directory/{personas.group_a.pk}/")
    audit.visit("/directory/map/")
    audit.assert_clean()


def test_the_group_sign_in_pages_have_no_violations(audit, personas, place):
    audit.visit("/group/sign-in/")
    audit.submit("sign in: empty")
    audit.submit("sign in: not an address", answers={"email": "not-an-address"})
    audit.submit("sign in: sent", answers={"email": "nobody@example.org"}, expect_errors=False)
    audit.visit("/group/sign-in/link/not-a-token/", status=400, label="sign-in link: tampered")
    # Outside a test transaction: the outbox runs the sending task at once.
    group_contact_request_sign_in_link(email=personas.group_a.contact_email)
    link = re.search(r"/group/sign-in/link/[^/\s]+/", mail.outbox[-1].body).group(0)
    audit.visit(link, label="sign-in link: confirm")
    audit.visit("/group/erased/")
    audit.assert_clean()


def test_the_email_confirmation_pages_have_no_violations(audit, personas, place):
    group = f.CommunityGroupFactory(
        status="pending", email_verified_at=None, contact_email="new@example.org"
    )
    token = verification_token_make(group=group)
    audit.visit(f"/register/verify/{token}/", label="verify: confirm")
    audit.visit("/register/verify/not-a-token/", status=400, label="verify: tampered")
    audit.visit("/register/verified/")
    audit.visit("/register/verify/new/")
    audit.submit("resend: empty")
    audit.submit("resend: sent", answers={"email": "new@example.org"}, expect_errors=False)
    audit.assert_clean()


def test_the_too_many_attempts_page_has_no_violations(audit, place, settings):
    settings.BACKER_LINK_RATE = "1/h"
    audit.visit("/group/sign-in/")
    audit.submit("sign in: first", answers={"email": "nobody@example.org"}, expect_errors=False)
    audit.visit("/group/sign-in/", label="sign in: again")
    response_status = []
    audit.page.on("response", lambda r: response_status.append(r.status))
    audit.submit("too many attempts", answers={"email": "nobody@example.org"}, expect_errors=False)
    assert 429 in response_status
    assert "Too many attempts" in audit.page.locator("h1").inner_text()
    audit.assert_clean()


def test_the_refusal_pages_have_no_violations(audit, personas, place):
    audit.sign_in(personas.dave)
    audit.visit("/team/groups/", status=403, label="contact on a team page")
    audit.visit("/board/", status=403, label="contact on a board page")
    audit.visit("/board/matching/", status=403, label="contact on the joint matching view")
    audit.sign_in(personas.carol)
    audit.visit("/team/matching/", status=403, label="board on a team page")
    audit.assert_clean()
