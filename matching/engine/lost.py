"""Why a need some resource could serve got nothing: the reason of its pair
that went furthest, worked out from the run's outcome per pair and per pot
(:mod:`.unmatched` decides which pair; the codes are in :mod:`.reasons`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .floors import problem_floor_edges
from .problem import Problem
from .reasons import (
    _FLOOR,
    _LEFT,
    _MIN,
    _NOT_CHOSEN,
    _OUTBID,
    _SPENT,
    _THEME,
    _ZERO,
    Param,
    Unmatched,
)
from .scoring import pair_theme_counts
from .types import PART_NAMES, Candidates, IntArray, Scores


class LostPairs:
    """The run's outcome per pair and per resource, and the reason of one pair."""

    def __init__(self, problem: Problem, candidates: Candidates, scores: Scores, x: IntArray):
        self.problem, self.candidates, self.scores = problem, candidates, scores
        ni, rj = candidates.need_idx, candidates.res_idx
        minimum = problem.res_min_award[rj]
        floor = np.maximum(minimum, 1)
        given = np.bincount(rj, weights=x, minlength=problem.n_resources).astype(np.int64)
        self.left: IntArray = problem.res_capacity - given
        need_count, res_count, shared = pair_theme_counts(problem, candidates)
        # Pairs outside their pot's floor, and each pot's open share (what
        # they may take together) and what the run gave them of it.
        self.outside_floor = (problem.res_floor[rj] > 0) & ~problem_floor_edges(problem, ni, rj)
        self.open_share: IntArray = problem.res_capacity - problem.res_floor
        self.open_used: IntArray = np.bincount(
            rj[self.outside_floor], weights=x[self.outside_floor], minlength=problem.n_resources
        ).astype(np.int64)
        self.stage: IntArray = np.select(
            [
                problem.need_amount[ni] < minimum,
                problem.res_capacity[rj] < floor,
                (need_count > 0) & (res_count > 0) & (shared == 0),
                scores.total <= 0.0,
                # The fence held: before "outbid", which it explains better
                # (the rest went to the floor's needs, or is kept for them).
                self.outside_floor & (self.open_used[rj] >= self.open_share[rj]),
                self.left[rj] == 0,
                self.left[rj] < floor,
            ],
            [_MIN, _SPENT, _THEME, _ZERO, _FLOOR, _OUTBID, _LEFT],
            default=_NOT_CHOSEN,
        ).astype(np.int64)
        used = np.flatnonzero(x > 0)
        self.lowest_served = self._lowest(used)
        # Of the pairs that took a pot's open share, the lowest-ranked.
        self.lowest_open = self._lowest(used[self.outside_floor[used]])

    def _lowest(self, used: IntArray) -> IntArray:
        """Each resource's lowest-ranked pair of ``used`` (-1: none): least
        score per unit asked (what the engine ranks a pot's needs by), then
        lowest need id."""
        problem, ni, rj = self.problem, self.candidates.need_idx, self.candidates.res_idx
        per_unit = self.scores.total[used] / problem.need_amount[ni[used]]
        order = used[np.lexsort((problem.need_id[ni[used]], per_unit, rj[used]))]
        lowest = np.full(problem.n_resources, -1, dtype=np.int64)
        pots, first = np.unique(rj[order], return_index=True)
        lowest[pots] = order[first]
        return lowest

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

    def fenced(self, pairs: list[tuple[int, int]]) -> dict[int, Unmatched]:
        """``floor``: compared as ``outbid``, with the lowest-ranked need of the
        pot's open share; and the pot's ``floor``, ``open`` and ``left``."""
        problem, res_idx = self.problem, self.candidates.res_idx
        # A floor of the whole pot leaves no open share and no need to compare.
        compared = [(i, k) for i, k in pairs if self.lowest_open[res_idx[k]] >= 0]
        out = self.outbid(compared, lowest=self.lowest_open, code="floor")
        for i, k in pairs:
            j = int(res_idx[k])
            params: dict[str, Param] = (
                dict(out[i].params) if i in out else {"resource_id": int(problem.res_id[j])}
            )
            params.update(
                floor=int(problem.res_floor[j]),
                open=int(self.open_share[j]),
                left=int(self.left[j]),
            )
            out[i] = Unmatched(int(problem.need_id[i]), "floor", params)
        return out

    def outbid(
        self,
        pairs: list[tuple[int, int]],
        *,
        lowest: IntArray | None = None,
        code: str = "outbid",
    ) -> dict[int, Unmatched]:
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
        s = (self.lowest_served if lowest is None else lowest)[j]
        si = candidates.need_idx[s]
        weights = problem.res_weights[j] / problem.res_weights[j].sum(axis=1, keepdims=True)
        parts_k, parts_s = scores.rows(k), scores.rows(s)
        lead = weights * (parts_s - parts_k)
        rank = np.argsort(-lead, axis=1, kind="stable")
        by_size = (scores.total[k] >= scores.total[s]).tolist()
        columns = zip(
            problem.need_id[i].tolist(),
            problem.res_id[j].tolist(),
            scores.total[k].tolist(),
            parts_k.tolist(),
            problem.need_amount[i].tolist(),
            problem.need_id[si].tolist(),
            scores.total[s].tolist(),
            parts_s.tolist(),
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
                code,
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
