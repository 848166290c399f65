"""Fair-share floors from the team's side: set on a resource, held by a run,
shown on the run page with the price of fairness."""

from __future__ import annotations

from matching.models import Match, MatchRun, MatchStatus, Resource, RunStatus
from matching.services.floors import resource_floors_read
from matching.services.runs import match_run_claim, match_run_execute
from tests import factories as f


def _run(anchor, capture=None) -> MatchRun:  # type: ignore[no-untyped-def]
    """A run of ``anchor``; with ``capture`` (django_capture_on_commit_callbacks)
    what it sends after its commit runs too: the price of fairness."""
    run = MatchRun.objects.create(anchor=anchor)
    assert match_run_claim(run_id=run.pk)
    if capture is None:
        return match_run_execute(run_id=run.pk)
    with capture(execute=True):
        match_run_execute(run_id=run.pk)
    run.refresh_from_db()
    return run


def _need_in(decile: int, name: str, amount: int, theme: str):  # type: ignore[no-untyped-def]
    group = f.CommunityGroupFactory(
        name=name, neighbourhood=f.NeighbourhoodFactory(imd_decile=decile)
    )
    return f.NeedFactory(activity=f.ActivityFactory(group=group, themes=[theme]), amount=amount)


def _given(run: MatchRun) -> dict[int, int]:
    out: dict[int, int] = {}
    for m in Match.objects.filter(run=run):
        out[m.need_id] = out.get(m.need_id, 0) + m.amount
    return out


def _world(personas, floor_percent: int):  # type: ignore[no-untyped-def]
    """A £100 food pot; two well-off food needs of £50 that outscore a deprived
    arts group asking for £200 (its share of a pound met is four times smaller)."""
    pot = f.ResourceFactory(
        anchor=personas.anchor_a, capacity=10_000, themes=["food"], floor_percent=floor_percent
    )
    rich = [_need_in(9, f"Hale Supper Club {k}", 5_000, "food") for k in (1, 2)]
    poor = _need_in(1, "Ordsall Arts Collective", 20_000, "arts-and-culture")
    f.contact_of(poor.activity.group, username="olive")
    return pot, rich, poor


def test_without_a_floor_the_deprived_group_gets_nothing(personas):
    _, rich, _poor = _world(personas, 0)
    run = _run(personas.anchor_a)
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert _given(run) == {rich[0].pk: 5_000, rich[1].pk: 5_000}
    assert run.floors == {}


def test_a_floor_keeps_its_share_for_deciles_1_and_2_and_says_what_it_cost(
    personas, django_capture_on_commit_callbacks
):
    _, rich, poor = _world(personas, 40)
    run = _run(personas.anchor_a, django_capture_on_commit_callbacks)
    assert run.status == RunStatus.SUCCEEDED, run.error
    given = _given(run)
    assert given[poor.pk] == 4_000
    assert given.get(rich[0].pk, 0) + given.get(rich[1].pk, 0) == 6_000
    (pot,) = run.floors["pots"]
    assert (pot["floor"], pot["reached"], pot["shortfall"]) == (4_000, 4_000, 0)
    assert run.floors["gained"] == [poor.pk]
    assert run.floors["objective_without"] > run.floors["objective"] == run.objective


def test_the_run_page_shows_the_floor_and_the_price_of_fairness(
    personas, client, django_capture_on_commit_callbacks
):
    pot, _, poor = _world(personas, 40)
    run = _run(personas.anchor_a, django_capture_on_commit_callbacks)
    client.force_login(personas.alice)
    html = client.get(f"/team/matching/runs/{run.pk}/").content.decode()
    assert "Fair-share floors" in html
    assert (
        f"{pot.title}: floor 40% (£40) for IMD deciles 1–2: reached; this run gives £40 there."
        in html
    )
    assert "The price of fairness" in html
    assert "Needs backed only with the floors</dt><dd>1<" in html
    assert "Ordsall Arts Collective" in html
    assert (
        "Given to the floors' neighbourhoods</dt><dd>£40 with the floors, £0 without them" in html
    )
    # The team page names groups, never their contacts.
    assert poor.activity.group.contact_email not in html
    assert "olive" not in html


