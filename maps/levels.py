"""The levels a board map can be drawn at, and the figures of the coarser ones.

Pure: pandas in, pandas out; no ORM (maps/frames.py reads the rows).

- **neighbourhood**: each neighbourhood (LSOA) as it is.
- **msoa**: the middle layer super output area each LSOA belongs to (ONS
  names an LSOA after its MSOA plus a letter; places stores the MSOA name).
- **la**: the local authority.

A neighbourhood with no MSOA (a kind other than LSOA, a name that does not
follow ONS's rule) stands for itself at the MSOA level, and one with no local
authority stands for its MSOA at that level, so no figure is ever dropped by
aggregating.

How the coarser figures are made, and why:

- Matches, pounds, hours and groups registered (not at home) are **sums**.
- Deprivation is ordinal: an average of deciles means nothing, so an area is
  described by the **share of its neighbourhoods in IMD deciles 1 to 3** (the
  30% most deprived in England). LSOAs are built to hold similar numbers of
  people (about 1,000 to 3,000), so that share is close to the share of
  residents, and it is how MHCLG summarises larger areas itself ("proportion
  of LSOAs in the most deprived 10% nationally").
- Gaps stay a property of neighbourhoods (a deprived one with registered
  activity and no backing): an area counts its **gap neighbourhoods** and is
  outlined as a gap when it has any, so backing elsewhere in an MSOA never
  hides a gap inside it.
- Groups meeting at home: see ``home_groups_label``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = [
    "AREA_LEVELS",
    "DRAW_LIMITS",
    "LEVELS",
    "LEVEL_NAMES",
    "LevelChoice",
    "area_keys",
    "areas_aggregate",
    "directory_aggregate",
    "home_groups_label",
    "level_choose",
    "level_counts",
]

# The filter's choices. "auto": neighbourhoods, unless there are too many.
LEVELS: dict[str, str] = {
    "auto": "Neighbourhoods, or larger areas when there are too many to draw",
    "neighbourhood": "Neighbourhoods (LSOAs)",
    "msoa": "Middle layer areas (MSOAs)",
    "la": "Local authorities",
}
# Finest first.
AREA_LEVELS: tuple[str, ...] = ("neighbourhood", "msoa", "la")
# (one, many) in running text.
LEVEL_NAMES: dict[str, tuple[str, str]] = {
    "neighbourhood": ("neighbourhood", "neighbourhoods"),
    "msoa": ("middle layer area (MSOA)", "middle layer areas (MSOAs)"),
    "la": ("local authority", "local authorities"),
}
# The most areas of each level one map draws. 2,500 neighbourhoods build in
# about 1.5 s into about 7 MB here (a region of 1,700: about 1 s, 5 MB); 8,000
# covers every MSOA of England (6,791) within the national view's 3 s and 8 MB.
# Local authorities (about 300) always fit.
DRAW_LIMITS: dict[str, int | None] = {"neighbourhood": 2_500, "msoa": 8_000, "la": None}
# Groups meeting at home: counts from 1 to this minus one are not shown
# (maps.figures.SMALL_NUMBER_LIMIT, repeated here to keep this module pure).
SMALL = 8


@dataclass(frozen=True)
class LevelChoice:
    """The level asked for, the level shown, and why they differ."""

    requested: str
    level: str
    neighbourhoods: int  # in view
    areas: int  # at the level shown
    note: str = ""  # a sentence for the page when the level was chosen for the user

    @property
    def aggregated(self) -> bool:
        return self.level != "neighbourhood"

    @property
    def noun(self) -> str:
        """ "neighbourhoods", "middle layer areas (MSOAs)"...: the areas shown."""
        return LEVEL_NAMES[self.level][0 if self.areas == 1 else 1]


def area_keys(frame: pd.DataFrame, level: str) -> pd.Series:
    """The area of each neighbourhood row at ``level``: its code, its MSOA
    name, or its local authority code (name if no code).

    ``frame`` has columns code, msoa_name, la_code, la_name.
    """
    if level not in AREA_LEVELS:
        raise ValueError(f"Unknown level {level!r}; expected one of {AREA_LEVELS}.")
    codes = frame["code"].astype(str)
    if level == "neighbourhood":
        return codes
    msoa = _text(frame, "msoa_name")
    msoa = msoa.where(msoa != "", codes)
    if level == "msoa":
        return msoa
    la = _text(frame, "la_code")
    la = la.where(la != "", _text(frame, "la_name"))
    return la.where(la != "", msoa)


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[column].fillna("").astype(str).str.strip()


def level_counts(frame: pd.DataFrame) -> dict[str, int]:
    """How many areas of each level the neighbourhood rows make."""
    return {level: int(area_keys(frame, level).nunique()) for level in AREA_LEVELS}


def _fits(level: str, counts: dict[str, int]) -> bool:
    limit = DRAW_LIMITS[level]
    return limit is None or counts[level] <= limit


def level_choose(*, requested: str, counts: dict[str, int]) -> LevelChoice:
    """The level to draw: the one asked for if it fits (DRAW_LIMITS), else
    the finest coarser level that does; "auto" is the finest that fits.

    >>> level_choose(requested="auto", counts={"neighbourhood": 32844, "msoa": 6791, "la": 326}).level
    'msoa'
    """
    if requested not in LEVELS:
        raise ValueError(f"Unknown level {requested!r}; expected one of {sorted(LEVELS)}.")
    start = 0 if requested == "auto" else AREA_LEVELS.index(requested)
    level = next(
        (lvl for lvl in AREA_LEVELS[start:] if _fits(lvl, counts)),
        AREA_LEVELS[-1],
    )
    total = counts["neighbourhood"]
    note = ""
    if level != "neighbourhood" and (requested == "auto" or level != requested):
        wanted = "neighbourhood" if requested == "auto" else requested
        many = LEVEL_NAMES[wanted][1]
        note = (
            f"There are {counts[wanted]:,} {many} in this view, more than one map can draw "
            f"({DRAW_LIMITS[wanted]:,}), so the map and the table show the {counts[level]:,} "
            f"{LEVEL_NAMES[level][1]} they belong to."
        )
    return LevelChoice(
        requested=requested, level=level, neighbourhoods=total, areas=counts[level], note=note
    )


def home_groups_label(counts: pd.Series) -> str:
    """What an area shows for its groups meeting at home, from the exact
    count of each of its neighbourhoods, so that no neighbourhood's count of
    1 to 7 can be worked out, even by subtracting figures of two levels.

    Suppressing the area's total alone is not enough: an MSOA showing 11 whose
    other neighbourhoods show 0 and 8 gives away a suppressed 3. So an area
    shows its exact total only when none of its neighbourhoods is suppressed;
    otherwise it shows the range that the neighbourhoods' own labels already
    allow (each "fewer than 8" is 1 to 7), which says nothing new.

    >>> home_groups_label(pd.Series([0, 9])), home_groups_label(pd.Series([3, 0, 8]))
    ('9', '9 to 15')
    """
    values = counts.fillna(0).astype(int)
    hidden = (values > 0) & (values < SMALL)
    return _home_label(shown=int(values[~hidden].sum()), hidden=int(hidden.sum()))


def _home_label(*, shown: int, hidden: int) -> str:
    """``shown``: the exact sum over neighbourhoods whose count is shown (0 or
    8 and more); ``hidden``: how many neighbourhoods show "fewer than 8"."""
    if hidden == 0:
        return str(shown)
    low, high = shown + hidden, shown + (SMALL - 1) * hidden
    if high < SMALL:
        return f"fewer than {SMALL}"
    return f"{low:,} to {high:,}"


def _named(out: pd.DataFrame, frame: pd.DataFrame, level: str) -> pd.DataFrame:
    """``out`` (one row per area key of ``frame["_key"]``) with the area's
    name, the ONS code to show beside it, and its local authority's name."""
    la_names = _text(frame, "la_name")
    if level == "msoa":
        msoa = _text(frame, "msoa_name")
        # A neighbourhood standing for itself keeps its own name and code.
        alone = msoa == ""
        names = msoa.where(~alone, frame["name"].astype(str))
        shown = frame["code"].where(alone, "").astype(str)
    else:
        has_code = _text(frame, "la_code") != ""
        names = la_names.where(la_names != "", frame["_key"])
        shown = frame["_key"].where(has_code, "")
    # The first LA name given (an MSOA's neighbourhoods all share one).
    parts = pd.DataFrame(
        {
            "_key": frame["_key"].to_numpy(),
            "name": names.to_numpy(),
            "shown_code": shown.to_numpy(),
            "la_name": la_names.replace("", None).to_numpy(),
        }
    ).groupby("_key", sort=True)
    first = parts.first()
    out["name"] = first["name"]
    out["shown_code"] = first["shown_code"]
    out["la_name"] = first["la_name"].fillna("")
    return out


