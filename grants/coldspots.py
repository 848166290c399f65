"""Cold spots: neighbourhoods where need is high and no known community
activity works, for outreach.

The rule, in words (COLD_SPOT_RULE, shown on the outreach page): a
neighbourhood is a cold spot when its decile of the chosen measure (the
overall Index of Multiple Deprivation, or its health deprivation and
disability domain) is 1 or 2, the most deprived fifth of England, and no
known activity is there: no registered group (any group not rejected,
withdrawn or erased, including those from Open Referral imports) is in it
or serves it, and no other funder's grant (360Giving) is placed in it.

Vectorised: one read of each table, numpy masks for the rule, and KD-trees
(scipy) for the groups nearby and the nearest site, so England's 32,844
neighbourhoods take well under the 2 s the issue allows
(tests/bench/bench_coldspots.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from django.db.models import Avg, Count
from scipy.spatial import cKDTree

from grants.models import Grant
from partners.models import Activity, CommunityGroup, Site, VerificationStatus
from places.models import Neighbourhood
from places.spatial import NoNeighbourhoods, kind_default

__all__ = [
    "COLD_SPOT_RULE",
    "DOMAINS",
    "NEARBY_KM",
    "ColdSpots",
    "cold_spot_mask",
    "coldspot_list",
    "neighbourhoods_active",
]

# Measure key -> (Neighbourhood column, words).
DOMAINS: dict[str, tuple[str, str]] = {
    "imd": ("imd_decile", "the Index of Multiple Deprivation"),
    "health": ("health_decile", "the health deprivation and disability domain"),
}
# Deciles 1 to NEED_DECILES count as high need (1 = the most deprived tenth).
NEED_DECILES = 2
# Groups within this many km of a cold spot's centre may spread their activity there.
NEARBY_KM = 3.0
NEARBY_SHOWN = 3
# km per degree of latitude; a degree of longitude is this times cos(latitude).
_KM_PER_DEGREE = 111.2

COLD_SPOT_RULE = (
    "A cold spot is a neighbourhood in decile 1 or 2 of {measure} (the most deprived "
    "fifth of England) where we know of no community activity: no registered group, "
    "including groups from Open Referral directories, meets there or says it serves it, "
    "and no other funder's grant from 360Giving data is placed there. Groups nearby are "
    "verified groups within {km:g} km of the neighbourhood's centre whose activity could "
    "spread there."
)


def cold_spot_mask(*, deciles: Any, active: Any, worst: int = NEED_DECILES) -> np.ndarray:
    """True where a neighbourhood is a cold spot: a decile from 1 to ``worst``
    (a missing decile is never one) and no known activity.

    >>> cold_spot_mask(deciles=[1, 2, 3, np.nan, 1], active=[False, False, False, False, True])
    array([ True,  True, False, False, False])
    """
    values = np.asarray(deciles, dtype=float)
    known = np.asarray(active, dtype=bool)
    if values.shape != known.shape:
        raise ValueError("deciles and active must have the same length")
    with np.errstate(invalid="ignore"):
        needy = (values >= 1) & (values <= worst)
    mask: np.ndarray = needy & ~known
    return mask


def neighbourhoods_active() -> set[int]:
    """Ids of neighbourhoods with known activity: a live group in it, an
    activity serving it, or a placed 360Giving grant."""
    live = CommunityGroup.objects.filter(withdrawn_at__isnull=True, erased_at__isnull=True).exclude(
        status=VerificationStatus.REJECTED
    )
    active = set(
        live.filter(neighbourhood__isnull=False).values_list("neighbourhood_id", flat=True)
    )
    active |= set(
        Activity.neighbourhoods_served.through.objects.filter(activity__group__in=live).values_list(
            "neighbourhood_id", flat=True
        )
    )
    active |= set(
        Grant.objects.filter(neighbourhood__isnull=False).values_list("neighbourhood_id", flat=True)
    )
    return active


def _km(lat: np.ndarray, lon: np.ndarray, lat0: float) -> np.ndarray:
    # Equirectangular about the area's mean latitude: within 0.5% over a county.
    return np.column_stack([lon * _KM_PER_DEGREE * np.cos(np.radians(lat0)), lat * _KM_PER_DEGREE])


@dataclass(frozen=True)
class ColdSpots:
    domain: str
    rule: str
    checked: int  # neighbourhoods with a decile of the measure
    rows: pd.DataFrame  # one per cold spot (coldspot_list)


_COLUMNS = [
    "id",
    "code",
    "name",
    "la_name",
    "imd_decile",
    "health_decile",
    "population",
    "point_lat",
    "point_lon",
]


def _needy_frame(column: str, codes: list[str] | None) -> tuple[pd.DataFrame, int, float]:
    """The neighbourhoods of high need on the measure's ``column`` (deciles
    1 to NEED_DECILES), with their figures; how many have a decile at all;
    and the area's mean latitude. The decile test is in SQL: England's
    32,844 rows are never read to keep a fifth of them."""
    try:
        kind = kind_default()
    except NoNeighbourhoods:
        return pd.DataFrame(columns=_COLUMNS), 0, 0.0
    queryset = Neighbourhood.objects.filter(kind=kind)
    if codes is not None:
        queryset = queryset.filter(code__in=codes)
    area = queryset.aggregate(checked=Count(column), lat0=Avg("point_lat"))
    needy = queryset.filter(**{f"{column}__gte": 1, f"{column}__lte": NEED_DECILES})
    rows = list(needy.order_by("code").values_list(*_COLUMNS))
    return pd.DataFrame(rows, columns=_COLUMNS), area["checked"], float(area["lat0"] or 0.0)


def _nearby_groups(spots: pd.DataFrame, lat0: float) -> list[str]:
    live = CommunityGroup.objects.filter(
        status=VerificationStatus.VERIFIED,
        withdrawn_at__isnull=True,
        erased_at__isnull=True,
    )
    groups = pd.DataFrame(
        list(
            live.values_list(
                "id",
                "name",
                "meets_at_home",
                "latitude",
                "longitude",
                "neighbourhood__point_lat",
                "neighbourhood__point_lon",
            )
        ),
        columns=["id", "name", "home", "lat", "lon", "nlat", "nlon"],
    )
    if not len(groups) or not len(spots):
        return [""] * len(spots)
    # A group meeting at home is placed at its neighbourhood's centre, never its home.
    lat = np.where(groups["home"] | groups["lat"].isna(), groups["nlat"], groups["lat"])
    lon = np.where(groups["home"] | groups["lon"].isna(), groups["nlon"], groups["lon"])
    groups = groups.assign(lat=lat.astype(float), lon=lon.astype(float)).dropna(
        subset=["lat", "lon"]
    )
    groups = groups.reset_index(drop=True)
    if not len(groups):
        return [""] * len(spots)
    themes: dict[int, list[str]] = {}
    for group_id, theme in (
        # The groups' own filter, joined: a list of 5,000 ids cost more to
        # bind than the query took.
        Activity.objects.filter(group__in=live, themes__isnull=False)
        .values_list("group_id", "themes__name")
        .distinct()
        .order_by("group_id", "themes__position")
    ):
        themes.setdefault(group_id, []).append(theme)
    tree = cKDTree(_km(groups["lat"].to_numpy(), groups["lon"].to_numpy(), lat0))
    k = min(NEARBY_SHOWN, len(groups))
    distances, found = tree.query(
        _km(spots["point_lat"].to_numpy(), spots["point_lon"].to_numpy(), lat0),
        k=k,
        distance_upper_bound=NEARBY_KM,
    )
    distances = np.asarray(distances).reshape(len(spots), k)
    found = np.asarray(found).reshape(len(spots), k)
    # Each group's words once, then one row per (spot, group found): pandas
    # joins them per spot, nearest first (the tree answers in that order).
    labels = np.array(
        [
            f"{name} ({', '.join(themes.get(pk, [])) or 'theme not given'}; "
            for pk, name in zip(groups["id"], groups["name"], strict=True)
        ],
        dtype=object,
    )
    near = np.isfinite(distances)
    hits = pd.DataFrame(
        {
            "spot": np.repeat(np.arange(len(spots)), k)[near.ravel()],
            "text": labels[found[near]] + np.char.mod("%.1f km)", distances[near]).astype(object),
        }
    )
    joined = hits.groupby("spot", sort=True)["text"].agg("; ".join)
    out: list[str] = joined.reindex(range(len(spots)), fill_value="").tolist()
    return out


def _nearest_sites(spots: pd.DataFrame, anchor_ids: tuple[int, ...], lat0: float) -> list[str]:
    sites = list(
        Site.objects.filter(anchor_id__in=anchor_ids)
        .order_by("id")
        .values_list("name", "anchor__name", "latitude", "longitude")
    )
    if not sites or not len(spots):
        return [""] * len(spots)
    tree = cKDTree(_km(np.array([s[2] for s in sites]), np.array([s[3] for s in sites]), lat0))
    distances, found = tree.query(
        _km(spots["point_lat"].to_numpy(), spots["point_lon"].to_numpy(), lat0), k=1
    )
    return [
        f"{sites[i][0]} ({sites[i][1]}; {d:.1f} km)"
        for d, i in zip(np.atleast_1d(distances), np.atleast_1d(found), strict=True)
    ]


def coldspot_list(
    *,
    domain: str = "imd",
    anchor_ids: tuple[int, ...] = (),
    codes: list[str] | None = None,
    details: bool = True,
) -> ColdSpots:
    """The cold spots among the loaded neighbourhoods (or those of ``codes``:
    a board map's view), most deprived first.

    ``anchor_ids``: whose sites are "the anchor's nearest site" (never
    another anchor's). ``details=False`` leaves out the groups nearby and the
    nearest site (the board map layer needs only the figures).
    """
    if domain not in DOMAINS:
        raise ValueError(f"Unknown measure {domain!r}; expected one of {sorted(DOMAINS)}.")
    column, words = DOMAINS[domain]
    frame, checked, lat0 = _needy_frame(column, codes)
    active = np.isin(frame["id"].to_numpy(), np.fromiter(neighbourhoods_active(), dtype=np.int64))
    deciles = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    mask = cold_spot_mask(deciles=deciles, active=active)
    spots = frame[mask].copy()
    spots["decile"] = deciles[mask].astype(int)
    spots = spots.sort_values(["decile", "code"]).reset_index(drop=True)
    if details and len(spots):
        spots["nearby_groups"] = _nearby_groups(spots, lat0)
        spots["nearest_site"] = _nearest_sites(spots, anchor_ids, lat0)
    else:
        spots["nearby_groups"] = ""
        spots["nearest_site"] = ""
    # Whole numbers, and None (not NaN) where a figure is not known.
    figures = ["imd_decile", "health_decile", "population"]
    spots[figures] = spots[figures].astype("Int64")
    spots = spots.astype(object).where(spots.notna(), None)
    return ColdSpots(
        domain=domain,
        rule=COLD_SPOT_RULE.format(measure=words, km=NEARBY_KM),
        checked=checked,
        rows=spots,
    )
