"""Why a run left a need without anything: the nearest reason, exact, with its facts.

Given the problem, its candidates and scores, and the allocation made from
them, :func:`unmatched_explain` returns one :class:`Unmatched` per need that
received nothing: a reason code from :data:`REASONS` and the numbers behind
it (distances, awards, scores), never words. The app says them in the
group's terms (``matching/whynot.py``).

A need passes through filters in this order, and each candidate pair of the
need stops at the first it fails:

1. ``no_offer``: no resource of the need's kind in the run at all;
2. ``out_of_reach``: resources of its kind exist but none covers its place
   (the one whose edge is nearest is named, with its distance and reach);
3. ``min_award``: the request is below the resource's minimum award;
4. ``spent_before``: the resource had nothing left (or less than its
   minimum award) before the run began;
5. ``theme``: the resource backs only other themes than the activity's;
6. ``zero_score``: the anchor's weights give the pair a score of 0;
7. then the pair was usable, and the need lost in the allocation:
   ``outbid`` (the run spent the pot on needs that ranked higher: the
   lowest-ranked need it served is compared with this one),
   ``left_below_min`` (the pot has something left, below its minimum
   award), ``group_cap`` (the group already has as many needs served as a
   run allows), ``not_chosen`` (the pot had room: only the time limit or
   solver tolerance explains it).

The need's reason is that of its pair that got furthest (the *nearest*
reason: the one closest to being matched), so "out of reach" is never said
of a need that some resource reaches. :data:`REASONS` is in that order and a
reason's index is its rank.

The hook for fair-share floors (branch h/floors, not on main when this was
written: ``Problem.res_floor``, kept for needs in the floor's deciles or
neighbourhoods; other needs take at most capacity less the floor). Once
they are in, a usable pair whose need is outside its pot's floor, on a pot
whose room left is what the floor keeps, stopped at ``floor``: add it to
:data:`REASONS` between ``outbid`` and ``left_below_min`` (with the pot's
``floor`` and the room it kept as parameters), as a condition before
``left == 0`` in ``_Run.__init__``, to ``UnmatchedReason`` (a migration:
ranks are stored) and to ``matching/whynot.py`` ("the rest of the pot is
kept for the most deprived neighbourhoods"; what would change it: "the
next run, if they do not use it"). Until then such a pair reads as
``not_chosen`` or ``left_below_min``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray

from .candidates import EARTH_RADIUS_M, unit_vectors
from .problem import Problem
from .scoring import pair_theme_counts
from .types import KINDS, PART_NAMES, Allocation, Candidates, FloatArray, IntArray, Scores

#: Reason codes, farthest from a match first: a code's index is its rank.
REASONS: Final[tuple[str, ...]] = (
    "no_offer",
    "out_of_reach",
    "min_award",
    "spent_before",
    "theme",
    "zero_score",
    "outbid",
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
_OUTBID, _LEFT, _NOT_CHOSEN = RANK["outbid"], RANK["left_below_min"], RANK["not_chosen"]

#: Needs per block when measuring distances to every resource of a kind.
_DISTANCE_BLOCK = 512

Param = int | float | str | bool | None | list[str] | dict[str, float]


@dataclass(frozen=True, slots=True)
class Unmatched:
    """Why one need received nothing: a code of :data:`REASONS` and its facts.

    ``params`` holds plain JSON values (ids, metres, amounts in the kind's
    unit, scores in [0, 1], part names); see :func:`unmatched_explain`.
    """

    need_id: int
    reason: str
    params: Mapping[str, Param]

    @property
    def rank(self) -> int:
        return RANK[self.reason]


def unmatched_explain(
    problem: Problem, candidates: Candidates, scores: Scores, allocation: Allocation
) -> list[Unmatched]:
    """The nearest reason for every need the allocation gives nothing.

    Parameters
    ----------
    problem, candidates, scores
        The run's stages, as the allocation was made from them.
    allocation : Allocation

    Returns
    -------
    list of Unmatched
        In need-id order. Parameters by reason: ``no_offer``: ``kind``;
        ``out_of_reach``: ``resource_id``, ``distance_m`` and ``reach_m`` of
        the resource whose edge is nearest (or ``listed``: only resources
        with a list of neighbourhoods); ``min_award``: ``resource_id``,
        ``min_award`` (the smallest), ``amount``; ``spent_before``:
        ``resource_id``, ``left``, ``min_award``; ``theme``: ``need_themes``,
        ``offered_themes``, ``distance_m`` of the nearest; ``zero_score``:
        ``resource_id``; ``outbid``: ``resource_id``, this need's ``score``,
        ``parts`` and ``amount``, the lowest-ranked need served from that
        resource (``served_need_id``, ``served_score``, ``served_parts``,
        ``served_amount``) and ``deciding``, the parts where it scored
        higher, weighted, largest first (``"amount"`` if this need scored
        at least as high but asked more for it); ``left_below_min``:
        ``resource_id``, ``left``, ``min_award``; ``group_cap``: ``cap``,
        ``per_kind``; ``not_chosen``: ``resource_id``.

    Examples
    --------
    >>> from matching.engine import Need, Problem, Resource, solve, prepare
    >>> needs = [Need(id=1, group_id=1, kind="time", amount=2, lat=53.6, lon=-2.24)]
    >>> pool = Resource(id=7, anchor_id=1, kind="time", capacity=10,
    ...                 lat=53.48, lon=-2.24, radius_m=10_000)
    >>> problem = Problem.from_records(needs, [pool])
    >>> prepared = prepare(problem)
    >>> [why] = unmatched_explain(problem, prepared.candidates, prepared.scores, solve(problem))
    >>> why.reason, why.params["resource_id"], round(float(why.params["distance_m"]))
    ('out_of_reach', 7, 13343)
    """
    x = np.zeros(len(candidates), dtype=np.int64)
    x[allocation.candidate_idx] = allocation.amount
    ni = candidates.need_idx
    served = np.bincount(ni, weights=x, minlength=problem.n_needs) > 0
    run = _Run(problem, candidates, scores, x)
    best_pair, best = _furthest_pairs(problem.n_needs, ni, run.stage, scores.total)
    capped = _groups_at_cap(problem, served)
    # Candidates are sorted by need: each need's pairs are one slice.
    first = np.searchsorted(ni, np.arange(problem.n_needs), side="left")
    last = np.searchsorted(ni, np.arange(problem.n_needs), side="right")

    found: dict[int, Unmatched] = _out_of_reach(problem, np.flatnonzero(~served & (best < 0)))
    outbid: list[tuple[int, int]] = []
    for i in np.flatnonzero(~served & (best >= 0)).tolist():
        at_cap, rank, k = capped[i], int(best[i]), int(best_pair[i])
        if rank >= _OUTBID and at_cap is not None:
            cap, per_kind = at_cap
            found[i] = Unmatched(
                int(problem.need_id[i]), "group_cap", {"cap": cap, "per_kind": per_kind}
            )
        elif rank == _OUTBID:
            outbid.append((i, k))  # explained together below: they are the many
        else:
            pairs = np.arange(first[i], last[i])
            found[i] = run.explain(i, k, rank, pairs[run.stage[pairs] == rank])
    found.update(run.outbid(outbid))
    return [found[i] for i in sorted(found)]


def _furthest_pairs(
    n_needs: int, ni: IntArray, stage: IntArray, total: FloatArray
) -> tuple[IntArray, IntArray]:
    """Each need's pair that went furthest, and its stage (-1: the need has no pair).

    Among equals the best-scoring one (the stage dominates the key: scores are
    in [0, 1]). Candidates are sorted by need, so a max per need is one
    reduceat (a lexsort of the pairs took 0.3 s for 20,000 needs).
    """
    key = stage + 0.5 * total
    top = np.full(n_needs, -np.inf)
    if len(ni):
        starts = np.flatnonzero(np.r_[True, ni[1:] != ni[:-1]])
        top[ni[starts]] = np.maximum.reduceat(key, starts)
    hit = np.flatnonzero(key == top[ni])
    reached, at = np.unique(ni[hit], return_index=True)
    best_pair = np.full(n_needs, -1, dtype=np.int64)
    best_pair[reached] = hit[at]
    best = np.full(n_needs, -1, dtype=np.int64)
    best[reached] = stage[hit[at]]
    return best_pair, best


def _groups_at_cap(problem: Problem, served: NDArray[np.bool_]) -> list[tuple[int, bool] | None]:
    """Per need: (cap, per kind?) if its group reached a cap in this run, else None."""
    out: list[tuple[int, bool] | None] = [None] * problem.n_needs
    group = np.unique(problem.need_group, return_inverse=True)[1].reshape(-1)
    checks: list[tuple[IntArray, int, bool]] = []
    if problem.group_kind_cap is not None:
        checks.append((group * len(KINDS) + problem.need_kind, problem.group_kind_cap, True))
    if problem.group_cap is not None:
        checks.append((group, problem.group_cap, False))
    for key, cap, per_kind in checks:
        count = np.bincount(key[served], minlength=int(key.max(initial=-1)) + 1)
        for i in np.flatnonzero(count[key] >= cap).tolist():
            out[i] = (cap, per_kind)
    return out


def _out_of_reach(problem: Problem, needs: IntArray) -> dict[int, Unmatched]:
    """``no_offer`` or ``out_of_reach`` for needs no resource of their kind covers."""
    out: dict[int, Unmatched] = {}
    radius = problem.res_radius_m
    for kind in np.unique(problem.need_kind[needs]).tolist():
        needs_k = needs[problem.need_kind[needs] == kind]
        res_k = np.flatnonzero(problem.res_kind == kind)
        by_radius = res_k[~np.isnan(radius[res_k])]
        for i in needs_k.tolist():
            nid = int(problem.need_id[i])
            if res_k.size == 0:
                out[i] = Unmatched(nid, "no_offer", {"kind": KINDS[kind]})
            elif by_radius.size == 0:
                out[i] = Unmatched(
                    nid,
                    "out_of_reach",
                    {"resource_id": int(problem.res_id[res_k[0]]), "listed": True},
                )
        if by_radius.size == 0:
            continue
        res_xyz = unit_vectors(problem.res_lat[by_radius], problem.res_lon[by_radius])
        for start in range(0, needs_k.size, _DISTANCE_BLOCK):
            block = needs_k[start : start + _DISTANCE_BLOCK]
            need_xyz = unit_vectors(problem.need_lat[block], problem.need_lon[block])
            cosine = np.clip(need_xyz @ res_xyz.T, -1.0, 1.0)
            metres: FloatArray = EARTH_RADIUS_M * np.arccos(cosine)
            nearest = np.argmin(metres - radius[by_radius][None, :], axis=1)
            j = by_radius[nearest]
            rows = zip(
                block.tolist(),
                problem.need_id[block].tolist(),
                problem.res_id[j].tolist(),
                metres[np.arange(block.size), nearest].tolist(),
                radius[j].tolist(),
                strict=True,
            )
            for i, nid, rid, distance, reach in rows:
                out[i] = Unmatched(
                    nid,
                    "out_of_reach",
                    {"resource_id": rid, "distance_m": distance, "reach_m": reach},
                )
    return out


class _Run:
    """The run's outcome per pair and per resource, and the reason of one pair."""

    def __init__(self, problem: Problem, candidates: Candidates, scores: Scores, x: IntArray):
        self.problem, self.candidates, self.scores = problem, candidates, scores
        ni, rj = candidates.need_idx, candidates.res_idx
        minimum = problem.res_min_award[rj]
        floor = np.maximum(minimum, 1)
        given = np.bincount(rj, weights=x, minlength=problem.n_resources).astype(np.int64)
        self.left: IntArray = problem.res_capacity - given
        need_count, res_count, shared = pair_theme_counts(problem, candidates)
        self.stage: IntArray = np.select(
            [
                problem.need_amount[ni] < minimum,
                problem.res_capacity[rj] < floor,
                (need_count > 0) & (res_count > 0) & (shared == 0),
                scores.total <= 0.0,
                self.left[rj] == 0,
                self.left[rj] < floor,
            ],
            [_MIN, _SPENT, _THEME, _ZERO, _OUTBID, _LEFT],
            default=_NOT_CHOSEN,
        ).astype(np.int64)
        # Each resource's lowest-ranked served pair: least score per unit
        # asked (what the engine ranks a pot's needs by), then lowest need id.
        used = np.flatnonzero(x > 0)
        per_unit = scores.total[used] / problem.need_amount[ni[used]]
        order = used[np.lexsort((problem.need_id[ni[used]], per_unit, rj[used]))]
        self.lowest_served = np.full(problem.n_resources, -1, dtype=np.int64)
        pots, first = np.unique(rj[order], return_index=True)
        self.lowest_served[pots] = order[first]

    def explain(self, i: int, k: int, rank: int, edges: IntArray) -> Unmatched:
        """The reason of need ``i``, from its pair ``k`` that stopped at ``rank``."""
        problem = self.problem
        j = int(self.candidates.res_idx[k])
        nid, rid = int(problem.need_id[i]), int(problem.res_id[j])
        minimum = int(problem.res_min_award[j])
        if rank == _MIN:
            # The smallest minimum is the one to ask for.
            minimums = problem.res_min_award[self.candidates.res_idx[edges]]
            j = int(self.candidates.res_idx[edges[np.argmin(minimums)]])
            params = {"resource_id": int(problem.res_id[j]), "min_award": int(minimums.min())}
            return Unmatched(nid, "min_award", {**params, "amount": int(problem.need_amount[i])})
        if rank in (_SPENT, _LEFT):
            left = int(problem.res_capacity[j] if rank == _SPENT else self.left[j])
            code = "spent_before" if rank == _SPENT else "left_below_min"
            return Unmatched(nid, code, {"resource_id": rid, "left": left, "min_award": minimum})
        if rank == _THEME:
            return self.theme(i, edges)
        return Unmatched(nid, "zero_score" if rank == _ZERO else "not_chosen", {"resource_id": rid})

    def theme(self, i: int, edges: IntArray) -> Unmatched:
        problem = self.problem
        res = self.candidates.res_idx[edges]
        offered = np.bitwise_or.reduce(problem.res_themes[res], axis=0)
        distance = self.candidates.distance_m[edges]
        nearest = None if np.all(np.isnan(distance)) else float(np.nanmin(distance))
        return Unmatched(
            int(problem.need_id[i]),
            "theme",
            {
                "need_themes": _theme_names(problem, problem.need_themes[i]),
                "offered_themes": _theme_names(problem, offered),
                "distance_m": nearest,
            },
        )

    def outbid(self, pairs: list[tuple[int, int]]) -> dict[int, Unmatched]:
        """Compare each need ``i`` on its pair ``k`` with the lowest-ranked need
        that pair's pot served.

        The engine ranks needs on a pot by score per unit asked (it
        maximises score times the share of each need met); "deciding" lists
        the parts where the served need beat this one, weighted by the
        anchor's weights, largest first; or "amount" when this need scored
        at least as high but asked for more. Vectorised: at England scale
        tens of thousands of needs are outbid.
        """
        if not pairs:
            return {}
        problem, scores, candidates = self.problem, self.scores, self.candidates
        i, k = (np.array(c, dtype=np.int64) for c in zip(*pairs, strict=True))
        j = candidates.res_idx[k]
        s = self.lowest_served[j]
        si = candidates.need_idx[s]
        weights = problem.res_weights[j] / problem.res_weights[j].sum(axis=1, keepdims=True)
        lead = weights * (scores.parts[s] - scores.parts[k])
        rank = np.argsort(-lead, axis=1, kind="stable")
        by_size = (scores.total[k] >= scores.total[s]).tolist()
        columns = zip(
            problem.need_id[i].tolist(),
            problem.res_id[j].tolist(),
            scores.total[k].tolist(),
            scores.parts[k].tolist(),
            problem.need_amount[i].tolist(),
            problem.need_id[si].tolist(),
            scores.total[s].tolist(),
            scores.parts[s].tolist(),
            problem.need_amount[si].tolist(),
            rank.tolist(),
            lead.tolist(),
            by_size,
            strict=True,
        )
        out: dict[int, Unmatched] = {}
        for n, row in zip(i.tolist(), columns, strict=True):
            nid, rid, score, parts, amount, sid, sscore, sparts, samount, order, gain, size = row
            deciding = ["amount"] if size else [PART_NAMES[c] for c in order if gain[c] > 1e-9]
            out[n] = Unmatched(
                nid,
                "outbid",
                {
                    "resource_id": rid,
                    "score": score,
                    "parts": dict(zip(PART_NAMES, parts, strict=True)),
                    "amount": amount,
                    "served_need_id": sid,
                    "served_score": sscore,
                    "served_parts": dict(zip(PART_NAMES, sparts, strict=True)),
                    "served_amount": samount,
                    "deciding": deciding,
                },
            )
        return out


def _theme_names(problem: Problem, bits: NDArray[np.uint8]) -> list[str]:
    flags = np.unpackbits(bits, count=len(problem.themes)).astype(bool)
    return [problem.themes[t] for t in np.flatnonzero(flags).tolist()]
