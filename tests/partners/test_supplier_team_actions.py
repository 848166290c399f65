"""The team manages its suppliers on /team/suppliers/: it sends a waiting
invitation again (a new link; the old one stops working), cancels one (its
link then says so), or removes a supplier after confirming (its staff can no
longer sign in; its pledges go to no new run; its matches and the board's
history stay). Each e-mailed link is followed as sent; anchor B's team (bob)
finds nothing of anchor A's."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import PermissionDenied

from accounts import access
from accounts.roles import BOARD
from matching.models import Match, MatchStatus
from partners.models import SupplierInvitation, SupplierOrganisation
from partners.services.suppliers import (
    supplier_invitation_cancel,
    supplier_invitation_resend,
    supplier_remove,
)
from tests import factories as f

pytestmark = pytest.mark.django_db
PASSWORD = "marigold tugboat lantern"
SAMS_PASSWORD = "correct horse battery staple"  # tests/factories.py


@pytest.fixture(autouse=True)
def fresh_cache():  # type: ignore[no-untyped-def]
    cache.clear()
    yield
    cache.clear()


def link(message) -> str:  # type: ignore[no-untyped-def]
    found = re.search(r"https?://\S+/supplier/join/\S+/", message.body)
    assert found, message.body
    return urlsplit(found.group(0)).path


@pytest.fixture
def as_worker(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Send a request and run what it left in the outbox, as the worker would."""

    def sending(client, url, data=None):  # type: ignore[no-untyped-def]
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {})

    return sending


@pytest.fixture
def invited(client, personas, mailoutbox, as_worker):  # type: ignore[no-untyped-def]
    """alice invited jo of Acme Cleaning Ltd: the invitation and its e-mailed link."""
    client.force_login(personas.alice)
    as_worker(client, "/team/suppliers/", {"name": "Acme Cleaning Ltd", "email": "jo@acme.example"})
    (message,) = mailoutbox
    return SupplierInvitation.objects.get(email="jo@acme.example"), link(message)


def _action(invitation: SupplierInvitation, action: str) -> str:
    return f"/team/suppliers/invitations/{invitation.pk}/{action}/"


def test_the_team_page_lists_waiting_invitations_with_both_actions(client, personas, invited):
    invitation, _path = invited
    body = client.get("/team/suppliers/").content.decode()
    assert "Invitations waiting" in body
    assert "jo@acme.example" in body and "Link sent" in body
    assert f'action="{_action(invitation, "resend")}"' in body
    assert f'action="{_action(invitation, "cancel")}"' in body


def test_sending_again_emails_a_new_link_and_the_old_one_stops_working(
    client, personas, mailoutbox, invited, as_worker
):
    invitation, old = invited
    response = as_worker(client, _action(invitation, "resend"))
    assert response["Location"] == "/team/suppliers/?anchor=anchor-a"
    page = client.get(response["Location"]).content.decode()
    assert "is being sent again with a new link" in page
    assert len(mailoutbox) == 2 and mailoutbox[1].to == ["jo@acme.example"]
    new = link(mailoutbox[1])
    assert new != old
    client.logout()

    stale = client.get(old)
    assert stale.status_code == 400
    assert "only the link in the newest email works" in stale.content.decode()
    assert client.post(old, {"password": PASSWORD, "password_again": PASSWORD}).status_code == 400

    assert b"Join Acme Cleaning Ltd on Backer" in client.get(new).content
    joined = client.post(new, {"password": PASSWORD, "password_again": PASSWORD})
    assert joined["Location"] == "/supplier/"


def test_a_cancelled_invitations_link_says_so_and_joins_nobody(
    client, personas, mailoutbox, invited
):
    invitation, path = invited
    response = client.post(_action(invitation, "cancel"))
    assert response.status_code == 302
    assert "Its link now says so" in client.get(response["Location"]).content.decode()
    client.logout()

    for answer in (
        client.get(path),
        client.post(path, {"password": PASSWORD, "password_again": PASSWORD}),
    ):
        body = answer.content.decode()
        assert answer.status_code == 410
        assert "This invitation was cancelled" in body
        assert 'name="password"' not in body  # not the join form, nor the staff sign-in
    assert not get_user_model().objects.filter(username="jo@acme.example").exists()


def test_a_cancelled_invitation_is_not_sent_again_or_listed(
    client, personas, mailoutbox, invited, as_worker
):
    invitation, _path = invited
    client.post(_action(invitation, "cancel"))
    response = as_worker(client, _action(invitation, "resend"))
    assert "already been accepted or cancelled" in client.get(response["Location"]).content.decode()
    assert len(mailoutbox) == 1
    assert "jo@acme.example" not in client.get("/team/suppliers/").content.decode()


def test_another_anchors_team_finds_nothing_to_act_on(client, personas, mailoutbox, invited):
    invitation, _path = invited
    client.force_login(personas.bob)
    for url in (
        _action(invitation, "resend"),
        _action(invitation, "cancel"),
        f"/team/suppliers/{personas.supplier_a.pk}/remove/",
    ):
        assert client.post(url).status_code == 404
    assert client.get(f"/team/suppliers/{personas.supplier_a.pk}/remove/").status_code == 404
    invitation.refresh_from_db()
    assert invitation.cancelled_at is None and len(mailoutbox) == 1
    assert SupplierOrganisation.objects.get(pk=personas.supplier_a.pk).removed_at is None
    # The services ask accounts.access too, whoever calls them.
    for act in (supplier_invitation_resend, supplier_invitation_cancel):
        with pytest.raises(PermissionDenied):
            act(invitation=invitation, by=personas.bob)
    with pytest.raises(PermissionDenied):
        supplier_remove(supplier=personas.supplier_a, by=personas.bob)


