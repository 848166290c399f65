"""Demo backing for `make demo`: what the two demo anchors offer, and the
demo supplier pledges through the NHS trust (matching/demo_pledges.py), one
match run each, a history of offers approved, accepted and under way, and
the groups' ratings of it (matching/demo_voice.py), so the review queue, the
board dashboard, the map and the supplier's pages have something to show.

Deterministic and idempotent, like partners/demo.py: a second call changes
nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group as AuthGroup
from django.db import transaction

from accounts.roles import GROUP_CONTACT
from matching.demo_pledges import (
    demo_back_best,
    demo_pledge_deliver,
    demo_pledges_back,
    demo_pledges_create,
)
from matching.demo_voice import demo_voice_seed
from matching.models import Match, MatchRun, MatchStatus, Resource, RunStatus, RunTrigger
from matching.services.connections import connections_suggest
from matching.services.review import match_accept, match_activate, match_approve
from matching.services.runs import match_run_claim, match_run_execute
from partners.demo_data import DEMO_CONTACT
from partners.models import Anchor, AnchorMembership, MembershipRole, NeedKind, Theme

logger = logging.getLogger(__name__)

DEMO_ANCHOR_SUFFIX = "-demo"

# (kind, title, capacity in the kind's unit, min award, max award, radius m, themes)
OFFERS: tuple[tuple[str, str, int, int, int, int, tuple[str, ...]], ...] = (
    (NeedKind.SEED_FUNDING, "Community chest", 800_000, 10_000, 75_000, 6_000, ()),
    (NeedKind.TIME, "Staff volunteering days", 160, 0, 20, 8_000, ()),
    (NeedKind.SPACE, "Meeting room", 24, 0, 4, 5_000, ()),
    (NeedKind.PROFILE, "Newsletter features", 10, 0, 1, 10_000, ()),
    (NeedKind.CONNECTIONS, "Introductions", 15, 0, 3, 10_000, ()),
    (
        NeedKind.EXPERTISE,
        "Finance and governance advice",
        40,
        0,
        8,
        10_000,
        ("community-building",),
    ),
)
# Of each anchor's proposals, best first: every third approved; of those, most
# accepted by the group, and half of the accepted under way.
APPROVE_EVERY = 3


@dataclass
class BackingReport:
    resources_created: int = 0
    pledges_created: int = 0
    pledges_backed: int = 0
    pledges_delivered: int = 0
    # The printed group login's own offer, under way for it to rate and report on.
    contact_backed: bool = False
    runs: list[int] = field(default_factory=list)
    approved: int = 0
    accepted: int = 0
    active: int = 0
    connections: int = 0
    rated: int = 0
    completed: int = 0


def _contact_user(group: Any) -> Any:
    """The group's contact as a signed-in user, as the e-mailed link would make them."""
    if group.contact_user_id:
        return group.contact_user
    user, _ = get_user_model().objects.get_or_create(
        username=group.contact_email.lower(), defaults={"email": group.contact_email.lower()}
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    user.groups.add(AuthGroup.objects.get(name=GROUP_CONTACT))
    group.contact_user = user
    group.save(update_fields=["contact_user"])
    return user


def _resources(anchor: Anchor, report: BackingReport) -> None:
    sites = list(anchor.sites.order_by("pk"))
    if not sites:
        return
    themes = {t.slug: t for t in Theme.objects.all()}
    for position, (kind, title, capacity, minimum, maximum, radius, slugs) in enumerate(OFFERS):
        resource, created = Resource.objects.get_or_create(
            anchor=anchor,
            title=title,
            defaults={
                "kind": kind,
                "capacity": capacity,
                "min_award": minimum,
                "max_award": maximum,
                "radius_site": sites[position % len(sites)],
                "radius_m": radius,
                "room_capacity": 30 if kind == NeedKind.SPACE else None,
                # The chest keeps 40% for deciles 1-2 (Core20): the run page
                # shows the floor and its price.
                "floor_percent": 40 if kind == NeedKind.SEED_FUNDING else 0,
                "description": f"{anchor.name} offers this to community groups nearby.",
            },
        )
        if created:
            resource.themes.set([themes[s] for s in slugs if s in themes])
            report.resources_created += 1


def _team_user(anchor: Anchor) -> Any:
    membership = (
        AnchorMembership.objects.filter(anchor=anchor, role=MembershipRole.TEAM)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None


def demo_backing_seed() -> BackingReport:
    report = BackingReport()
    anchors = Anchor.objects.filter(slug__endswith=DEMO_ANCHOR_SUFFIX).order_by("pk")
    for anchor in anchors:
        team = _team_user(anchor)
        if team is None:
            continue
        with transaction.atomic():
            _resources(anchor, report)
            report.pledges_created += demo_pledges_create(anchor)
        if Match.objects.filter(resource__anchor=anchor).exists():
            continue  # seeded before: leave the anchor's history alone
        run = MatchRun.objects.create(anchor=anchor, trigger=RunTrigger.COMMAND, reason="demo")
        if match_run_claim(run_id=run.pk):
            match_run_execute(run_id=run.pk)
        report.runs.append(run.pk)
        proposals = list(
            Match.objects.filter(run=run, status=MatchStatus.PROPOSED)
            .select_related("need__activity__group")
            .order_by("-score", "pk")
        )
        for index, match in enumerate(proposals[::APPROVE_EVERY]):
            try:
                match_approve(match_id=match.pk, by=team, note="Demo")
            except Exception:  # capacity taken by an earlier demo approval: skip it
                logger.info("demo match %s not approved", match.pk)
                continue
            report.approved += 1
            if index % 4 == 3:
                continue  # left as an offer waiting for the group
            group = match.need.activity.group
            match_accept(match_id=match.pk, by=_contact_user(group))
            report.accepted += 1
            if index % 2 == 0:
                match_activate(match_id=match.pk, by=team, note="Demo")
                report.active += 1
        report.pledges_backed += demo_pledges_back(
            anchor=anchor, run=run, team=team, contact_of=_contact_user
        )
    # The groups' voice: ratings of the backing under way, some outcomes.
    teams = {anchor.pk: _team_user(anchor) for anchor in anchors}
    team_of = {pk: user for pk, user in teams.items() if user is not None}
    report.rated, report.completed = demo_voice_seed(team_of=team_of, contact_of=_contact_user)
    report.pledges_delivered = demo_pledge_deliver(team_of=team_of)
    report.contact_backed = demo_contact_back(runs=report.runs, team_of=team_of)
    MatchRun.objects.filter(status=RunStatus.QUEUED, reason="demo").delete()
    # The demo groups were made verified, not through group_verify, so no
    # suggestion was asked for: make them now, as the nightly task would.
    report.connections = connections_suggest()
    return report


def demo_contact_back(*, runs: list[int], team_of: dict[int, Any]) -> bool:
    """The group of the demo's printed contact login (partners/demo_data.py:
    DEMO_CONTACT) gets its best proposal of this seeding's runs approved,
    accepted and put under way, after the voice step, so that whoever signs
    in as it finds an offer to rate and to report on, not an empty page. An
    offer it accepted that the seeding left short of under way is put under
    way instead. True when its group has backing under way (now or from
    before)."""
    mine = Match.objects.filter(need__activity__group__contact_user__username=DEMO_CONTACT)
    if mine.filter(status=MatchStatus.ACTIVE).exists():
        return True
    # An offer it accepted that was not put under way: put it under way.
    accepted = (
        mine.filter(status=MatchStatus.ACCEPTED, resource__anchor_id__in=team_of)
        .select_related("resource")
        .order_by("-score", "pk")
        .first()
    )
    if accepted is not None:
        match_activate(match_id=accepted.pk, by=team_of[accepted.resource.anchor_id], note="Demo")
        return True
    return demo_back_best(
        mine.filter(run_id__in=runs, resource__anchor_id__in=team_of),
        team_of=lambda match: team_of[match.resource.anchor_id],
        contact_of=_contact_user,
    )