def directory_aggregate(exact: pd.DataFrame, level: str) -> pd.DataFrame:
    """The public directory's figures (code, name, msoa_name, la_code,
    la_name, groups_registered and the exact ``home_count``) per area of
    ``level``: code, name, shown_code, la_name, neighbourhoods,
    groups_registered (a sum) and home_groups (home_groups_label's rule)."""
    frame = exact.assign(_key=area_keys(exact, level).to_numpy())
    hidden = (frame["home_count"] > 0) & (frame["home_count"] < SMALL)
    frame["_home_hidden"] = hidden.astype(int)
    frame["_home_shown"] = frame["home_count"].where(~hidden, 0)
    grouped = frame.groupby("_key", sort=True)
    sums = grouped[["groups_registered", "_home_hidden", "_home_shown"]].sum()
    out = pd.DataFrame(index=sums.index)
    out["neighbourhoods"] = grouped.size()
    out["groups_registered"] = sums["groups_registered"].astype("int64")
    out["home_groups"] = [
        _home_label(shown=int(shown), hidden=int(hidden))
        for shown, hidden in zip(sums["_home_shown"], sums["_home_hidden"], strict=True)
    ]
    return _named(out, frame, level).rename_axis("code").reset_index()


def areas_aggregate(exact: pd.DataFrame, level: str) -> pd.DataFrame:
    """Neighbourhood figures (maps.figures, with the exact ``home_count``) to
    one row per area of ``level``, in key order.

    Columns: code (the area's key), name, la_name, shown_code (the ONS code to
    print beside the name, "" for an MSOA), neighbourhoods,
    deprived_neighbourhoods, deprived_share (0 to 1), deprived_label ("4 of 6
    (67%)"), imd_decile (NA: an area has no decile), active_matches,
    matches_taken_up, pence_awarded, hours_given,
    groups_registered, home_groups (a label), has_activity,
    gap_neighbourhoods, is_gap, backed_neighbourhoods, deprived_backed.
    """
    keys = area_keys(exact, level)
    frame = exact.assign(
        _key=keys.to_numpy(),
        _deprived=exact["deprived"].astype(int),
        _gap=exact["is_gap"].astype(int),
        _backed=(exact["matches_taken_up"] > 0).astype(int),
    )
    frame["_deprived_backed"] = frame["_deprived"] & frame["_backed"]
    # Groups at home, split as home_groups_label does, but summed per area in
    # one pass (a Python call per area took 5 s for England's MSOAs).
    hidden = (frame["home_count"] > 0) & (frame["home_count"] < SMALL)
    frame["_home_hidden"] = hidden.astype(int)
    frame["_home_shown"] = frame["home_count"].where(~hidden, 0)
    grouped = frame.groupby("_key", sort=True)
    sums = grouped[
        [
            "active_matches",
            "matches_taken_up",
            "pence_awarded",
            "hours_given",
            "groups_registered",
            "_deprived",
            "_gap",
            "_backed",
            "_deprived_backed",
            "_home_hidden",
            "_home_shown",
        ]
    ].sum()
    out = pd.DataFrame(index=sums.index)
    out["neighbourhoods"] = grouped.size()
    out["deprived_neighbourhoods"] = sums["_deprived"]
    out["deprived_share"] = out["deprived_neighbourhoods"] / out["neighbourhoods"]
    for column in (
        "active_matches",
        "matches_taken_up",
        "pence_awarded",
        "hours_given",
        "groups_registered",
    ):
        out[column] = sums[column].astype("int64")
    out["gap_neighbourhoods"] = sums["_gap"]
    out["backed_neighbourhoods"] = sums["_backed"]
    out["deprived_backed"] = sums["_deprived_backed"]
    out["home_groups"] = [
        _home_label(shown=int(shown), hidden=int(hidden))
        for shown, hidden in zip(sums["_home_shown"], sums["_home_hidden"], strict=True)
    ]
    out["has_activity"] = grouped["has_activity"].any()
    out = _named(out, frame, level)
    out["imd_decile"] = pd.array([pd.NA] * len(out), dtype="Int64")
    out["deprived_label"] = [
        f"{d:,} of {n:,} ({round(100 * d / n)}%)"
        for d, n in zip(out["deprived_neighbourhoods"], out["neighbourhoods"], strict=True)
    ]
    out["is_gap"] = out["gap_neighbourhoods"] > 0
    out = out.rename_axis("code").reset_index()
    return out