def test_a_floor_beyond_demand_says_by_how_much_and_why(personas, client):
    pot = f.ResourceFactory(anchor=personas.anchor_a, capacity=10_000, floor_percent=60)
    _need_in(9, "Hale Supper Club", 10_000, "food")
    _need_in(2, "Ordsall Arts Collective", 2_500, "arts-and-culture")
    run = _run(personas.anchor_a)
    client.force_login(personas.alice)
    html = client.get(f"/team/matching/runs/{run.pk}/").content.decode()
    assert (
        f"{pot.title}: floor 60% (£60) for IMD deciles 1–2: this run gives £25 there, "
        "£35 short: needs there in reach asked for only £25." in html
    )


def test_a_floor_partly_given_before_the_run_says_what_was_still_to_keep(personas, client):
    """An approved match already gave the deprived group £15 of the £40 floor:
    the run had £25 still to keep, and the page says so."""
    pot, _, poor = _world(personas, 40)
    f.MatchFactory(resource=pot, need=poor, amount=1_500, status=MatchStatus.APPROVED)
    run = _run(personas.anchor_a)
    assert run.status == RunStatus.SUCCEEDED, run.error
    (kept,) = run.floors["pots"]
    assert (kept["floor"], kept["shortfall"]) == (2_500, 0)
    client.force_login(personas.alice)
    html = client.get(f"/team/matching/runs/{run.pk}/").content.decode()
    assert (
        f"{pot.title}: floor 40% (£40) for IMD deciles 1–2; this run had £25 of it "
        "to keep: reached; this run gives £25 there." in html
    )


def test_the_engine_keeps_only_what_fixed_matches_leave_of_the_floor(personas):
    pot = f.ResourceFactory(anchor=personas.anchor_a, capacity=10_000, floor_percent=40)
    poor = _need_in(2, "Ordsall Arts Collective", 2_500, "arts-and-culture")
    rich = _need_in(8, "Hale Supper Club", 2_500, "food")
    for need, amount in ((poor, 1_500), (rich, 2_000)):
        f.MatchFactory(resource=pot, need=need, amount=amount, status=MatchStatus.APPROVED)
    listed = f.ResourceFactory(anchor=personas.anchor_a, capacity=10_000, floor_percent=50)
    listed.floor_neighbourhoods.add(rich.activity.group.neighbourhood)
    f.MatchFactory(resource=listed, need=rich, amount=1_000, status=MatchStatus.ACTIVE)
    f.MatchFactory(resource=listed, need=poor, amount=3_000, status=MatchStatus.PROPOSED)

    floors = resource_floors_read(
        resources=[(r.pk, r.capacity, r.floor_percent, r.floor_max_decile) for r in (pot, listed)]
    )

    assert floors[pot.pk].amount == 4_000 - 1_500  # only the decile-2 need counts
    assert floors[pot.pk].neighbourhoods is None
    assert floors[listed.pk].amount == 5_000 - 1_000  # a proposal holds nothing
    assert floors[listed.pk].neighbourhoods == {rich.activity.group.neighbourhood.code}


def test_the_form_refuses_a_floor_over_100_and_keeps_what_was_typed(personas, client):
    client.force_login(personas.alice)
    html = client.post(
        "/team/matching/resources/new/",
        {
            "title": "Small grants",
            "kind": "seed_funding",
            "capacity": "5000",
            "floor_percent": "150",
        },
    ).content.decode()
    assert 'href="#id_floor_percent"' in html
    assert "Enter a floor from 0 to 100 per cent." in html
    assert 'value="150"' in html
    assert not Resource.objects.exists()


def test_a_team_sets_a_floor_through_the_api(personas, client, publish):
    client.force_login(personas.alice)
    code = personas.group_a.neighbourhood.code
    body = {
        "anchor": "anchor-a",
        "kind": "seed_funding",
        "title": "Small grants",
        "capacity": 500_000,
        "eligible_neighbourhoods": [code],
        "floor_percent": 40,
        "floor_neighbourhoods": [code],
    }
    created = client.post("/api/resources/", body, content_type="application/json")
    assert created.status_code == 201, created.json()
    assert (created.json()["floor_percent"], created.json()["floor_neighbourhoods"]) == (40, [code])
    assert Resource.objects.get().floor_neighbourhoods.get().code == code
    bad = client.patch(
        f"/api/resources/{created.json()['id']}/",
        {"floor_percent": 150},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert "floor_percent" in bad.json()["extra"]["fields"]
