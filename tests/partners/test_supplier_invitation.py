"""An anchor team invites a supplier; the supplier's contact follows the
e-mailed link as sent, sets a password and acts for that one supplier."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts import access
from accounts.roles import SUPPLIER, has_role
from partners.models import SupplierInvitation, SupplierOrganisation
from partners.services.suppliers import supplier_invite

pytestmark = pytest.mark.django_db
PASSWORD = "marigold tugboat lantern"


def link(message) -> str:  # type: ignore[no-untyped-def]
    found = re.search(r"https?://\S+/supplier/join/\S+/", message.body)
    assert found, message.body
    return urlsplit(found.group(0)).path


@pytest.fixture
def invite(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """alice invites a supplier; what the request left in the outbox runs, as the worker would."""

    def inviting(client, personas, name="Acme Cleaning Ltd", email="jo@acme.example"):  # type: ignore[no-untyped-def]
        client.force_login(personas.alice)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/team/suppliers/", {"name": name, "email": email})

    return inviting


def test_the_team_invites_and_the_supplier_joins_from_the_email(
    client, personas, mailoutbox, invite
):
    response = invite(client, personas)
    assert response.status_code == 302
    (message,) = mailoutbox
    assert message.to == ["jo@acme.example"]
    assert "Salford Royal Test Trust invites Acme Cleaning Ltd" in message.subject
    path = link(message)
    client.logout()

    page = client.get(path)
    assert page.status_code == 200
    assert b"Join Acme Cleaning Ltd on Backer" in page.content
    assert "_auth_user_id" not in client.session  # a GET (a mail scanner) joins nobody

    joined = client.post(path, {"password": PASSWORD, "password_again": PASSWORD})
    assert joined["Location"] == "/supplier/"
    user = get_user_model().objects.get(username="jo@acme.example")
    assert has_role(user, SUPPLIER)
    supplier = SupplierOrganisation.objects.get(name="Acme Cleaning Ltd")
    assert supplier.anchor == personas.anchor_a
    assert access.supplier_of(user=user) == supplier.pk
    home = client.get("/supplier/")
    assert b"Pledges of Acme Cleaning Ltd" in home.content
    # The team sees the supplier with one member who joined and nothing waiting.
    client.force_login(personas.alice)
    team_page = client.get("/team/suppliers/").content.decode()
    assert "Acme Cleaning Ltd" in team_page
    assert "jo@acme.example" not in team_page  # the list shows organisations, not people


def test_an_invitation_link_works_once(client, personas, mailoutbox, invite):
    invite(client, personas)
    path = link(mailoutbox[0])
    client.logout()
    client.post(path, {"password": PASSWORD, "password_again": PASSWORD})
    other = client.__class__()
    for response in (other.get(path), other.post(path, {"password": PASSWORD})):
        assert response.status_code == 410
        assert b"already been used" in response.content


def test_an_old_link_has_expired(client, personas, mailoutbox, invite):
    invite(client, personas)
    path = link(mailoutbox[0])
    SupplierInvitation.objects.update(sent_at=timezone.now() - timedelta(days=8))
    client.logout()
    response = client.get(path)
    assert response.status_code == 410
    assert b"The link has expired" in response.content


def test_a_made_up_link_is_refused(client, db):
    response = client.get("/supplier/join/not-a-real-token/")
    assert response.status_code == 400
    assert b"not complete or not right" in response.content


def test_the_link_is_not_stored(client, personas, mailoutbox, invite):
    invite(client, personas)
    token = link(mailoutbox[0]).rstrip("/").rsplit("/", 1)[1]
    stored = SupplierInvitation.objects.get()
    assert stored.token_hash and token not in stored.token_hash


def test_the_join_form_shows_every_error_and_joins_nobody(client, personas, mailoutbox, invite):
    invite(client, personas)
    path = link(mailoutbox[0])
    client.logout()
    response = client.post(path, {"password": "12345678", "password_again": "different"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "entirely numeric" in body
    assert "The two passwords are not the same" in body
    assert not get_user_model().objects.filter(username="jo@acme.example").exists()


def test_the_invitation_form_shows_every_error_and_keeps_what_was_typed(client, personas):
    client.force_login(personas.alice)
    response = client.post("/team/suppliers/", {"name": "", "email": "not an address"})
    body = response.content.decode()
    assert "Enter the supplier organisation&#x27;s name" in body
    assert "Enter an email address in the correct format" in body
    assert 'value="not an address"' in body
    assert not SupplierInvitation.objects.exists()


def test_an_address_that_already_signs_in_is_refused(client, personas, mailoutbox, invite):
    response = invite(client, personas, email=personas.bob.email)
    assert "Someone already signs in to Backer with this address" in response.content.decode()
    assert mailoutbox == []


def test_a_team_invites_for_its_own_anchor_only(personas):
    with pytest.raises(PermissionDenied):
        supplier_invite(
            anchor=personas.anchor_a, by=personas.bob, name="X Ltd", email="x@x.example"
        )
    with pytest.raises(PermissionDenied):
        supplier_invite(
            anchor=personas.anchor_a, by=personas.sam, name="X Ltd", email="x@x.example"
        )


def test_another_anchors_slug_is_not_there(client, personas):
    client.force_login(personas.bob)
    response = client.post(
        "/team/suppliers/?anchor=anchor-a", {"name": "X", "email": "x@x.example"}
    )
    assert response.status_code == 404
    assert not SupplierInvitation.objects.exists()
