"""The demo's backing: resources, the demo supplier's pledges, a run per
anchor, and a history to show."""

from __future__ import annotations

import dataclasses
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from board.scope import BoardScope
from board.suppliers import supplier_pledges
from matching.demo import OFFERS, demo_backing_seed
from matching.demo_pledges import PLEDGES
from matching.models import (
    GroupConnection,
    Match,
    MatchFeedback,
    MatchOutcomeBlock,
    MatchRun,
    MatchStatus,
    Resource,
)
from matching.selectors import connections_for_contact
from partners.demo import demo_seed
from partners.demo_data import DEMO_CONTACT, DEMO_SUPPLIER
from partners.models import SupplierOrganisation
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_place():
    # The real shipped Salford data, as `make demo` loads it.
    call_command("load_places", "--demo", "--no-progress", stdout=StringIO())
    demo_seed(groups=60)


def test_it_gives_each_demo_anchor_resources_and_backing_and_is_idempotent(demo_place):
    first = demo_backing_seed()
    assert first.resources_created == 2 * len(OFFERS)
    assert len(first.runs) == 2
    assert first.approved > 0 and first.accepted > 0 and first.active > 0
    statuses = set(Match.objects.values_list("status", flat=True))
    assert {MatchStatus.APPROVED, MatchStatus.ACCEPTED, MatchStatus.ACTIVE} <= statuses
    for resource in Resource.objects.all():
        assert 0 <= resource.allocated <= resource.capacity
    # Issue 17: the demo showed no connections (only the nightly task made them).
    assert first.connections > 0
    assert GroupConnection.objects.count() == first.connections
    # The groups' voice: ratings, some quotable to the board, some outcomes coded.
    assert first.rated > 0 and first.completed > 0
    assert MatchFeedback.objects.count() == first.rated
    assert MatchFeedback.objects.filter(quote_consent=True).exists()
    assert MatchFeedback.objects.filter(quote_consent=False).exists()
    assert MatchOutcomeBlock.objects.filter(match__status=MatchStatus.COMPLETED).exists()

    counts = (Resource.objects.count(), Match.objects.count())
    second = demo_backing_seed()
    assert second.resources_created == 0 and second.runs == []
    assert (Resource.objects.count(), Match.objects.count()) == counts
    assert second.connections == 0
    assert (second.rated, second.completed) == (0, 0)


def test_the_demo_suggestions_name_no_unlisted_or_home_group(demo_place):
    demo_backing_seed()
    users: dict[int, object] = {}
    private = 0
    for connection in GroupConnection.objects.select_related("group_a", "group_b"):
        for me, other in (
            (connection.group_a, connection.group_b),
            (connection.group_b, connection.group_a),
        ):
            if me.pk not in users:
                users[me.pk] = me.contact_user or f.contact_of(me, username=f"demo-{me.pk}")
            views = {v.id: v for v in connections_for_contact(user=users[me.pk])}
            view = views[connection.pk]
            # Everything the view says about the other group (my_group is mine).
            about_other = repr(dataclasses.replace(view, my_group=""))
            if not other.is_public or other.meets_at_home:
                private += 1
                assert view.other_public_name == "" and view.other_name == ""
                assert other.name not in about_other
            assert other.contact_email not in about_other
    assert private > 0


def test_the_command_refuses_without_debug(settings):
    settings.DEBUG = False
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("seed_demo_backing")


