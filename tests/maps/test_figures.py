"""The figures per neighbourhood and the text summary (maps/area_figures.py)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from maps.area_figures import figures_summary, neighbourhood_figures
from maps.figures import MapFilters, pounds_label, small_count_label
from matching.models import MatchStatus
from partners.models import NeedKind
from tests import factories as f

pytestmark = pytest.mark.django_db


def backing(
    group,
    *,
    kind=NeedKind.SEED_FUNDING,
    amount=15_000,
    status=MatchStatus.ACTIVE,
    anchor=None,
    theme="loneliness-and-isolation",
    **match,
):
    activity = f.ActivityFactory(group=group, themes=[theme])
    need = f.NeedFactory(activity=activity, kind=kind, amount=amount)
    resource = f.ResourceFactory(kind=kind, **({"anchor": anchor} if anchor else {}))
    return f.MatchFactory(need=need, resource=resource, amount=amount, status=status, **match)


def row(figures, code):
    return figures.set_index("code").loc[code]


def test_it_counts_backing_pounds_and_hours_per_neighbourhood():
    place = f.NeighbourhoodFactory(imd_decile=1)
    group = f.CommunityGroupFactory(neighbourhood=place)
    backing(group, amount=15_000)
    backing(group, amount=10_050)
    # 12 hours a month for 61 days (24 hours), and 5 hours of expertise.
    today = datetime.date(2026, 6, 1)
    backing(
        group,
        kind=NeedKind.TIME,
        amount=12,
        responded_at=timezone.make_aware(datetime.datetime(2026, 4, 1, 12)),
    )
    backing(group, kind=NeedKind.EXPERTISE, amount=5)
    figures = neighbourhood_figures(filters=MapFilters(), today=today)
    found = row(figures, place.code)
    assert found["active_matches"] == 4
    assert found["pence_awarded"] == 25_050
    assert found["pounds_awarded"] == "£250.50"
    assert found["hours_given"] == 24 + 5


def test_it_counts_only_backing_the_group_took_up():
    place = f.NeighbourhoodFactory(imd_decile=5)
    group = f.CommunityGroupFactory(neighbourhood=place)
    for status in (MatchStatus.PROPOSED, MatchStatus.APPROVED, MatchStatus.DECLINED):
        backing(group, status=status)
    for status in (MatchStatus.ACCEPTED, MatchStatus.ACTIVE, MatchStatus.COMPLETED):
        backing(group, status=status)
    found = row(neighbourhood_figures(filters=MapFilters()), place.code)
    assert found["matches_taken_up"] == 3
    # "Active" is backing under way: accepted or active, not completed.
    assert found["active_matches"] == 2


def test_it_suppresses_counts_of_one_to_seven_groups_meeting_at_home():
    assert [small_count_label(n) for n in (0, 1, 7, 8, 30)] == [
        "0",
        "fewer than 8",
        "fewer than 8",
        "8",
        "30",
    ]
    few, many = f.NeighbourhoodFactory(), f.NeighbourhoodFactory()
    for _ in range(3):
        f.CommunityGroupFactory(neighbourhood=few, meets_at_home=True)
    for _ in range(8):
        f.CommunityGroupFactory(neighbourhood=many, meets_at_home=True)
    f.CommunityGroupFactory(neighbourhood=few, meets_at_home=False)
    figures = neighbourhood_figures(filters=MapFilters())
    assert row(figures, few.code)["home_groups"] == "fewer than 8"
    assert row(figures, few.code)["groups_registered"] == 1
    assert row(figures, many.code)["home_groups"] == "8"
    assert row(figures, many.code)["groups_registered"] == 0


def test_it_counts_only_registered_groups():
    place = f.NeighbourhoodFactory()
    f.CommunityGroupFactory(neighbourhood=place)
    f.CommunityGroupFactory(neighbourhood=place, status="pending")
    f.CommunityGroupFactory(neighbourhood=place, withdrawn_at=timezone.now())
    f.CommunityGroupFactory(neighbourhood=place, consent_public=False)  # counted: not a point
    assert row(neighbourhood_figures(filters=MapFilters()), place.code)["groups_registered"] == 2


def test_a_gap_is_deprived_with_activity_and_no_backing():
    gap = f.NeighbourhoodFactory(imd_decile=2)
    f.ActivityFactory(group=f.CommunityGroupFactory(neighbourhood=gap))
    backed = f.NeighbourhoodFactory(imd_decile=1)
    backing(f.CommunityGroupFactory(neighbourhood=backed))
    quiet = f.NeighbourhoodFactory(imd_decile=3)  # no activity
    wealthy = f.NeighbourhoodFactory(imd_decile=9)
    f.ActivityFactory(group=f.CommunityGroupFactory(neighbourhood=wealthy))
    served = f.NeighbourhoodFactory(imd_decile=1)  # served by an activity based elsewhere
    f.ActivityFactory(
        group=f.CommunityGroupFactory(neighbourhood=wealthy)
    ).neighbourhoods_served.add(served)
    figures = neighbourhood_figures(filters=MapFilters()).set_index("code")["is_gap"]
    assert figures[gap.code] and figures[served.code]
    assert not figures[backed.code] and not figures[quiet.code] and not figures[wealthy.code]


def test_it_filters_by_anchor_kind_and_theme():
    anchor = f.AnchorFactory(slug="trust")
    place = f.NeighbourhoodFactory(imd_decile=1)
    group = f.CommunityGroupFactory(neighbourhood=place)
    backing(group, anchor=anchor, theme="food")
    backing(group, kind=NeedKind.TIME, amount=5)
    backing(group)

    def matches(**filters):
        return row(neighbourhood_figures(filters=MapFilters(**filters)), place.code)[
            "active_matches"
        ]

    assert matches() == 3
    assert matches(anchor="trust") == 1
    assert matches(kind=NeedKind.TIME) == 1
    assert matches(theme="food") == 1


def test_it_filters_by_period_of_backing():
    place = f.NeighbourhoodFactory(imd_decile=1)
    group = f.CommunityGroupFactory(neighbourhood=place)
    long_ago = timezone.now() - datetime.timedelta(days=800)
    backing(
        group,
        status=MatchStatus.COMPLETED,
        responded_at=long_ago,
        completed_at=long_ago + datetime.timedelta(days=30),
    )
    backing(group, status=MatchStatus.ACTIVE, responded_at=long_ago)  # still running
    backing(group, status=MatchStatus.ACTIVE, responded_at=timezone.now())

    def matches(period):
        return row(neighbourhood_figures(filters=MapFilters(period=period)), place.code)[
            "matches_taken_up"
        ]

    assert matches("all") == 3
    assert matches("12m") == 2
    assert matches("3m") == 2


def test_the_summary_says_how_many_deprived_neighbourhoods_backing_reached():
    place = f.NeighbourhoodFactory(imd_decile=1, la_name="Salford")
    backing(f.CommunityGroupFactory(neighbourhood=place), amount=450_000)
    gap = f.NeighbourhoodFactory(imd_decile=2, la_name="Salford")
    f.ActivityFactory(group=f.CommunityGroupFactory(neighbourhood=gap))
    f.NeighbourhoodFactory(imd_decile=8, la_name="Salford")
    summary = figures_summary(figures=neighbourhood_figures(filters=MapFilters()))
    assert summary["text"].startswith(
        "Backing reached 1 of Salford's 2 most deprived neighbourhoods "
        "(deciles 1 to 3 of the Index of Multiple Deprivation, IMD)."
    )
    assert (
        "1 deprived neighbourhood has registered community activity but no backing"
        in (summary["text"])
    )
    assert "£4,500 awarded" in summary["text"]
    assert summary["gaps"] == 1


def test_pounds_are_shown_from_pence():
    assert pounds_label(0) == "£0"
    assert pounds_label(123_456) == "£1,234.56"
    assert pounds_label(100_000_00) == "£100,000"


def test_unknown_filters_are_refused():
    with pytest.raises(ValueError):
        MapFilters(period="forever")
    with pytest.raises(ValueError):
        MapFilters(kind="bribes")


def test_it_takes_five_queries_whatever_the_number_of_groups(django_assert_max_num_queries):
    for _ in range(5):
        place = f.NeighbourhoodFactory(imd_decile=1)
        backing(f.CommunityGroupFactory(neighbourhood=place))
    with django_assert_max_num_queries(7):
        neighbourhood_figures(filters=MapFilters())
