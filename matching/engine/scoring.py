"""Stage 2: score every candidate pair, vectorised, with named parts in [0, 1].

The parts (columns of :attr:`Scores.parts`, in PART_NAMES order):

theme_fit
    Share of the need's themes that the resource backs,
    ``|need & resource| / |need|``. A resource with no themes is open to all
    and a need with no themes is unknown: both score the neutral
    :data:`NEUTRAL_THEME_FIT`. (Not Jaccard: a resource interested in many
    themes should not be penalised for its breadth.)
proximity
    ``1 - distance / radius``: 1 at the resource's centre, 0 at the edge of
    its area. Neighbourhood-list areas score 1 (being listed is local).
equity
    ``(10 - decile) / 9``: IMD decile 1 (most deprived) scores 1, decile 10
    scores 0, unknown (5.5) scores 0.5.
newness
    1 for a group no anchor has ever backed (the partners the public sector
    neglects); a backed group scores ``NEWNESS_BACKED_MAX * min(months,
    NEWNESS_HORIZON_MONTHS) / NEWNESS_HORIZON_MONTHS``: 0 if backed this
    month, rising to 0.5 for backing 3 or more years ago.
value
    People reached a month per unit requested, on a log scale, min-max
    normalised among all needs of the same kind in the run (units differ by
    kind): the best value for money in a kind scores 1, the worst 0; if all
    are equal, 0.5.

The total is the weighted mean of the parts with the weights of the
resource's anchor, so it is in [0, 1].
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .problem import Problem
from .types import KINDS, PART_NAMES, Candidates, FloatArray, IntArray, LocalIndex, Scores, readonly

NEUTRAL_THEME_FIT = 0.5
NEWNESS_BACKED_MAX = 0.5
NEWNESS_HORIZON_MONTHS = 36.0

_POPCOUNT8 = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)


def popcount_rows(bits: NDArray[np.uint8]) -> NDArray[np.int64]:
    """Number of set bits in each row of a packed bit matrix."""
    if bits.shape[1] == 0:
        return np.zeros(bits.shape[0], dtype=np.int64)
    counts: NDArray[np.int64] = _POPCOUNT8[bits].sum(axis=1, dtype=np.int64)
    return counts


def pair_theme_counts(
    problem: Problem, candidates: Candidates
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """For each candidate pair: the need's number of themes, the resource's,
    and how many they share."""
    return _theme_counts(problem, candidates.need_idx, candidates.res_idx)


def _theme_counts(
    problem: Problem, ni: LocalIndex, rj: LocalIndex
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    need_count = popcount_rows(problem.need_themes)[ni]
    res_count = popcount_rows(problem.res_themes)[rj]
    if problem.need_themes.shape[1]:
        shared = popcount_rows(problem.need_themes[ni] & problem.res_themes[rj])
    else:
        shared = np.zeros(ni.shape[0], dtype=np.int64)
    return need_count, res_count, shared


def need_equity(problem: Problem) -> FloatArray:
    """Equity part per need: decile 1 -> 1.0, decile 10 -> 0.0."""
    result: FloatArray = (10.0 - problem.need_imd) / 9.0
    return result


def need_newness(problem: Problem) -> FloatArray:
    """Newness part per need: never backed -> 1.0, backed this month -> 0.0."""
    months = problem.need_months_since_backed
    recency = np.minimum(np.nan_to_num(months, nan=0.0), NEWNESS_HORIZON_MONTHS)
    backed = NEWNESS_BACKED_MAX * recency / NEWNESS_HORIZON_MONTHS
    result: FloatArray = np.where(np.isnan(months), 1.0, backed)
    return result


def need_value(problem: Problem) -> FloatArray:
    """Value part per need: log people reached per unit, min-max within kind."""
    raw = np.log1p(problem.need_people.astype(np.float64)) - np.log(
        problem.need_amount.astype(np.float64)
    )
    out = np.full(problem.n_needs, 0.5)
    for kind in range(len(KINDS)):
        mask = problem.need_kind == kind
        if not mask.any():
            continue
        lo, hi = raw[mask].min(), raw[mask].max()
        if hi > lo:
            out[mask] = (raw[mask] - lo) / (hi - lo)
    return out


def score_candidates(problem: Problem, candidates: Candidates) -> Scores:
    """Score every candidate pair.

    Parameters
    ----------
    problem : Problem
    candidates : Candidates
        From :func:`~matching.engine.candidates.find_candidates`.

    Returns
    -------
    Scores
        ``total`` for every pair; the five parts (see the module docstring)
        of any pairs on demand (:meth:`Scores.rows`): only the proposals and
        the explained pairs need them, and holding them for every pair took
        40 bytes a pair (200 MB at England scale).
    """
    parts = _PairParts(problem, candidates)
    # The weighted mean, column by column: five 1-D gathers of each
    # resource's normalised weight are 4 times faster than gathering the
    # (pairs x 5) weight matrix. In blocks of pairs, so that the columns'
    # temporaries stay small; each value is computed as it would be at once.
    normalised = problem.res_weights / problem.res_weights.sum(axis=1, keepdims=True)
    total = np.zeros(len(candidates))
    for block in blocks(len(candidates)):
        rj = candidates.res_idx[block]
        for c in range(len(PART_NAMES)):
            total[block] += parts.column(c, block) * normalised[rj, c]
    return Scores(total=readonly(np.clip(total, 0.0, 1.0)), rows_of=parts.rows)


#: Pairs handled at once by the stages that walk every candidate pair:
#: their temporaries stay a few MB whatever the size of the run.
BLOCK_PAIRS = 1 << 20


def blocks(n: int, size: int | None = None) -> list[slice]:
    """Consecutive slices of at most ``size`` (default :data:`BLOCK_PAIRS`)
    covering ``range(n)``."""
    size = size or BLOCK_PAIRS
    return [slice(s, min(s + size, n)) for s in range(0, n, size)]


class _PairParts:
    """The score parts of candidate pairs, column by column, for any pairs.

    A value is the same whichever pairs are asked for together: each is
    computed from its own pair only (the per-need parts once per need).
    """

    def __init__(self, problem: Problem, candidates: Candidates) -> None:
        self.problem, self.candidates = problem, candidates
        self.need_cols = (need_equity(problem), need_newness(problem), need_value(problem))

    def column(self, c: int, pairs: slice | IntArray) -> FloatArray:
        """Part ``c`` (PART_NAMES order) of ``pairs``."""
        problem, candidates = self.problem, self.candidates
        ni = candidates.need_idx[pairs]
        if c >= 2:
            need_col: FloatArray = self.need_cols[c - 2][ni]
            return need_col
        rj = candidates.res_idx[pairs]
        if c == 0:
            need_count, res_count, shared = _theme_counts(problem, ni, rj)
            neutral = (need_count == 0) | (res_count == 0)
            fit: FloatArray = np.where(
                neutral, NEUTRAL_THEME_FIT, shared / np.maximum(need_count, 1)
            )
            return fit
        radius = problem.res_radius_m[rj]
        with np.errstate(invalid="ignore"):
            closeness = np.clip(1.0 - candidates.distance_m[pairs] / radius, 0.0, 1.0)
        near: FloatArray = np.where(np.isnan(radius), 1.0, closeness)
        return near

    def rows(self, pairs: IntArray) -> NDArray[np.float64]:
        """The (len(pairs), 5) parts of ``pairs``."""
        out = np.empty((len(pairs), len(PART_NAMES)), dtype=np.float64)
        for c in range(len(PART_NAMES)):
            out[:, c] = self.column(c, pairs)
        return out