# The demo approves every third proposal, and the groups' voice completes
# some backing. Left to chance, the pledges might get neither: with one
# proposal in 10,000 approved and no voice step, they must be taken up by
# their own step (demo_pledges_back) and one delivered (demo_pledge_deliver).
@pytest.mark.parametrize("left_to_chance", [False, True])
def test_the_demo_supplier_pledges_are_matched_and_delivered_on_its_and_the_boards_pages(
    demo_place, client, monkeypatch, left_to_chance
):
    if not left_to_chance:
        monkeypatch.setattr("matching.demo.APPROVE_EVERY", 10_000)
        monkeypatch.setattr("matching.demo.demo_voice_seed", lambda **kwargs: (0, 0))
    report = demo_backing_seed()
    supplier = SupplierOrganisation.objects.get(name=DEMO_SUPPLIER[1])
    pledges = Resource.objects.filter(supplier=supplier)
    assert report.pledges_created == len(PLEDGES) == pledges.count()
    assert {p.kind for p in pledges} == {"time", "space", "seed_funding"}
    # Each pledge was matched in the trust's demo run, and the team approved it.
    nhs_run = MatchRun.objects.get(pk__in=report.runs, anchor=supplier.anchor)
    for pledge in pledges:
        matched = Match.objects.filter(resource=pledge, run=nhs_run, events__to_status="approved")
        assert matched.exists(), pledge.title
        # ... and the group took it up: under way, or delivered.
        assert matched.filter(status__in=[MatchStatus.ACTIVE, MatchStatus.COMPLETED]).exists()
    assert Match.objects.filter(resource__supplier=supplier, status=MatchStatus.COMPLETED).exists()

    # The board's table: pledged against delivered, with something delivered.
    rows = supplier_pledges(scope=BoardScope(anchor_ids=(supplier.anchor_id,)))
    assert {r.kind for r in rows if r.supplier == supplier.name} == {
        "time",
        "space",
        "seed_funding",
    }
    assert sum(r.delivered for r in rows if r.supplier == supplier.name) > 0

    # The demo supplier's own page lists its pledges and what became of them.
    client.force_login(get_user_model().objects.get(username=DEMO_SUPPLIER[0]))
    home = client.get("/supplier/").content.decode()
    for pledge in pledges:
        assert pledge.title in home
    assert "Completed" in home

    # A second call changes nothing.
    counts = (pledges.count(), Match.objects.filter(resource__supplier=supplier).count())
    second = demo_backing_seed()
    assert (second.pledges_created, second.pledges_backed, second.pledges_delivered) == (0, 0, 0)
    assert (pledges.count(), Match.objects.filter(resource__supplier=supplier).count()) == counts


def test_the_printed_group_login_finds_backing_under_way_to_rate_and_report_on(demo_place, client):
    """Whoever signs in as the group the demo prints finds an offer under way,
    with the rating and the "what happened" forms, not an empty offers page;
    the voice step left it for them to rate."""
    report = demo_backing_seed()
    assert report.contact_backed
    contact = get_user_model().objects.get(username=DEMO_CONTACT)
    mine = Match.objects.filter(need__activity__group__contact_user=contact)
    (active,) = mine.filter(status=MatchStatus.ACTIVE)
    assert not MatchFeedback.objects.filter(match=active).exists()

    client.force_login(contact)
    page = client.get("/group/offers/").content.decode()
    assert "No anchor has offered your group backing yet" not in page
    assert f"/group/offers/{active.pk}/feedback/" in page
    assert f"/group/offers/{active.pk}/what-happened/" in page
    assert active.resource.title in page

    # Seeding again keeps it, and says so.
    assert demo_backing_seed().contact_backed
    assert mine.filter(status=MatchStatus.ACTIVE).count() == 1


def test_a_contact_offer_accepted_but_not_under_way_is_put_under_way(demo_place):
    """If the seeding left the printed contact's group an offer it accepted
    but none under way (which allocation the engine found decides it), the
    contact step puts that offer under way, so the group still has one to
    rate: an accepted offer is not backing under way."""
    from matching.demo import _team_user, demo_contact_back
    from partners.models import Anchor

    report = demo_backing_seed()
    mine = Match.objects.filter(need__activity__group__contact_user__username=DEMO_CONTACT)
    (active,) = mine.filter(status=MatchStatus.ACTIVE)
    Match.objects.filter(pk=active.pk).update(status=MatchStatus.ACCEPTED)
    team_of = {a.pk: _team_user(a) for a in Anchor.objects.all() if _team_user(a) is not None}

    assert demo_contact_back(runs=report.runs, team_of=team_of)
    active.refresh_from_db()
    assert active.status == MatchStatus.ACTIVE
