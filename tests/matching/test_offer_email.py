"""The offer e-mail says what is offered, by whom and how to accept, and its
link, followed as sent by a signed-out contact, ends on the offer."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache

from matching.services import review

SITE = "http://127.0.0.1:8111"


@pytest.fixture(autouse=True)
def served_at(settings):  # type: ignore[no-untyped-def]
    settings.BACKER_SITE_URL = SITE  # as `make demo PORT=8111` sets it
    cache.clear()  # the sign-in link rate limit


@pytest.fixture
def approve(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Approve as the team does; the e-mail goes after the commit."""

    def run(match, by):  # type: ignore[no-untyped-def]
        with django_capture_on_commit_callbacks(execute=True):
            review.match_approve(match_id=match.pk, by=by)

    return run


def links_in(message) -> list[str]:  # type: ignore[no-untyped-def]
    return re.findall(r"https?://\S+", message.body)


def test_the_offer_email_says_what_by_whom_and_how_to_accept(proposal, mailoutbox, approve):
    approve(proposal.match, proposal.alice)
    (message,) = mailoutbox
    body = message.body
    assert message.to == [proposal.group_a.contact_email]
    assert "Salford Royal Test Trust offers Ordsall Lunch Club backing" in body
    assert "Seed funding: £150" in body
    assert "Community chest" in body and '"Lunch club"' in body
    assert 'choose "Accept"' in body
    assert links_in(message) == [f"{SITE}/group/offers/"]


def test_hours_are_said_in_hours_and_one_is_singular(proposal, mailoutbox, approve):
    from tests import factories as f

    hours = f.ResourceFactory(anchor=proposal.anchor_a, kind="time", title="Volunteers")
    need = f.NeedFactory(activity=proposal.need.activity, kind="time", amount=1)
    match = f.MatchFactory(need=need, resource=hours, amount=1)
    approve(match, proposal.alice)
    assert "Staff or volunteer time: 1 hour a month" in mailoutbox[-1].body


def test_the_offer_link_as_sent_leads_a_signed_out_contact_to_the_offer(
    client, proposal, mailoutbox, approve, django_capture_on_commit_callbacks
):
    approve(proposal.match, proposal.alice)
    (link,) = links_in(mailoutbox[-1])
    assert link.startswith(SITE)
    response = client.get(urlsplit(link).path, follow=True)
    assert response.redirect_chain[-1][0] == "/group/sign-in/?next=/group/offers/"
    page = response.content.decode()
    assert "Sign in to manage your group" in page and 'type="password"' not in page
    # The form keeps where the contact was going; the outbox task sends the link.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/group/sign-in/", {"email": proposal.group_a.contact_email, "next": "/group/offers/"}
        )
    (sign_in_link,) = links_in(mailoutbox[-1])
    assert sign_in_link.startswith(f"{SITE}/group/sign-in/link/")
    signed_in = client.post(urlsplit(sign_in_link).path, follow=True)
    assert signed_in.redirect_chain[-1][0] == "/group/offers/"
    html = signed_in.content.decode()
    assert "Community chest" in html and "£150" in html and ">Accept<" in html


def test_the_verification_link_uses_the_site_address(db, client, mailoutbox):
    from partners.services.registration import group_send_verification_email
    from tests import factories as f

    group = f.CommunityGroupFactory(email_verified_at=None)
    group_send_verification_email(group_id=group.pk)
    (link,) = links_in(mailoutbox[-1])
    assert link.startswith(f"{SITE}/register/verify/")
    page = client.get(urlsplit(link).path).content.decode()
    assert "Confirm my email address" in page


def test_the_offer_subject_names_the_anchor_as_written(proposal, mailoutbox, approve):
    # The subject is a template now (config/emails.py): plain text, never HTML-escaped.
    anchor = proposal.match.resource.anchor
    anchor.name = "Salford Health & Care <Test>"
    anchor.save()
    approve(proposal.match, proposal.alice)
    (message,) = mailoutbox
    assert message.subject == "An offer of backing from Salford Health & Care <Test>"
