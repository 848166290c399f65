"""Django admin: the admin role sees everything; nobody else gets in; its
verify action goes through the review service's state guard."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import site

from partners.models import CommunityGroup, VerificationStatus
from tests import factories as f

CHANGELISTS = ["communitygroup", "activity", "need", "anchor", "site", "anchormembership", "theme"]


@pytest.mark.parametrize("model", CHANGELISTS)
def test_the_admin_opens_every_changelist(client, personas, model):
    client.force_login(personas.root)
    assert client.get(f"/admin/partners/{model}/").status_code == 200


@pytest.mark.parametrize("role", ["alice", "carol", "dave"])
def test_other_roles_are_sent_to_the_admin_login(client, personas, role):
    client.force_login(getattr(personas, role))
    response = client.get("/admin/partners/communitygroup/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_verify_action_verifies_pending_groups_only(rf, personas):
    pending = f.CommunityGroupFactory(status=VerificationStatus.PENDING)
    model_admin = site._registry[CommunityGroup]
    request = rf.post("/admin/partners/communitygroup/")
    request.user = personas.root
    sent = []
    model_admin.message_user = lambda request, message, level=None: sent.append(message)
    model_admin.verify_selected(
        request, CommunityGroup.objects.filter(pk__in=[pending.pk, personas.group_a.pk])
    )
    pending.refresh_from_db()
    assert pending.status == VerificationStatus.VERIFIED
    assert sent == ["1 verified.", "1 not verified: only pending groups can be."]


@pytest.mark.parametrize("model", ["communitygroup", "anchor"])
def test_a_web_address_typed_in_the_admin_without_a_scheme_is_https(personas, model):
    """As in the registration form; and the change form no longer warns that
    Django 6 will change the scheme it assumes."""
    import warnings

    from django.utils.deprecation import RemovedInDjango60Warning

    model_admin = next(a for m, a in site._registry.items() if m._meta.model_name == model)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RemovedInDjango60Warning)
        form_class = model_admin.get_form(request=None, fields=["website"])
    field = form_class.base_fields["website"]
    assert field.clean("tea.example.org") == "https://tea.example.org"
