"""The demo supplier's pledges (partners/demo_data.py: DEMO_SUPPLIER): what
a catering contractor of the NHS trust might give as social value, matched
in the trust's demo run like its own resources, so the board's pledged
against delivered table and the supplier's own pages have something to show.

Deterministic and idempotent, like matching/demo.py: pledges are made once
by title; each pledge's best proposal of the run is approved, accepted and
put under way; one of them is then completed, only if none is yet.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet

from config.exceptions import ApplicationError
from matching.models import Match, MatchRun, MatchStatus, Resource
from matching.services.review import match_accept, match_activate, match_approve, match_complete
from partners.demo_data import DEMO_SUPPLIER
from partners.models import Anchor, NeedKind, SupplierOrganisation

logger = logging.getLogger(__name__)

# (kind, title, capacity in the kind's unit, min award, max award, room capacity)
PLEDGES: tuple[tuple[str, str, int, int, int, int | None], ...] = (
    (NeedKind.TIME, "Catering staff volunteering", 60, 0, 12, None),
    (NeedKind.SPACE, "Community room at our Eccles depot", 12, 0, 4, 40),
    (NeedKind.SEED_FUNDING, "Irwell Catering community fund", 300_000, 10_000, 50_000, None),
)
DESCRIPTION = (
    "{supplier} pledges this as part of the social value of its catering contract with {anchor}."
)


def demo_supplier(anchor: Anchor) -> SupplierOrganisation | None:
    """The demo supplier, if ``anchor`` is the one it supplies and it is still there."""
    _username, name, slug = DEMO_SUPPLIER
    if anchor.slug != slug:
        return None
    return SupplierOrganisation.objects.filter(
        anchor=anchor, name=name, removed_at__isnull=True
    ).first()


def demo_pledges_create(anchor: Anchor) -> int:
    """The demo supplier's pledges through ``anchor``: how many were made now.
    Their area is the anchor's service area (no site radius): the supplier
    delivers across it."""
    supplier = demo_supplier(anchor)
    if supplier is None:
        return 0
    created = 0
    for kind, title, capacity, minimum, maximum, room in PLEDGES:
        _pledge, made = Resource.objects.get_or_create(
            anchor=anchor,
            supplier=supplier,
            title=title,
            defaults={
                "kind": kind,
                "capacity": capacity,
                "min_award": minimum,
                "max_award": maximum,
                "room_capacity": room,
                "description": DESCRIPTION.format(supplier=supplier.name, anchor=anchor.name),
            },
        )
        created += int(made)
    return created


def demo_back_best(
    proposals: QuerySet[Match], *, team_of: Callable[[Match], Any], contact_of: Callable[[Any], Any]
) -> bool:
    """Approve the best of ``proposals`` (by its anchor's team, ``team_of(match)``);
    its group accepts it and it is put under way. False when there is none, or
    an earlier demo approval took the capacity it needed."""
    best = (
        proposals.filter(status=MatchStatus.PROPOSED)
        .select_related("need__activity__group", "resource")
        .order_by("-score", "pk")
        .first()
    )
    if best is None:
        return False
    team = team_of(best)
    try:
        match_approve(match_id=best.pk, by=team, note="Demo")
    except ApplicationError:  # capacity taken by an earlier demo approval
        logger.info("demo match %s not approved", best.pk)
        return False
    match_accept(match_id=best.pk, by=contact_of(best.need.activity.group))
    match_activate(match_id=best.pk, by=team, note="Demo")
    return True


def demo_pledges_back(
    *, anchor: Anchor, run: MatchRun, team: Any, contact_of: Callable[[Any], Any]
) -> int:
    """Approve each of ``anchor``'s pledges' best proposal of ``run`` (unless one of its
    matches already holds), the group accepts it and it is put under way.
    Returns how many pledges were backed."""
    backed = 0
    pledges = Resource.objects.filter(anchor=anchor, supplier__isnull=False)
    for pledge in pledges.order_by("pk"):
        if Match.objects.filter(resource=pledge).exclude(status=MatchStatus.PROPOSED).exists():
            continue
        backed += demo_back_best(
            Match.objects.filter(run=run, resource=pledge),
            team_of=lambda _match: team,
            contact_of=contact_of,
        )
    return backed


def demo_pledge_deliver(*, team_of: dict[int, Any]) -> int:
    """Complete the first pledge match under way, with its outcome, if no
    pledge has delivered anything yet: the board then shows a delivery."""
    pledged = Match.objects.filter(
        resource__anchor_id__in=team_of, resource__supplier__isnull=False
    )
    if pledged.filter(status=MatchStatus.COMPLETED).exists():
        return 0
    match = (
        pledged.filter(status=MatchStatus.ACTIVE).select_related("resource").order_by("pk").first()
    )
    if match is None:
        return 0
    match_complete(
        match_id=match.pk,
        by=team_of[match.resource.anchor_id],
        people_reached=24,
        story="Volunteers from our catering contractor cooked with us every week.",
        blocks=["partners", "procurement"],
        measures=["NT1"] if match.resource.kind == NeedKind.TIME else [],
    )
    return 1
