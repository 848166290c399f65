"""Django admin for the models added lately: suppliers and their invitations,
the groups' ratings and outcome codes, the runs' "why not us?" reasons, and
other funders' grants. Each list and change page opens for an admin with a
row in it; an invitation's link hash is never shown; rows derived from other
data (or a group's own words) are read-only. Every model of our apps is in
the admin, or listed below with the reason it is not."""

from __future__ import annotations

import hashlib

import pytest
from django.apps import apps
from django.contrib.admin.sites import site
from django.utils import timezone

from grants.models import Grant, KnownOrganisation
from matching.models import MatchRun, MatchStatus, UnmatchedNeed
from matching.models_voice import (
    MatchFeedback,
    MatchGroupReport,
    MatchOutcomeBlock,
    MatchOutcomeMeasure,
)
from partners.models import SupplierInvitation, SupplierMembership
from tests import factories as f

pytestmark = pytest.mark.django_db

TOKEN = "an-invitation-token-nobody-may-read"
TOKEN_HASH = hashlib.sha256(TOKEN.encode()).hexdigest()

OUR_APPS = {"config", "accounts", "places", "partners", "matching", "grants", "maps"}
OUR_APPS |= {"assessment", "board"}
NOT_IN_ADMIN = {
    "partners.consentrecord": "the consent trail is evidence: written with each consent, "
    "never changed, and read in the group's own export",
    "partners.importjob": "an import job is followed on its own page (/team/import/<id>/)",
    "partners.signinlink": "only hashes of sign-in links: nothing to read or change",
    "matching.matchevent": "a match's history, read-only inline on its Match",
    "matching.matchrunchunk": "a run's fan-out bookkeeping, summed up on its MatchRun",
    "board.boardfiguresnapshot": "a cache of the board's figures, keyed by data version",
    "maps.displaygeometryset": "display geometry derived from the neighbourhoods",
    "maps.displaygeometry": "display geometry derived from the neighbourhoods",
    "maps.dataversion": "counters written only by the database's triggers (maps/version.py)",
    "assessment.assessmentparticipation": "anonymous by construction (assessment/admin.py)",
    "assessment.assessmentanswer": "anonymous by construction (assessment/admin.py)",
    "config.outboxmessage": "the outbox's own bookkeeping, claimed by its tasks",
}


@pytest.fixture
def rows(personas):  # type: ignore[no-untyped-def]
    """One row of each model, keyed by model name."""
    match = f.MatchFactory(
        resource=f.ResourceFactory(anchor=personas.anchor_a, supplier=personas.supplier_a),
        status=MatchStatus.COMPLETED,
    )
    run = MatchRun.objects.create(anchor=personas.anchor_a, started_by=personas.alice)
    recipient = KnownOrganisation.objects.create(
        identifier="GB-CHC-1136419", name="Ordsall Community Trust", charity_number="1136419"
    )
    invitation = SupplierInvitation.objects.create(
        supplier=personas.supplier_a,
        email="kim@brightwater.example",
        invited_by=personas.alice,
        token_hash=TOKEN_HASH,
        sent_at=timezone.now(),
    )
    return {
        "supplierorganisation": personas.supplier_a,
        "suppliermembership": SupplierMembership.objects.get(user=personas.sam),
        "supplierinvitation": invitation,
        "matchfeedback": MatchFeedback.objects.create(
            match=match, helped=4, listened=5, again="yes", comment="It helped."
        ),
        "matchgroupreport": MatchGroupReport.objects.create(
            match=match, people_reached=30, story="Thirty people came."
        ),
        "matchoutcomeblock": MatchOutcomeBlock.objects.create(match=match, block="partners"),
        "matchoutcomemeasure": MatchOutcomeMeasure.objects.create(match=match, code="NT1"),
        "unmatchedneed": UnmatchedNeed.objects.create(
            run=run, need=f.NeedFactory(), reason="outbid", rank=5, params={}
        ),
        "knownorganisation": recipient,
        "grant": Grant.objects.create(
            identifier="360G-demo-0001",
            title="Community kitchen",
            funder_name="A Test Foundation",
            recipient=recipient,
            amount_pence=500_000,
            placed_by="postcode",
            area_code="M5 4WT",
        ),
    }


PAGES = [
    ("partners", "supplierorganisation"),
    ("partners", "suppliermembership"),
    ("partners", "supplierinvitation"),
    ("matching", "matchfeedback"),
    ("matching", "matchgroupreport"),
    ("matching", "matchoutcomeblock"),
    ("matching", "matchoutcomemeasure"),
    ("matching", "unmatchedneed"),
    ("grants", "knownorganisation"),
    ("grants", "grant"),
]
# Derived from other data, or a group's own words and consent: look, never change.
READ_ONLY = {"matchfeedback", "matchgroupreport", "unmatchedneed", "knownorganisation", "grant"}


@pytest.mark.parametrize(("app", "model"), PAGES)
def test_the_list_and_the_row_open_for_an_admin_with_no_token_hash(
    client, personas, rows, app, model
):
    client.force_login(personas.root)
    row = rows[model]
    listing = client.get(f"/admin/{app}/{model}/")
    change = client.get(f"/admin/{app}/{model}/{row.pk}/change/")
    assert (listing.status_code, change.status_code) == (200, 200)
    for page in (listing, change):
        body = page.content.decode()
        assert TOKEN_HASH not in body and "token_hash" not in body
    assert f"/admin/{app}/{model}/{row.pk}/change/" in listing.content.decode()


@pytest.mark.parametrize(("app", "model"), [p for p in PAGES if p[1] in READ_ONLY])
def test_derived_rows_cannot_be_added_changed_or_deleted(client, personas, rows, app, model):
    client.force_login(personas.root)
    row = rows[model]
    assert client.get(f"/admin/{app}/{model}/add/").status_code == 403
    assert client.post(f"/admin/{app}/{model}/{row.pk}/change/", {}).status_code == 403
    assert client.post(f"/admin/{app}/{model}/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert type(row).objects.filter(pk=row.pk).exists()


def test_an_invitation_is_made_on_the_teams_page_never_in_the_admin(client, personas, rows):
    client.force_login(personas.root)
    assert client.get("/admin/partners/supplierinvitation/add/").status_code == 403
    invitation = rows["supplierinvitation"]
    url = f"/admin/partners/supplierinvitation/{invitation.pk}/change/"
    client.post(url, {"email": "someone.else@example.org", "token_hash": "0" * 64})
    invitation.refresh_from_db()
    assert (invitation.email, invitation.token_hash) == ("kim@brightwater.example", TOKEN_HASH)


def test_the_admin_cancels_an_invitation_through_the_service(client, personas, rows):
    client.force_login(personas.root)
    invitation = rows["supplierinvitation"]
    client.post(
        "/admin/partners/supplierinvitation/",
        {"action": "cancel_selected", "_selected_action": [invitation.pk]},
    )
    invitation.refresh_from_db()
    assert invitation.cancelled_at is not None


def test_every_model_of_ours_is_in_the_admin_or_says_why_not():
    ours = {
        f"{m._meta.app_label}.{m._meta.model_name}"
        for m in apps.get_models()
        if m._meta.app_label in OUR_APPS
    }
    registered = {f"{m._meta.app_label}.{m._meta.model_name}" for m in site._registry}
    assert ours - registered == set(NOT_IN_ADMIN)
