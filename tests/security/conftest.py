"""Fixtures of the security tests."""

from __future__ import annotations

import pytest
from django.utils import timezone

from partners.models import VerificationStatus
from tests import factories as f


@pytest.fixture
def world(personas):
    """group_a (dave's) with an activity, a need, and anchor A's matches to it
    in each state; a pending group; anchor A's site, resource, run and
    self-assessment round; a connection between group_a and group_b."""
    from matching.models import GroupConnection, MatchRun, MatchStatus
    from partners.openreferral.export import TAXONOMY_ID
    from partners.openreferral.ids import oruk_id

    hood = personas.group_a.neighbourhood
    f.PostcodeFactory(postcode="M5 4WT", neighbourhood_code=hood.code)
    pending = f.CommunityGroupFactory(name="Weaste Walkers", status=VerificationStatus.PENDING)
    activity = f.ActivityFactory(group=personas.group_a, themes=["food"])
    need = f.NeedFactory(activity=activity, amount=15_000)
    resource = f.ResourceFactory(anchor=personas.anchor_a, title="Community chest")
    spare = f.ResourceFactory(anchor=personas.anchor_a, title="Unused pot")
    states = {}
    for name, state in [
        ("match_a", MatchStatus.PROPOSED),
        ("approved_a", MatchStatus.APPROVED),
        ("accepted_a", MatchStatus.ACCEPTED),
        ("active_a", MatchStatus.ACTIVE),
    ]:
        other_need = f.NeedFactory(activity=activity, amount=15_000)
        states[name] = f.MatchFactory(
            need=need if name == "match_a" else other_need, resource=resource, status=state
        ).pk
    run = MatchRun.objects.create(anchor=personas.anchor_a, started_by=personas.alice)
    low, high = sorted([personas.group_a, personas.group_b], key=lambda g: g.pk)
    connection = GroupConnection.objects.create(group_a=low, group_b=high, reason="Nearby")
    round_a = f.AssessmentRoundFactory(anchor=personas.anchor_a)
    from partners.models import ImportJob

    import_a = ImportJob.objects.create(kind="csv", anchor=personas.anchor_a, file_name="a.csv")
    grants_a = ImportJob.objects.create(
        kind="360giving", anchor=personas.anchor_a, file_name="grants.csv"
    )
    _others(personas)
    pledges = _pledges(personas, activity)
    # Anchor B looks after another neighbourhood only: group_a's yearly
    # re-check is anchor A's team's (and the admin's), not bob's.
    personas.anchor_b.service_area.set([f.NeighbourhoodFactory()])
    from partners.services.rechecks import recheck_token_make

    ids = {
        "hood": hood.code,
        "group_a": personas.group_a.pk,
        "pending": pending.pk,
        "activity_a": activity.pk,
        "need_a": need.pk,
        "anchor_a": personas.anchor_a.pk,
        "site_a": resource.radius_site.pk,
        "resource_a": resource.pk,
        "spare_resource_a": spare.pk,
        "run_a": run.pk,
        "connection": connection.pk,
        "round_a": round_a.pk,
        "import_a": import_a.pk,
        "grants_a": grants_a.pk,
        "recheck_a": recheck_token_make(group=personas.group_a),
        "oruk_service": oruk_id("service", activity.pk),
        "oruk_organization": oruk_id("organization", personas.group_a.pk),
        "oruk_taxonomy": TAXONOMY_ID,
        "oruk_term": oruk_id("taxonomy_term", "food"),
        **states,
        **pledges,
    }
    return personas, ids


# The marks of what no persona may see beyond what the public sees: an anchor
# none of them belongs to, and a group none of them is the contact of that is
# not in the public directory. Names no page would print by chance, and ids
# far from any sequence (each table's next id is one more than its own, so a
# row created during a test never takes another table's mark).
OTHER_ANCHOR = {
    "name": "Zephyrine Harbour Trust",
    "slug": "zephyrine-harbour",
    "site": "Quillbrook Clinic",
    "resource": "Kestrelmoor Fund",
    "pounds": "7,319",
    "pence": "731900",
    "anchor_id": "7710017",
    "site_id": "7720029",
    "resource_id": "7730041",
    "match_id": "7740053",
}
# Another supplier of anchor A than sam's: only A's team, A's board and
# admins may see it.
OTHER_SUPPLIER = {
    "name": "Quenby Facilities Ltd",
    "resource": "Thornwick Volunteering Pledge",
    "resource_id": "7760079",
}
HIDDEN_GROUP = {
    "name": "Marrowdene Quiet Circle",
    "contact": "Morwenna Tregarthen",
    "email": "morwenna.tregarthen@example.org",
    "group_id": "7750067",
}


