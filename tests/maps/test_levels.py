"""The coarser levels of the board map (maps/levels.py): which level is drawn,
how neighbourhoods group into areas, and how their figures add up. Pure:
frames in, frames out."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from maps.area_figures import figures_compute
from maps.figures import small_count_label
from maps.levels import (
    DRAW_LIMITS,
    area_keys,
    home_groups_label,
    level_choose,
    level_counts,
)

ENGLAND = {"neighbourhood": 32_844, "msoa": 6_791, "la": 326}
SALFORD = {"neighbourhood": 161, "msoa": 34, "la": 1}


def hoods() -> pd.DataFrame:
    """Two MSOAs of Salford, one of Trafford, and a ward with no MSOA."""
    return pd.DataFrame(
        {
            "code": ["E01000001", "E01000002", "E01000003", "E01000004", "E05000001"],
            "name": ["Salford 001A", "Salford 001B", "Salford 002A", "Trafford 001A", "Ordsall"],
            "msoa_name": ["Salford 001", "Salford 001", "Salford 002", "Trafford 001", ""],
            "la_code": ["E08000006", "E08000006", "E08000006", "E08000009", ""],
            "la_name": ["Salford", "Salford", "Salford", "Trafford", "Salford"],
            "imd_decile": pd.array([1, 4, 2, 9, 3], dtype="Int64"),
        }
    )


# --- which level is drawn ------------------------------------------------------------


def test_a_town_is_drawn_by_neighbourhood():
    choice = level_choose(requested="auto", counts=SALFORD)
    assert (choice.level, choice.note, choice.aggregated) == ("neighbourhood", "", False)


def test_a_national_view_is_drawn_by_msoa_and_the_page_is_told_why():
    choice = level_choose(requested="auto", counts=ENGLAND)
    assert choice.level == "msoa" and choice.areas == 6_791
    assert "32,844 neighbourhoods" in choice.note
    assert f"({DRAW_LIMITS['neighbourhood']:,})" in choice.note
    assert "6,791 middle layer areas (MSOAs)" in choice.note


def test_asking_for_neighbourhoods_nationally_still_never_draws_them():
    choice = level_choose(requested="neighbourhood", counts=ENGLAND)
    assert choice.level == "msoa"
    assert "32,844 neighbourhoods" in choice.note


def test_a_coarser_level_asked_for_is_given_without_a_note():
    assert level_choose(requested="la", counts=SALFORD).level == "la"
    assert level_choose(requested="la", counts=SALFORD).note == ""
    assert level_choose(requested="msoa", counts=ENGLAND).note == ""


def test_too_many_msoas_fall_back_to_local_authorities():
    counts = {"neighbourhood": 40_000, "msoa": DRAW_LIMITS["msoa"] + 1, "la": 350}
    choice = level_choose(requested="auto", counts=counts)
    assert choice.level == "la"
    assert "40,000 neighbourhoods" in choice.note and "350 local authorities" in choice.note


def test_an_unknown_level_is_refused():
    with pytest.raises(ValueError, match="Unknown level"):
        level_choose(requested="county", counts=SALFORD)


# --- how neighbourhoods group ------------------------------------------------------------


def test_each_neighbourhood_belongs_to_its_msoa_and_local_authority():
    frame = hoods()
    assert area_keys(frame, "msoa").tolist() == [
        "Salford 001",
        "Salford 001",
        "Salford 002",
        "Trafford 001",
        "E05000001",  # no MSOA: it stands for itself
    ]
    # No LA code: its LA name.
    assert area_keys(frame, "la").tolist() == ["E08000006"] * 3 + ["E08000009", "Salford"]
    assert level_counts(frame) == {"neighbourhood": 5, "msoa": 4, "la": 3}


# --- how figures add up --------------------------------------------------------------------


def compute(level: str, **rows) -> pd.DataFrame:
    return figures_compute(
        neighbourhoods=hoods(),
        backing=rows.get("backing", pd.DataFrame(columns=["code", "kind", "amount"])),
        groups=rows.get("groups", pd.DataFrame(columns=["code", "meets_at_home"])),
        activity_codes=rows.get("activity", []),
        level=level,
    )


def backing_rows() -> pd.DataFrame:
    return pd.DataFrame(
        [
            ("E01000001", "seed_funding", 25_000),
            ("E01000002", "seed_funding", 10_000),
            ("E01000002", "time", 6),
            ("E01000004", "time", 4),
        ],
        columns=["code", "kind", "amount"],
    )


def test_msoa_figures_are_the_sums_of_their_neighbourhoods():
    groups = pd.DataFrame(
        {"code": ["E01000001", "E01000002", "E01000002", "E01000003"], "meets_at_home": False}
    )
    lsoa = compute("neighbourhood", backing=backing_rows(), groups=groups)
    msoa = compute("msoa", backing=backing_rows(), groups=groups).set_index("code")
    # An independent computation on the same rows.
    expected = (
        lsoa.assign(key=area_keys(hoods(), "msoa").to_numpy())
        .groupby("key")[["active_matches", "pence_awarded", "hours_given", "groups_registered"]]
        .sum()
    )
    for column in expected:
        assert msoa[column].to_dict() == expected[column].to_dict(), column
    assert msoa.loc["Salford 001", "pounds_awarded"] == "£350"
    assert msoa.loc["Salford 001", "neighbourhoods"] == 2


def test_an_area_is_described_by_its_share_of_deprived_neighbourhoods():
    msoa = compute("msoa").set_index("code")
    # Salford 001: deciles 1 and 4; Salford 002: decile 2; Trafford 001: decile 9.
    assert msoa.loc["Salford 001", "deprived_neighbourhoods"] == 1
    assert msoa.loc["Salford 001", "deprived_share"] == pytest.approx(0.5)
    assert msoa.loc["Salford 001", "deprived_label"] == "1 of 2 (50%)"
    assert msoa.loc["Trafford 001", "deprived_share"] == 0
    assert msoa["imd_decile"].isna().all()  # an area has no decile of its own
    la = compute("la").set_index("code")
    assert la.loc["E08000006", "deprived_label"] == "2 of 3 (67%)"
    assert (la.loc["E08000006", "name"], la.loc["E08000006", "shown_code"]) == (
        "Salford",
        "E08000006",
    )


def test_an_area_with_a_gap_neighbourhood_is_a_gap_even_if_backed_elsewhere():
    # Salford 001A (decile 1) has activity and no backing; 001B is backed.
    backing = pd.DataFrame([("E01000002", "time", 6)], columns=["code", "kind", "amount"])
    msoa = compute("msoa", backing=backing, activity=["E01000001", "E01000002"])
    row = msoa.set_index("code").loc["Salford 001"]
    assert (row["gap_neighbourhoods"], bool(row["is_gap"])) == (1, True)
    assert row["active_matches"] == 1


def test_the_summary_counts_neighbourhoods_at_every_level():
    from maps.area_figures import figures_summary

    backing = backing_rows()
    activity = ["E01000001", "E01000003", "E05000001"]
    summaries = [
        figures_summary(figures=compute(level, backing=backing, activity=activity))
        for level in ("neighbourhood", "msoa", "la")
    ]
    keys = ("neighbourhoods", "deprived", "deprived_backed", "backed", "gaps", "active_matches")
    assert {tuple(s[k] for k in keys) for s in summaries} == {(5, 3, 1, 3, 2, 4)}
    assert summaries[0]["text"] == summaries[1]["text"] == summaries[2]["text"]


# --- groups meeting at home ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "shown"),
    [
        ([0, 0], "0"),
        ([9, 0, 12], "21"),
        ([3], "fewer than 8"),
        ([3, 0], "fewer than 8"),
        ([3, 0, 8], "9 to 15"),  # not 11: 11 - 8 - 0 would give the 3 away
        ([2, 5], "2 to 14"),
    ],
)
def test_an_area_never_lets_a_small_count_be_worked_out(counts, shown):
    assert home_groups_label(pd.Series(counts)) == shown


small = st.integers(min_value=1, max_value=7)
count = st.one_of(st.just(0), small, st.integers(min_value=8, max_value=200))


@given(st.lists(count, min_size=1, max_size=30), st.data())
def test_an_areas_label_is_told_by_its_neighbourhoods_labels_alone(counts, data):
    """Whatever the suppressed counts are, the area shows the same: it adds
    nothing to what each neighbourhood's own label says."""
    other = [data.draw(small) if 0 < c < 8 else c for c in counts]
    assert [small_count_label(c) for c in other] == [small_count_label(c) for c in counts]
    assert home_groups_label(pd.Series(other)) == home_groups_label(pd.Series(counts))
    label = home_groups_label(pd.Series(counts))
    total = sum(counts)
    if " to " in label:
        low, high = (int(x.replace(",", "")) for x in label.split(" to "))
        assert low <= total <= high
    elif label.startswith("fewer"):
        assert 0 < total < 8
    else:
        assert int(label) == total and (total == 0 or total >= 8)


def test_areas_count_groups_at_home_without_the_exact_number_leaving():
    groups = pd.DataFrame({"code": ["E01000001"] * 3 + ["E01000002"] * 8, "meets_at_home": True})
    msoa = compute("msoa", groups=groups).set_index("code")
    assert msoa.loc["Salford 001", "home_groups"] == "9 to 15"
    assert "home_count" not in msoa.columns
    lsoa = compute("neighbourhood", groups=groups).set_index("code")
    assert lsoa.loc["E01000001", "home_groups"] == "fewer than 8"
    assert "home_count" not in lsoa.columns and "deprived" not in lsoa.columns
