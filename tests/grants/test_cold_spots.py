"""The cold-spot rule: on hand-made cases, and equal to an independent
pandas computation on random data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from grants.coldspots import cold_spot_mask, coldspot_list
from grants.models import Grant, KnownOrganisation
from partners.models import VerificationStatus
from places.models import Neighbourhood
from tests import factories as f


def test_the_mask_on_hand_made_cases():
    deciles = [1, 2, 3, 10, np.nan, 1, 2]
    active = [False, False, False, False, False, True, True]
    assert cold_spot_mask(deciles=deciles, active=active).tolist() == [
        True,
        True,
        False,
        False,
        False,
        False,
        False,
    ]
    with pytest.raises(ValueError):
        cold_spot_mask(deciles=[1], active=[True, False])


@pytest.fixture
def place(db):
    """Six deprived neighbourhoods, each made active (or not) one way."""
    hoods = {
        name: f.NeighbourhoodFactory(name=name, imd_decile=decile, health_decile=health)
        for name, decile, health in [
            ("quiet", 1, 5),
            ("grouped", 1, 1),
            ("served", 2, 1),
            ("funded", 2, 2),
            ("rejected only", 1, 2),
            ("comfortable", 7, 1),
        ]
    }
    f.CommunityGroupFactory(neighbourhood=hoods["grouped"])
    activity = f.ActivityFactory(group=f.CommunityGroupFactory(neighbourhood=hoods["comfortable"]))
    activity.neighbourhoods_served.add(hoods["served"])
    org = KnownOrganisation.objects.create(identifier="GB-CHC-1", name="Funded charity")
    Grant.objects.create(
        identifier="G-1",
        recipient=org,
        amount_pence=100,
        placed_by="postcode",
        neighbourhood=hoods["funded"],
    )
    f.CommunityGroupFactory(
        neighbourhood=hoods["rejected only"], status=VerificationStatus.REJECTED
    )
    return hoods


def test_cold_spots_are_deprived_and_without_groups_activities_or_grants(place):
    spots = coldspot_list()
    assert set(spots.rows["name"]) == {"quiet", "rejected only"}
    assert "decile 1 or 2" in spots.rule


def test_the_health_domain_can_be_chosen(place):
    spots = coldspot_list(domain="health")
    # "grouped", "served", "funded" are active; "comfortable" has a group too.
    assert set(spots.rows["name"]) == {"rejected only"}
    with pytest.raises(ValueError):
        coldspot_list(domain="crime")


def test_each_entry_names_groups_nearby_and_the_anchors_nearest_site_only(place, personas):
    near = f.CommunityGroupFactory(
        name="Walkers Nearby",
        neighbourhood=None,
        latitude=place["quiet"].point_lat,
        longitude=place["quiet"].point_lon + 0.01,
    )
    f.ActivityFactory(group=near, themes=["physical-activity"])
    # B's site is the nearer: A's team must still be given A's own.
    f.SiteFactory(
        anchor=personas.anchor_a,
        name="A Health Centre",
        latitude=place["quiet"].point_lat + 0.05,
        longitude=place["quiet"].point_lon,
    )
    f.SiteFactory(
        anchor=personas.anchor_b,
        name="B Office",
        latitude=place["quiet"].point_lat,
        longitude=place["quiet"].point_lon,
    )
    rows = coldspot_list(anchor_ids=(personas.anchor_a.pk,)).rows.set_index("name")
    assert "Walkers Nearby (Physical activity; 0.7 km)" in rows.loc["quiet", "nearby_groups"]
    assert rows.loc["quiet", "nearest_site"].startswith("A Health Centre")
    assert "B Office" not in " ".join(rows["nearest_site"])


def test_the_rule_equals_an_independent_pandas_computation(db):
    rng = np.random.default_rng(14)
    hoods = [
        f.NeighbourhoodFactory(imd_decile=int(d) if d else None)
        for d in rng.integers(0, 11, size=60)
    ]
    for hood in rng.choice(hoods, size=20, replace=False):
        f.CommunityGroupFactory(neighbourhood=hood)
    frame = pd.DataFrame(list(Neighbourhood.objects.values("id", "code", "imd_decile")))
    groups = pd.DataFrame(
        list(f.pm.CommunityGroup.objects.values("neighbourhood_id")), columns=["neighbourhood_id"]
    )
    counts = groups.groupby("neighbourhood_id").size().rename("groups")
    joined = frame.merge(counts, left_on="id", right_index=True, how="left")
    expected = joined.query("imd_decile <= 2 and imd_decile >= 1 and groups != groups")
    assert sorted(coldspot_list().rows["code"]) == sorted(expected["code"])
    assert len(expected) > 0
