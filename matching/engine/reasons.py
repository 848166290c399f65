"""The vocabulary of "why not us?": reason codes in rank order and one need's reason.

:mod:`.unmatched` works the reasons out (with :mod:`.reach` for needs no
resource reaches and :mod:`.lost` for needs that lost in the allocation).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

Param = int | float | str | bool | None | list[str] | dict[str, float]

#: Reason codes, farthest from a match first: a code's index is its rank.
REASONS: Final[tuple[str, ...]] = (
    "no_offer",
    "out_of_reach",
    "min_award",
    "spent_before",
    "theme",
    "zero_score",
    "outbid",
    "floor",
    "left_below_min",
    "group_cap",
    "not_chosen",
)
RANK: Final[Mapping[str, int]] = {code: i for i, code in enumerate(REASONS)}
_MIN, _SPENT, _THEME, _ZERO = (
    RANK["min_award"],
    RANK["spent_before"],
    RANK["theme"],
    RANK["zero_score"],
)
_OUTBID, _FLOOR = RANK["outbid"], RANK["floor"]
_LEFT, _NOT_CHOSEN = RANK["left_below_min"], RANK["not_chosen"]


@dataclass(frozen=True, slots=True)
class Unmatched:
    """Why one need received nothing: a code of :data:`REASONS` and its facts.

    ``params`` holds plain JSON values (ids, metres, amounts in the kind's
    unit, scores in [0, 1], part names); see :func:`matching.engine.unmatched.unmatched_explain`.
    """

    need_id: int
    reason: str
    params: Mapping[str, Param]

    @property
    def rank(self) -> int:
        return RANK[self.reason]
