"""Backing by IMD decile: the figures equal an independent pandas computation
built straight from the same rows (not from board.dashboard)."""

from __future__ import annotations

import datetime
import random

import pandas as pd
import pytest
from django.conf import settings
from django.utils import timezone

from board.breakdowns import backing_by_decile
from board.scope import BoardScope
from matching.models import Match, MatchStatus
from partners.models import NeedKind
from places.models import Neighbourhood
from tests import factories as f

TAKEN_UP = {MatchStatus.ACCEPTED, MatchStatus.ACTIVE, MatchStatus.COMPLETED}
KIND_OF_RESOURCE = {
    NeedKind.SEED_FUNDING: 1_000_000,
    NeedKind.TIME: 500,
    NeedKind.SPACE: 40,
}


@pytest.fixture
def rows(db):  # type: ignore[no-untyped-def]
    """Fifteen neighbourhoods in eight deciles, two anchors, and sixty matches
    of three kinds in every status, placed at random (seeded)."""
    rng = random.Random(20261)
    deciles = [1, 1, 1, 2, 2, 3, 4, 5, 5, 6, 8, 9, 9, 10, 10]
    hoods = [
        f.NeighbourhoodFactory(imd_decile=d, population=rng.randrange(900, 2500)) for d in deciles
    ]
    anchors = [f.AnchorFactory(slug="dec-a"), f.AnchorFactory(slug="dec-b")]
    resources = {
        (anchor.pk, kind): f.ResourceFactory(anchor=anchor, kind=kind, capacity=capacity)
        for anchor in anchors
        for kind, capacity in KIND_OF_RESOURCE.items()
    }
    groups = [f.CommunityGroupFactory(neighbourhood=rng.choice(hoods)) for _ in range(20)]
    # A group outside every loaded neighbourhood: in no decile.
    groups.append(f.CommunityGroupFactory(neighbourhood=None, outside_area=True))
    for _ in range(60):
        kind = rng.choice(list(KIND_OF_RESOURCE))
        anchor = rng.choice(anchors)
        amount = rng.randrange(1, 40) * (1000 if kind == NeedKind.SEED_FUNDING else 1)
        need = f.NeedFactory(
            activity=f.ActivityFactory(group=rng.choice(groups)), kind=kind, amount=amount
        )
        f.MatchFactory(
            need=need,
            resource=resources[(anchor.pk, kind)],
            amount=amount,
            status=rng.choice(list(MatchStatus)),
            # Backdated, so time given in hours a month has run for some days.
            responded_at=timezone.now() - datetime.timedelta(days=rng.randrange(0, 300)),
        )
    return anchors


def expected_by_pandas(anchor_slugs: list[str]) -> pd.DataFrame:
    hoods = pd.DataFrame(
        list(Neighbourhood.objects.values("code", "imd_decile", "population"))
    ).rename(columns={"imd_decile": "decile"})
    matches = pd.DataFrame(
        list(
            Match.objects.values_list(
                "status",
                "amount",
                "need__kind",
                "resource__anchor__slug",
                "need__activity__group__neighbourhood__code",
                "responded_at",
            )
        ),
        columns=["status", "amount", "kind", "anchor", "code", "responded_at"],
    )
    matches = matches[matches["status"].isin(TAKEN_UP) & matches["anchor"].isin(anchor_slugs)]
    matches = matches.merge(hoods[["code", "decile"]], on="code", how="inner")
    matches["pence"] = matches["amount"].where(matches["kind"] == NeedKind.SEED_FUNDING, 0)
    # Hours a month for every day since taken up (none completed here: no completed_at).
    days = (
        pd.Timestamp(timezone.localdate())
        - matches["responded_at"]
        .dt.tz_convert(settings.TIME_ZONE)
        .dt.tz_localize(None)
        .dt.normalize()
    ).dt.days
    matches["hours"] = (
        (matches["amount"] * days / (365.25 / 12))
        .round()
        .where(matches["kind"] == NeedKind.TIME, 0)
    )
    backing = matches.groupby("decile").agg(
        matches=("amount", "size"), pence=("pence", "sum"), hours=("hours", "sum")
    )
    places = hoods.groupby("decile").agg(
        neighbourhoods=("code", "size"), population=("population", "sum")
    )
    table = places.join(backing, how="outer").reindex(range(1, 11)).fillna(0)
    for column in ["neighbourhoods", "population", "matches", "pence", "hours"]:
        table[f"{column}_share"] = table[column] / table[column].sum()
    return table


