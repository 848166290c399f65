"""Reads for the board dashboard and report: the headline figures, and every
figure of a scope at once (dashboard_figures: the headline and the tables of
board.breakdowns, from one read of the matches taken up).

Everything here is an aggregate: no function returns a group's name, contact
or location, so the board role (which must never see personal data) can be
given any of it.

Every figure is defined once, in maps.figures (FIGURE_DEFINITIONS, with the
words the pages print): this module only adds up maps.backing.backing_rows, one
row per match taken up (board.scope.scope_backing), so the headline, the
decile, month, theme and map tables and the map itself never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd
from django.db.models import Count

from board.breakdowns import (
    DecileRow,
    MonthRow,
    NeighbourhoodBacking,
    ThemeRow,
    backing_by_decile,
    backing_by_neighbourhood,
    backing_by_theme,
    backing_level,
    backing_over_time,
)
from board.scope import BoardScope, backing_outside_area, scope_backing
from maps.backing import groups_by_status, matches_in_period
from maps.figures import DEPRIVED_DECILES, small_count_label
from maps.levels import LevelChoice
from matching.models import Match, MatchStatus
from partners.models import VerificationStatus

__all__ = [
    "DEPRIVED_DECILES",
    "DashboardFigures",
    "Headline",
    "board_headline",
    "dashboard_figures",
]


# --- headline -----------------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    # Groups on the register by status (maps.backing.groups_by_status), not by anchor.
    groups_verified: int
    groups_pending: int
    groups_rejected: int
    groups_suspended: int
    # Verified groups meeting at a home, as shown ("fewer than 8" for 1 to 7).
    groups_at_home_label: str
    # Matches in the period by status (maps.backing.matches_in_period).
    matches_proposed: int
    # Approved by the anchor team and offered to the group, not yet answered.
    matches_approved: int
    matches_accepted: int
    matches_active: int
    matches_completed: int
    matches_declined: int
    matches_deferred: int
    matches_withdrawn: int
    matches_expired: int
    pence_awarded: int
    hours_given: int
    neighbourhoods_reached: int
    deprived_matches_share: float
    deprived_pence_share: float
    deprived_neighbourhoods_share: float
    # None when population figures are not loaded for every neighbourhood.
    deprived_population_share: float | None

    @property
    def pounds_awarded(self) -> float:
        return self.pence_awarded / 100

    @property
    def groups_registered(self) -> int:
        """Groups registered: the verified ones (figures.FIGURE_DEFINITIONS)."""
        return self.groups_verified

    @property
    def matches_taken_up(self) -> int:
        return self.matches_accepted + self.matches_active + self.matches_completed

    @property
    def active_backing(self) -> int:
        """Backing under way: accepted or active (figures.ACTIVE_STATUSES)."""
        return self.matches_accepted + self.matches_active


def board_headline(
    *,
    scope: BoardScope,
    deciles: list[DecileRow] | None = None,
    backing: pd.DataFrame | None = None,
) -> Headline:
    """The figures at the top of the dashboard (figures.FIGURE_DEFINITIONS).

    Groups are shared by every anchor (DESIGN.md), so group counts are not
    narrowed by anchor. Matches are counted by status under the one period
    rule; pounds, hours and neighbourhoods reached add up the matches taken
    up, inside the area or not.
    """
    backing = scope_backing(scope=scope) if backing is None else backing
    groups = groups_by_status()
    matches = matches_in_period(
        Match.objects.filter(resource__anchor_id__in=scope.anchor_ids),
        filters=scope.filters(),
        today=scope.today,
    )
    by_status = dict(matches.values_list("status").annotate(n=Count("id")).order_by())
    rows = deciles if deciles is not None else backing_by_decile(scope=scope, backing=backing)
    deprived = [row for row in rows if row.decile in DEPRIVED_DECILES]
    return Headline(
        groups_verified=groups[VerificationStatus.VERIFIED],
        groups_pending=groups[VerificationStatus.PENDING],
        groups_rejected=groups[VerificationStatus.REJECTED],
        groups_suspended=groups[VerificationStatus.SUSPENDED],
        groups_at_home_label=small_count_label(groups["at_home"]),
        matches_proposed=by_status.get(MatchStatus.PROPOSED, 0),
        matches_approved=by_status.get(MatchStatus.APPROVED, 0),
        matches_accepted=by_status.get(MatchStatus.ACCEPTED, 0),
        matches_active=by_status.get(MatchStatus.ACTIVE, 0),
        matches_completed=by_status.get(MatchStatus.COMPLETED, 0),
        matches_declined=by_status.get(MatchStatus.DECLINED, 0),
        matches_deferred=by_status.get(MatchStatus.DEFERRED, 0),
        matches_withdrawn=by_status.get(MatchStatus.WITHDRAWN, 0),
        matches_expired=by_status.get(MatchStatus.EXPIRED, 0),
        pence_awarded=int(backing["pence"].sum()),
        hours_given=int(backing["hours"].sum()),
        neighbourhoods_reached=int(backing["code"].dropna().nunique()),
        deprived_matches_share=sum(row.matches_share for row in deprived),
        deprived_pence_share=sum(row.pence_share for row in deprived),
        deprived_neighbourhoods_share=sum(row.neighbourhoods_share for row in deprived),
        deprived_population_share=None
        if any(row.population_share is None for row in deprived)
        else sum(row.population_share or 0.0 for row in deprived),
    )


# --- everything the dashboard and the report show -------------------------------------


@dataclass(frozen=True)
class DashboardFigures:
    """Every figure of the dashboard and the report for one scope: what
    board.cache stores by data version."""

    headline: Headline
    deciles: list[DecileRow]
    outside: dict[str, object]
    months: list[MonthRow]
    themes: list[ThemeRow]
    level: LevelChoice
    # The areas reached, most matches first, without their polygons (the
    # static map chart draws those).
    reached: list[NeighbourhoodBacking]


def dashboard_figures(*, scope: BoardScope) -> DashboardFigures:
    """All of the dashboard's figures, from one read of the matches taken up."""
    backing = scope_backing(scope=scope)
    deciles = backing_by_decile(scope=scope, backing=backing)
    level = backing_level(scope=scope)
    reached = [
        replace(row, geometry=b"")
        for row in backing_by_neighbourhood(scope=scope, level=level, backing=backing)
        if row.matches
    ]
    return DashboardFigures(
        headline=board_headline(scope=scope, deciles=deciles, backing=backing),
        deciles=deciles,
        outside=backing_outside_area(scope=scope, backing=backing),
        months=backing_over_time(scope=scope, backing=backing),
        themes=backing_by_theme(scope=scope, backing=backing),
        level=level,
        reached=sorted(reached, key=lambda row: (-row.matches, row.code)),
    )
