"""Carry counts keyed on one geography onto another (2011 LSOAs onto 2021 ones).

ONS changed a few LSOAs between 2011 and 2021 and kept the rest: an unchanged
LSOA keeps its code, a split or merged one gets new codes. So a count keyed
on 2011 codes (ONS's mid-2020 population) goes onto 2021 neighbourhoods as:

1. same code: the figure as it is;
2. any other 2011 area: shared among the *new* 2021 areas it overlaps, in
   proportion to the area of overlap (measured on the British National Grid,
   EPSG:27700, in square metres). New areas only: the generalised 2011 and
   2021 boundaries differ by a few metres along shared edges, and those
   slivers must not move people into unchanged neighbours; for the same
   reason an overlap under 1% of a changed area's is ignored.

This assumes people are spread evenly within a changed 2011 area: the usual
areal weighting, and the only method that needs no data beyond the two sets
of boundaries. Shares are rounded to whole people by largest remainder within
each 2011 area, so every 2011 area's total is kept exactly.

Pure: frames in, frames out. No database.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

__all__ = ["Carried", "counts_carry"]

# Metres, equal enough in area across Great Britain for weighting.
AREA_CRS = 27700
# An overlap under this share of a changed area's overlaps is an edge sliver.
SLIVER = 0.01


@dataclass(frozen=True)
class Carried:
    frame: pd.DataFrame  # code (target), value
    same_code: int  # targets given a source's figure as it is
    apportioned_sources: int  # changed source areas shared out by overlap
    apportioned_targets: int  # targets given a share of one or more
    unplaced: int  # changed source areas that overlap no new target
    outside: int  # source rows with neither a target's code nor a source boundary


def _shares(total: int, weights: np.ndarray) -> np.ndarray:
    """``total`` split in proportion to ``weights``, in whole numbers summing to it.

    >>> _shares(10, np.array([1.0, 1.0, 1.0])).tolist()
    [4, 3, 3]
    """
    exact = total * weights / weights.sum()
    whole: np.ndarray = np.floor(exact).astype(int)
    left = total - int(whole.sum())
    # Largest remainders first; ties to the earlier target, so it is repeatable.
    order = np.argsort(-(exact - whole), kind="stable")
    whole[order[:left]] += 1
    return whole


def counts_carry(
    *,
    figures: pd.DataFrame,
    sources: pd.DataFrame,
    targets: pd.DataFrame,
) -> Carried:
    """Figures (code, value: whole numbers or None) keyed on ``sources``'
    codes, carried onto ``targets``' codes. ``sources`` and ``targets``:
    code and geometry (WKB, EPSG:4326)."""
    values = figures.dropna(subset=["value"]).set_index("code")["value"].astype(int)
    target_codes = set(targets["code"])
    same = values[values.index.isin(target_codes)]
    changed = values[~values.index.isin(target_codes)]
    source_shapes = sources[sources["code"].isin(changed.index)].drop_duplicates("code")
    new_targets = targets[~targets["code"].isin(values.index)]
    carried: dict[str, int] = {str(code): int(v) for code, v in same.items()}
    placed_targets: set[str] = set()
    placed_sources = 0
    if len(source_shapes) and len(new_targets):
        left = gpd.GeoDataFrame(
            {"source": source_shapes["code"].to_numpy()},
            geometry=shapely.from_wkb(source_shapes["geometry"].to_numpy()),
            crs=4326,
        ).to_crs(AREA_CRS)
        right = gpd.GeoDataFrame(
            {"target": new_targets["code"].to_numpy()},
            geometry=shapely.from_wkb(new_targets["geometry"].to_numpy()),
            crs=4326,
        ).to_crs(AREA_CRS)
        pairs = gpd.sjoin(left, right, predicate="intersects")
        pairs["area"] = shapely.area(
            shapely.intersection(
                left.geometry.loc[pairs.index].to_numpy(),
                right.geometry.iloc[pairs["index_right"].to_numpy()].to_numpy(),
            )
        )
        # Slivers: the generalised 2011 and 2021 lines along an unchanged
        # edge differ by metres. A real part of a split is a whole LSOA (1,000
        # people or more), far above this share of the 2011 area.
        whole = pairs.groupby("source")["area"].transform("sum")
        pairs = pairs[pairs["area"] > SLIVER * whole]
        for source, group in pairs.groupby("source", sort=True):
            shares = _shares(int(changed[source]), group["area"].to_numpy())
            for target, share in zip(group["target"], shares, strict=True):
                carried[target] = carried.get(target, 0) + int(share)
                placed_targets.add(target)
            placed_sources += 1
    return Carried(
        frame=pd.DataFrame({"code": list(carried), "value": list(carried.values())}),
        same_code=len(same),
        apportioned_sources=placed_sources,
        apportioned_targets=len(placed_targets),
        unplaced=len(source_shapes) - placed_sources,
        outside=len(changed) - len(source_shapes),
    )
