"""The figures behind every board map and table, defined once: in code
(the statuses, periods and filters here; the reads in maps.backing; the
per-neighbourhood figures in maps.area_figures) and in words
(FIGURE_DEFINITIONS, printed under "What these figures count" on the
dashboard, the report and the board map): matches by status, active backing,
matches taken up, pounds awarded, hours given to date, groups registered,
neighbourhoods reached, and the one period rule (maps.backing.matches_in_period).
The dashboard (board.dashboard) and the map (maps.frames) only add them up.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import asdict, dataclass

from django.utils import timezone

from maps.levels import LEVELS
from matching.models import MatchStatus
from partners.models import NeedKind, VerificationStatus

__all__ = [
    "ACTIVE_STATUSES",
    "BACKING_STATUSES",
    "CLOSED_STATUSES",
    "DAYS_A_MONTH",
    "DEPRIVED_DECILES",
    "FIGURE_COLUMNS",
    "FIGURE_DEFINITIONS",
    "GROUP_STATUSES",
    "LEVELS",
    "PERIODS",
    "SHADES",
    "SMALL_NUMBER_LIMIT",
    "MapFilters",
    "pounds_label",
    "small_count_label",
]

# Taken up by the group: backing given. APPROVED (offered) is deliberately absent:
# it holds the resource's capacity (matching.models.HOLDING_STATUSES) but the
# group has not said yes.
BACKING_STATUSES: tuple[str, ...] = (
    MatchStatus.ACCEPTED,
    MatchStatus.ACTIVE,
    MatchStatus.COMPLETED,
)
# "Active" means one thing everywhere: backing under way, taken up and not yet
# completed. (The dashboard once said "active" for ACTIVE alone and the map for
# all of BACKING_STATUSES, 27 against 41 on the demo.)
ACTIVE_STATUSES: tuple[str, ...] = (MatchStatus.ACCEPTED, MatchStatus.ACTIVE)
# Decisions that end a match on the day it is dated (matches_in_period).
CLOSED_STATUSES: tuple[str, ...] = (
    MatchStatus.DECLINED,
    MatchStatus.WITHDRAWN,
    MatchStatus.EXPIRED,
)
# The average calendar month in days: time given as "hours a month" becomes
# hours by the days it was under way.
DAYS_A_MONTH = 365.25 / 12
# Group statuses the board sees counted, in this order; "Groups registered" in
# the headline and on the map counts the verified ones.
GROUP_STATUSES: tuple[str, ...] = (
    VerificationStatus.VERIFIED,
    VerificationStatus.PENDING,
    VerificationStatus.REJECTED,
    VerificationStatus.SUSPENDED,
)

# The definitions in words, printed under "What these figures count" on every
# board page with figures (maps/templates/maps/board_definitions.html). Kept
# beside the code they describe so the two change together.
FIGURE_DEFINITIONS: tuple[tuple[str, str], ...] = (
    (
        "Period",
        "A match counts in a period if it was open at any time in it: from the day it was "
        "dated (when the group answered the offer, else when the anchor team decided, else "
        "when it was proposed) until it was completed; a match declined, withdrawn or expired "
        "counts only in a period holding the day it was dated. All time has no limits. Every "
        "table on the page uses this one rule.",
    ),
    (
        "Matches by status",
        "Every match of the anchors in the period, by where it stands today: proposed, "
        "offered to the group, accepted by the group, active, completed, declined, deferred, "
        "withdrawn or expired.",
    ),
    (
        "Matches taken up",
        "Matches the group has said yes to: accepted, active or completed. All backing "
        "figures (pounds, hours, neighbourhoods reached, the decile, month, theme and map "
        "tables) count these. An offer the group has not answered is not counted.",
    ),
    (
        "Active backing",
        "Backing under way: matches accepted or active, not yet completed. This is the only "
        "meaning of \u201cactive\u201d on these pages.",
    ),
    (
        "Pounds awarded",
        "The seed funding of the matches taken up, in full, in every period the match counts in.",
    ),
    (
        "Hours given to date",
        "Staff or volunteer time is offered in hours a month: it counts as those hours for "
        "every month it was under way, from the day it was taken up until it was completed or "
        "today, within the period (a month is 365.25 \u00f7 12 days; each match rounded to "
        "the nearest hour). Expertise is offered in hours and counts in full. Both kinds are "
        "in every hours figure.",
    ),
    (
        "Groups registered",
        "Groups on the register, as they stand today: not withdrawn and not erased. The "
        "headline and the map count verified groups; the headline also shows how many are "
        "pending, rejected or suspended. Groups are shared by every anchor, so the headline "
        "counts them all; the map counts those in the neighbourhoods it shows (an anchor's "
        "service area when one is chosen). Groups meeting at a home are counted apart and a count of 1 to 7 "
        "is shown as \u201cfewer than 8\u201d.",
    ),
    (
        "Neighbourhoods reached",
        "Neighbourhoods where a group with a match taken up in the period is based.",
    ),
    (
        "Outside the service area",
        "Backing of groups based outside the anchor's service area (or with no known "
        "neighbourhood) is in every total and shown as its own row, never dropped.",
    ),
)
# IMD deciles 1 to 3: the 30% most deprived neighbourhoods of England.
DEPRIVED_DECILES: frozenset[int] = frozenset({1, 2, 3})
# Counts of groups meeting at home from 1 to this minus one are not shown.
SMALL_NUMBER_LIMIT = 8

PERIODS: dict[str, str] = {
    "all": "All time",
    "3m": "The last 3 months",
    "12m": "The last 12 months",
    "fy": "This financial year (from 1 April)",
}
# What the neighbourhoods are shaded by when the map opens.
SHADES: dict[str, str] = {
    "matches": "Backing: active matches",
    "pounds": "Backing: pounds awarded",
    "hours": "Backing: hours given",
    "imd": "Deprivation: IMD decile",
}

FIGURE_COLUMNS = (
    "code",
    "name",
    "imd_decile",
    "active_matches",
    "matches_taken_up",
    "pence_awarded",
    "pounds_awarded",
    "hours_given",
    "groups_registered",
    "home_groups",
    "has_activity",
    "is_gap",
    # Also at every level, so a summary reads the same columns from either:
    "shown_code",
    "neighbourhoods",
    "deprived_neighbourhoods",
    "deprived_share",
    "gap_neighbourhoods",
    "backed_neighbourhoods",
    "deprived_backed",
)


@dataclass(frozen=True)
class MapFilters:
    """What the board asked to see. Empty strings mean "all"."""

    anchor: str = ""  # Anchor.slug
    theme: str = ""  # Theme.slug
    kind: str = ""  # NeedKind value
    period: str = "all"  # a key of PERIODS
    shade: str = "matches"  # a key of SHADES
    level: str = "auto"  # a key of maps.levels.LEVELS: what the map is drawn at
    # The anchors the viewer may see (accounts.access.anchors_for_board), set
    # by the view from the user, never from the URL; () is every anchor: an
    # admin's view, the commands and the beat task. A board member's map
    # holds no other anchor's backing, sites or lines.
    anchor_ids: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"Unknown level {self.level!r}.")
        if self.period not in PERIODS:
            raise ValueError(f"Unknown period {self.period!r}.")
        if self.shade not in SHADES:
            raise ValueError(f"Unknown shading {self.shade!r}.")
        if self.kind and self.kind not in NeedKind.values:
            raise ValueError(f"Unknown kind of backing {self.kind!r}.")

    def period_range(self, today: datetime.date) -> tuple[datetime.date, datetime.date] | None:
        """(first day, day after the last) of the period, or None for all time."""
        end = today + datetime.timedelta(days=1)
        if self.period == "3m":
            return today - datetime.timedelta(days=91), end
        if self.period == "12m":
            return today - datetime.timedelta(days=365), end
        if self.period == "fy":
            year = today.year if today >= datetime.date(today.year, 4, 1) else today.year - 1
            return datetime.date(year, 4, 1), end
        return None

    def key(self, today: datetime.date | None = None) -> str:
        """A short stable hash: the filters plus the dates the period resolves to
        today, so "the last 3 months" is not served from yesterday's cache."""
        today = today or timezone.localdate()
        period = self.period_range(today)
        payload = {**asdict(self), "range": [d.isoformat() for d in period] if period else None}
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]

    def as_query(self) -> dict[str, str]:
        """The filters as GET parameters (defaults left out), for links and the frame URL."""
        defaults = MapFilters()
        return {
            k: v for k, v in asdict(self).items() if v != getattr(defaults, k) and k != "anchor_ids"
        }


def small_count_label(count: int) -> str:
    """A count of groups meeting at home as shown: 1 to 7 become "fewer than 8"."""
    if 0 < count < SMALL_NUMBER_LIMIT:
        return f"fewer than {SMALL_NUMBER_LIMIT}"
    return str(int(count))


def pounds_label(pence: int) -> str:
    """Integer pence as pounds: 123456 -> "£1,234.56"; whole pounds without pence."""
    pounds, rest = divmod(int(pence), 100)
    return f"£{pounds:,}" if rest == 0 else f"£{pounds:,}.{rest:02d}"