def _pledges(personas, activity):
    """sam's supplier pledges a pot with an offered match (to a need of
    group_a's of its own, so anchor A's matches keep theirs) and a proposal
    under review, and has an invitation waiting; another supplier of A
    pledges hours."""
    from matching.models import MatchEvent, MatchStatus

    need = f.NeedFactory(activity=activity, amount=30_000)
    pledge = f.ResourceFactory(
        anchor=personas.anchor_a, supplier=personas.supplier_a, title="Brightwater Fund"
    )
    offered = f.MatchFactory(need=need, resource=pledge, status=MatchStatus.APPROVED)
    MatchEvent.objects.create(match=offered, from_status="proposed", to_status="approved")
    proposal = f.MatchFactory(need=need, resource=pledge, status=MatchStatus.PROPOSED)
    other = f.SupplierFactory(anchor=personas.anchor_a, name=OTHER_SUPPLIER["name"])
    other_pledge = f.ResourceFactory(
        pk=int(OTHER_SUPPLIER["resource_id"]),
        anchor=personas.anchor_a,
        supplier=other,
        kind="time",
        capacity=40,
        title=OTHER_SUPPLIER["resource"],
    )
    # An invitation of anchor A's waiting to be accepted (the team may send it
    # again or cancel it).
    from partners.models import SupplierInvitation

    invitation = SupplierInvitation.objects.create(
        supplier=personas.supplier_a,
        email="kim@brightwater.example",
        token_hash="0" * 64,
        sent_at=timezone.now(),
    )
    return {
        "supplier_a": personas.supplier_a.pk,
        "invitation_a": invitation.pk,
        "pledge_a": pledge.pk,
        "pledge_match_a": offered.pk,
        "pledge_proposal_a": proposal.pk,
        "other_pledge_a": other_pledge.pk,
    }


def _others(personas):
    """Anchor Z (no persona's) backs a public group with an active match, so
    its site, the line and the amount are drawn on any unscoped board map;
    the hidden group has not consented to publication. nina is in the anchor
    team group with no membership of any anchor: she acts for nobody."""
    from accounts.roles import ANCHOR_TEAM
    from matching.models import MatchStatus

    other = f.AnchorFactory(
        pk=int(OTHER_ANCHOR["anchor_id"]), name=OTHER_ANCHOR["name"], slug=OTHER_ANCHOR["slug"]
    )
    site = f.SiteFactory(pk=int(OTHER_ANCHOR["site_id"]), anchor=other, name=OTHER_ANCHOR["site"])
    resource = f.ResourceFactory(
        pk=int(OTHER_ANCHOR["resource_id"]),
        anchor=other,
        radius_site=site,
        title=OTHER_ANCHOR["resource"],
    )
    public = f.CommunityGroupFactory(name="Wrenfield Allotment Society")
    f.MatchFactory(
        pk=int(OTHER_ANCHOR["match_id"]),
        need=f.NeedFactory(activity=f.ActivityFactory(group=public, themes=["food"])),
        resource=resource,
        amount=int(OTHER_ANCHOR["pence"]),
        status=MatchStatus.ACTIVE,
    )
    hidden = f.CommunityGroupFactory(
        pk=int(HIDDEN_GROUP["group_id"]),
        name=HIDDEN_GROUP["name"],
        contact_name=HIDDEN_GROUP["contact"],
        contact_email=HIDDEN_GROUP["email"],
        consent_public=False,
    )
    f.ActivityFactory(group=hidden, themes=["food"])
    personas.nina = f.UserFactory(username="nina", roles=[ANCHOR_TEAM])