def test_removing_asks_first_and_says_what_changes(client, personas):
    f.ResourceFactory(anchor=personas.anchor_a, supplier=personas.supplier_a)
    client.force_login(personas.alice)
    team_page = client.get("/team/suppliers/").content.decode()
    url = f"/team/suppliers/{personas.supplier_a.pk}/remove/"
    assert f'href="{url}"' in team_page
    body = client.get(url).content.decode()
    assert "Remove Brightwater Catering Ltd as a supplier of Salford Royal Test Trust?" in body
    assert "1 person joined" in body and "1 pledge)" in body
    assert "matches it has committed to stay (0 approved, accepted or under way)" in body
    assert SupplierOrganisation.objects.get(pk=personas.supplier_a.pk).removed_at is None


def test_a_removed_suppliers_staff_can_no_longer_sign_in(client, personas):
    sams = client.__class__()
    signed_in = sams.post(
        "/accounts/login/", {"username": "sam", "password": SAMS_PASSWORD}, follow=True
    )
    assert signed_in.redirect_chain[-1][0] == "/supplier/"

    client.force_login(personas.alice)
    response = client.post(f"/team/suppliers/{personas.supplier_a.pk}/remove/")
    assert response["Location"] == "/team/suppliers/?anchor=anchor-a"
    page = client.get(response["Location"]).content.decode()
    assert "Brightwater Catering Ltd is no longer a supplier" in page
    assert "Removed suppliers" in page

    # The session sam had is over, and his password opens nothing.
    again = sams.get("/supplier/")
    assert again.status_code == 302 and again["Location"].startswith("/accounts/login/")
    fresh_client = client.__class__()
    refused = fresh_client.post("/accounts/login/", {"username": "sam", "password": SAMS_PASSWORD})
    assert refused.status_code == 200  # the form again, with its error: no way in
    assert "_auth_user_id" not in fresh_client.session
    fresh = get_user_model().objects.get(username="sam")
    assert access.supplier_of(user=fresh) is None


def test_staff_with_another_role_keep_signing_in_but_act_for_the_supplier_no_more(client, personas):
    # sam also sits on anchor A's board: removing the supplier leaves that seat.
    sam = f.member(personas.anchor_a, "board", username="sam")
    assert sam.pk == personas.sam.pk and sam.groups.filter(name=BOARD).exists()
    supplier_remove(supplier=personas.supplier_a, by=personas.alice)
    sam.refresh_from_db()
    assert sam.is_active
    client.force_login(sam)
    assert client.get("/supplier/").status_code == 403
    assert client.get("/board/").status_code == 200


def test_removing_cancels_the_suppliers_waiting_invitations(
    client, personas, mailoutbox, as_worker
):
    client.force_login(personas.alice)
    as_worker(
        client,
        "/team/suppliers/",
        {"name": "Brightwater Catering Ltd", "email": "kim@brightwater.example"},
    )
    path = link(mailoutbox[0])
    client.post(f"/team/suppliers/{personas.supplier_a.pk}/remove/")
    client.logout()
    response = client.get(path)
    assert response.status_code == 410
    assert "This invitation was cancelled" in response.content.decode()


def test_removal_keeps_the_matches_and_the_boards_history(client, personas):
    pledge = f.ResourceFactory(
        anchor=personas.anchor_a, supplier=personas.supplier_a, capacity=100_000
    )
    done = f.MatchFactory(resource=pledge, amount=15_000, status=MatchStatus.COMPLETED)
    under_way = f.MatchFactory(resource=pledge, amount=20_000, status=MatchStatus.ACTIVE)
    supplier_remove(supplier=personas.supplier_a, by=personas.alice)
    assert Match.objects.get(pk=done.pk).status == MatchStatus.COMPLETED
    assert Match.objects.get(pk=under_way.pk).status == MatchStatus.ACTIVE
    client.force_login(personas.carol)
    board = client.get("/board/").content.decode()
    assert "Brightwater Catering Ltd" in board
    assert "£1,000" in board and "£150" in board


def test_a_removed_supplier_is_removed_once_and_not_invited_again_by_name(client, personas):
    from config.exceptions import ApplicationError

    supplier_remove(supplier=personas.supplier_a, by=personas.alice)
    with pytest.raises(ApplicationError, match="already been removed"):
        supplier_remove(supplier=personas.supplier_a, by=personas.alice)
    client.force_login(personas.alice)
    url = f"/team/suppliers/{personas.supplier_a.pk}/remove/"
    assert client.get(url).status_code == 404
    response = client.post(
        "/team/suppliers/", {"name": "Brightwater Catering Ltd", "email": "new@brightwater.example"}
    )
    assert "was removed as a supplier on" in response.content.decode()
    assert not SupplierInvitation.objects.exists()


def test_each_action_needs_the_pages_csrf_token(personas, invited):
    from django.test import Client

    invitation, _path = invited
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(personas.alice)
    for url in (
        _action(invitation, "resend"),
        _action(invitation, "cancel"),
        f"/team/suppliers/{personas.supplier_a.pk}/remove/",
    ):
        assert forged.post(url).status_code == 403
    invitation.refresh_from_db()
    assert invitation.cancelled_at is None
    assert SupplierOrganisation.objects.get(pk=personas.supplier_a.pk).removed_at is None


def test_the_old_link_stops_working_before_the_new_email_goes(client, personas, invited):
    # The outbox has not sent the new e-mail yet (no worker here): the old
    # link must not work meanwhile, or a forwarded e-mail would still let in.
    invitation, old = invited
    with_no_worker = client.post(_action(invitation, "resend"))
    assert with_no_worker.status_code == 302
    client.logout()
    assert client.get(old).status_code == 400
