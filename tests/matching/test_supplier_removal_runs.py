"""A removed supplier's pledges go to no new run: the engine is not given
them (matching/services/engine_inputs.py), so a run proposes nothing from
them, while the anchor's own resources and another supplier's pledges go on
as before, and matches already made stay."""

from __future__ import annotations

import pytest

from matching.models import Match, MatchRun, MatchStatus
from matching.services.engine_inputs import engine_inputs_build
from matching.services.runs import match_run_claim, match_run_execute
from partners.services.suppliers import supplier_remove
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def pots(personas):  # type: ignore[no-untyped-def]
    """Anchor A's own pot, sam's supplier's pledge (with a match under way)
    and another supplier's pledge; group_a needs £150 of seed funding."""
    own = f.ResourceFactory(anchor=personas.anchor_a, title="Own pot")
    pledge = f.ResourceFactory(
        anchor=personas.anchor_a, supplier=personas.supplier_a, title="Brightwater Fund"
    )
    other = f.SupplierFactory(anchor=personas.anchor_a, name="Quenby Facilities Ltd")
    theirs = f.ResourceFactory(anchor=personas.anchor_a, supplier=other, title="Quenby Fund")
    under_way = f.MatchFactory(resource=pledge, status=MatchStatus.ACTIVE)
    activity = f.ActivityFactory(group=personas.group_a, themes=["food"])
    need = f.NeedFactory(activity=activity, amount=15_000)
    return own, pledge, theirs, under_way, need


def _given(anchor) -> set[int]:  # type: ignore[no-untyped-def]
    return {int(i) for i in engine_inputs_build(anchor=anchor).problem.res_id}


def test_the_engine_is_not_given_a_removed_suppliers_pledges(personas, pots):
    own, pledge, theirs, under_way, _need = pots
    assert _given(personas.anchor_a) == {own.pk, pledge.pk, theirs.pk}
    supplier_remove(supplier=personas.supplier_a, by=personas.alice)
    assert _given(personas.anchor_a) == {own.pk, theirs.pk}
    assert _given(None) >= {own.pk, theirs.pk} and pledge.pk not in _given(None)
    # The match made before stays as it was.
    assert Match.objects.get(pk=under_way.pk).status == MatchStatus.ACTIVE


def test_a_run_after_removal_proposes_nothing_from_the_pledge(personas, pots, publish):
    own, pledge, theirs, _under_way, need = pots
    supplier_remove(supplier=personas.supplier_a, by=personas.alice)
    run = MatchRun.objects.create(anchor=personas.anchor_a)
    assert match_run_claim(run_id=run.pk)
    match_run_execute(run_id=run.pk)
    proposed = set(Match.objects.filter(run=run).values_list("resource_id", "need_id"))
    resources = {resource for resource, _ in proposed}
    assert resources and pledge.pk not in resources and resources <= {own.pk, theirs.pk}
    assert need.pk in {n for _, n in proposed}


def test_the_teams_resource_list_says_the_pledge_is_no_longer_offered(client, personas, pots):
    client.force_login(personas.alice)
    assert "not offered in new runs" not in client.get("/team/matching/resources/").content.decode()
    supplier_remove(supplier=personas.supplier_a, by=personas.alice)
    listing = client.get("/team/matching/resources/").content.decode()
    assert "Pledged by Brightwater Catering Ltd, a supplier removed on" in listing
    assert listing.count("not offered in new runs") == 1  # not Quenby's pledge
