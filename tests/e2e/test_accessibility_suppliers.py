"""axe-core finds no WCAG 2.2 A/AA violation on the supplier pages: the
team's suppliers page (with an invitation waiting and a supplier removed),
its invitation form, the confirmation before removing a supplier, joining
from the invitation link and a cancelled invitation's link, the
supplier's pledges, pledge form and matches, and the board's supplier table;
nor on their forms' error states.

With SCREENSHOT_DIR set, each page is also saved as a PNG there, to look at.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import timezone

from matching.models import MatchEvent, MatchStatus
from partners.models import SupplierInvitation
from tests import factories as f

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TOKEN = "a-test-invitation-token-for-the-browser"
CANCELLED = "a-cancelled-invitation-token-for-the-browser"


@pytest.fixture
def pledged(personas):
    """sam's pledge, offered to group_a (approved) and accepted by group_b;
    a completed match so the board's table has a delivery; an invitation sent."""
    cache.clear()
    f.SiteFactory(anchor=personas.anchor_a, name="Salford Royal")
    pledge = f.ResourceFactory(
        anchor=personas.anchor_a, supplier=personas.supplier_a, title="Brightwater Fund"
    )
    matches = {}
    for name, group, status in (
        ("offered", personas.group_a, MatchStatus.APPROVED),
        ("accepted", personas.group_b, MatchStatus.ACCEPTED),
        ("completed", personas.group_b, MatchStatus.COMPLETED),
    ):
        activity = f.ActivityFactory(group=group, title="Lunch club", themes=["food"])
        match = f.MatchFactory(
            need=f.NeedFactory(activity=activity), resource=pledge, status=status
        )
        MatchEvent.objects.create(match=match, from_status="proposed", to_status="approved")
        matches[name] = match
    acme = f.SupplierFactory(anchor=personas.anchor_a, name="Acme Cleaning Ltd")
    SupplierInvitation.objects.create(
        supplier=acme,
        email="jo@acme.example",
        token_hash=hashlib.sha256(TOKEN.encode()).hexdigest(),
        sent_at=timezone.now(),
    )
    SupplierInvitation.objects.create(
        supplier=acme,
        email="lee@acme.example",
        token_hash=hashlib.sha256(CANCELLED.encode()).hexdigest(),
        sent_at=timezone.now(),
        cancelled_at=timezone.now(),
    )
    f.SupplierFactory(
        anchor=personas.anchor_a, name="Former Supplies Ltd", removed_at=timezone.now()
    )
    yield pledge, matches
    cache.clear()


def _shot(audit, name: str) -> None:  # type: ignore[no-untyped-def]
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        audit.page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_the_teams_supplier_pages_and_joining_have_no_violations(audit, personas, pledged):
    audit.sign_in(personas.alice)
    audit.visit("/team/suppliers/")
    _shot(audit, "team-suppliers")
    audit.submit("invite: empty")
    _shot(audit, "team-suppliers-errors")
    audit.visit(f"/team/suppliers/{personas.supplier_a.pk}/remove/")
    _shot(audit, "team-supplier-remove")
    audit.sign_in(None)
    audit.visit(f"/supplier/join/{TOKEN}/")
    _shot(audit, "supplier-join")
    audit.submit("join: empty")
    audit.submit(
        "join: passwords differ",
        answers={"password": "marigold tugboat lantern", "password_again": "other words here"},
    )
    _shot(audit, "supplier-join-errors")
    audit.visit("/supplier/join/not-a-token/", status=400)
    audit.visit(f"/supplier/join/{CANCELLED}/", status=410)
    _shot(audit, "supplier-join-cancelled")
    audit.assert_clean()


def test_the_suppliers_own_pages_have_no_violations(audit, personas, pledged):
    pledge, matches = pledged
    audit.sign_in(personas.sam)
    audit.visit("/supplier/")
    _shot(audit, "supplier-home")
    audit.visit("/supplier/resources/new/")
    audit.submit("pledge: empty")
    _shot(audit, "supplier-pledge-errors")
    audit.visit(f"/supplier/resources/{pledge.pk}/")
    audit.visit(f"/supplier/matches/{matches['offered'].pk}/")
    _shot(audit, "supplier-match-offered")
    audit.visit(f"/supplier/matches/{matches['accepted'].pk}/")
    _shot(audit, "supplier-match-accepted")
    audit.assert_clean()


def test_the_review_offer_and_board_supplier_wording_has_no_violations(audit, personas, pledged):
    audit.sign_in(personas.alice)
    audit.visit("/team/matching/resources/")
    _shot(audit, "team-resources-with-pledge")
    audit.sign_in(personas.dave)
    audit.visit("/group/offers/")
    _shot(audit, "group-offers-with-supplier")
    audit.sign_in(personas.carol)
    audit.visit("/board/")
    _shot(audit, "board-dashboard-suppliers")
    audit.visit("/board/report/")
    audit.assert_clean()