def assert_rows_match(rows: list, expected: pd.DataFrame) -> None:  # type: ignore[type-arg]
    assert [row.decile for row in rows] == list(range(1, 11))
    for row in rows:
        want = expected.loc[row.decile]
        assert row.neighbourhoods == want["neighbourhoods"]
        assert row.population == want["population"]
        assert row.matches == want["matches"]
        assert row.pence == want["pence"]
        assert row.hours == want["hours"]
        assert row.neighbourhoods_share == pytest.approx(want["neighbourhoods_share"])
        assert row.population_share == pytest.approx(want["population_share"])
        assert row.matches_share == pytest.approx(want["matches_share"])
        assert row.pence_share == pytest.approx(want["pence_share"])
        assert row.hours_share == pytest.approx(want["hours_share"])


def test_it_equals_an_independent_pandas_computation_for_one_anchor(rows):  # type: ignore[no-untyped-def]
    result = backing_by_decile(scope=BoardScope(anchor_ids=(rows[0].pk,)))

    assert_rows_match(result, expected_by_pandas(["dec-a"]))
    assert sum(row.matches for row in result) > 0


def test_it_equals_an_independent_pandas_computation_for_the_joint_view(rows):  # type: ignore[no-untyped-def]
    result = backing_by_decile(scope=BoardScope(anchor_ids=(rows[0].pk, rows[1].pk)))

    assert_rows_match(result, expected_by_pandas(["dec-a", "dec-b"]))


def test_shares_of_each_column_add_up_to_one(rows):  # type: ignore[no-untyped-def]
    result = backing_by_decile(scope=BoardScope(anchor_ids=(rows[0].pk, rows[1].pk)))

    for column in ["neighbourhoods", "population", "matches", "pence", "hours"]:
        assert sum(getattr(row, f"{column}_share") for row in result) == pytest.approx(1.0)


def test_an_offer_not_yet_taken_up_is_not_backing(db):  # type: ignore[no-untyped-def]
    hood = f.NeighbourhoodFactory(imd_decile=1)
    anchor = f.AnchorFactory(slug="offer-only")
    need = f.NeedFactory(
        activity=f.ActivityFactory(group=f.CommunityGroupFactory(neighbourhood=hood))
    )
    f.MatchFactory(
        need=need, resource=f.ResourceFactory(anchor=anchor), status=MatchStatus.APPROVED
    )

    result = backing_by_decile(scope=BoardScope(anchor_ids=(anchor.pk,)))

    assert sum(row.matches for row in result) == 0
    assert all(row.matches_share == 0 for row in result)
    assert result[0].neighbourhoods == 1


def test_it_has_ten_empty_rows_when_nothing_is_loaded(db):  # type: ignore[no-untyped-def]
    anchor = f.AnchorFactory(slug="empty")

    result = backing_by_decile(scope=BoardScope(anchor_ids=(anchor.pk,)))

    assert [row.decile for row in result] == list(range(1, 11))
    assert all(row.neighbourhoods == 0 and row.neighbourhoods_share == 0 for row in result)


def test_population_shares_are_unknown_when_any_population_is_missing(db):  # type: ignore[no-untyped-def]
    f.NeighbourhoodFactory(imd_decile=1, population=1000)
    f.NeighbourhoodFactory(imd_decile=2, population=None)
    anchor = f.AnchorFactory(slug="no-population")

    result = backing_by_decile(scope=BoardScope(anchor_ids=(anchor.pk,)))

    assert all(row.population is None and row.population_share is None for row in result)
    assert result[0].neighbourhoods_share == pytest.approx(0.5)
