"""The groups' voice in the demo: the groups whose backing is under way rate
it (some agreeing to be quoted to the board), and some of it is completed
with an outcome coded to the anchor building blocks, so the board's voice
section has something to show.

Deterministic and idempotent: only matches not yet rated are rated, and only
those rated now may be completed, so a second call changes nothing. The group
of the printed contact login (DEMO_CONTACT) is left to rate its own backing.
"""

from __future__ import annotations

from typing import Any

from matching.models import Match
from matching.models_voice import UNDER_WAY_STATUSES, Again, OutcomeBlock
from matching.services.feedback import match_feedback_give
from matching.services.review import match_complete
from partners.demo_data import DEMO_CONTACT
from partners.models import NeedKind

COMMENTS = (
    "The team asked what we needed before offering anything.",
    "It came at the right time: we could open on a second day.",
    "Helpful, but it took a while to hear back.",
    "We would like to be asked earlier next time.",
    "",
)
STORIES = (
    "More neighbours came each week once the room was ours.",
    "Volunteers from the trust helped us run the sessions through the winter.",
    "We bought what we needed and reached people we had never met.",
)
# The building block each kind of backing mostly serves, beside working with
# local partners, which all of it does.
KIND_BLOCKS: dict[str, str] = {
    NeedKind.SPACE: OutcomeBlock.ESTATES,
    NeedKind.TIME: OutcomeBlock.WORKFORCE,
    NeedKind.EXPERTISE: OutcomeBlock.WORKFORCE,
    NeedKind.SEED_FUNDING: OutcomeBlock.PROCUREMENT,
}
AGAIN = (Again.YES, Again.YES, Again.NOT_SURE, Again.YES, Again.NO)


def demo_voice_seed(*, team_of: dict[int, Any], contact_of: Any) -> tuple[int, int]:
    """Rate every demo match under way not yet rated; complete one in four
    of those that are active. Returns (rated, completed)."""
    rated = completed = 0
    matches = (
        Match.objects.filter(
            resource__anchor_id__in=team_of,
            status__in=UNDER_WAY_STATUSES,
            feedback__isnull=True,
        )
        .exclude(need__activity__group__contact_user__username=DEMO_CONTACT)
        .select_related("resource", "need__activity__group")
        .order_by("pk")
    )
    for n, match in enumerate(matches):
        contact = contact_of(match.need.activity.group)
        match_feedback_give(
            match_id=match.pk,
            by=contact,
            helped=3 + n % 3,
            listened=2 + n % 4,
            again=AGAIN[n % len(AGAIN)],
            comment=COMMENTS[n % len(COMMENTS)],
            quote_consent=n % 2 == 0,
        )
        rated += 1
        if match.status != "active" or n % 4 != 1:
            continue
        blocks = {OutcomeBlock.PARTNERS, KIND_BLOCKS.get(match.resource.kind, "partners")}
        match_complete(
            match_id=match.pk,
            by=team_of[match.resource.anchor_id],
            people_reached=12 + (n * 7) % 40,
            story=STORIES[n % len(STORIES)],
            blocks=sorted(blocks),
            measures=["NT1"] if match.resource.kind == NeedKind.TIME else [],
        )
        completed += 1
    return rated, completed
