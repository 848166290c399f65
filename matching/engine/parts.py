"""Splitting the allocation into independent parts, and merging parts again.

A part is one connected component of the bipartite graph of usable
candidate pairs (so one kind), self-contained: it can be solved on its own,
in any order, in another process (:mod:`matching.engine.partsolve`).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components

from .floors import fences, problem_floor_edges
from .problem import Problem
from .types import Candidates, IntArray, Part, Scores, readonly


def usable_edges(problem: Problem, candidates: Candidates, scores: Scores) -> IntArray:
    """Candidate indices that can carry an award with a positive score.

    A pair is unusable when even the largest possible award (the request,
    the remaining capacity and the maximum award, whichever is least) is
    below the minimum award (or zero), or its score is zero (it would add
    nothing to the objective and waste a reviewer's time).
    """
    ub = edge_upper_bounds(problem, candidates)
    floor = np.maximum(problem.res_min_award[candidates.res_idx], 1)
    return np.flatnonzero((ub >= floor) & (scores.total > 0.0))


def edge_upper_bounds(problem: Problem, candidates: Candidates) -> IntArray:
    """Largest amount each candidate pair could carry on its own (a need
    outside its pot's floor: at most the pot's capacity less the floor)."""
    ni, rj = candidates.need_idx, candidates.res_idx
    ub = np.minimum(problem.need_amount[ni], problem.res_capacity[rj])
    cap = problem.res_max_award[rj]
    result: IntArray = np.where(cap > 0, np.minimum(ub, cap), ub)
    if problem.res_floor.any():
        fence = problem.res_capacity[rj] - problem.res_floor[rj]
        result = np.where(floor_mask(problem, candidates), result, np.minimum(result, fence))
    return result


def floor_mask(problem: Problem, candidates: Candidates) -> NDArray[np.bool_]:
    """Whether each candidate pair's need counts towards its pot's floor."""
    return problem_floor_edges(problem, candidates.need_idx, candidates.res_idx)


def split_problem(problem: Problem, candidates: Candidates, scores: Scores) -> list[Part]:
    """Split the allocation into independent parts (connected components).

    Parameters
    ----------
    problem, candidates, scores
        From the earlier stages.

    Returns
    -------
    list of Part
        Ordered by the smallest need index they contain; each holds the
        usable edges of one component and can be solved on its own with
        :func:`solve_part` (group caps spanning parts are reconciled by
        :func:`solve`).
    """
    edges = usable_edges(problem, candidates, scores)
    if edges.size == 0:
        return []
    n, m = problem.n_needs, problem.n_resources
    ni = candidates.need_idx[edges]
    rj = candidates.res_idx[edges]
    graph = coo_array((np.ones(edges.size, dtype=np.int8), (ni, n + rj)), shape=(n + m,) * 2)
    _, labels = connected_components(graph.tocsr(), directed=False)
    edge_label = labels[ni]
    order = np.argsort(edge_label, kind="stable")
    _, starts = np.unique(edge_label[order], return_index=True)
    bounds = np.append(starts, edges.size)
    ub = edge_upper_bounds(problem, candidates)
    value = scores.total / problem.need_amount[candidates.need_idx]
    fenced = ~floor_mask(problem, candidates) & (problem.res_floor[candidates.res_idx] > 0)
    needs = _Members(labels[:n])
    resources = _Members(labels[n:])

    chunks = [order[s:t] for s, t in pairwise(bounds)]
    chunks.sort(key=lambda c: int(ni[c[0]]))
    parts = []
    for pid, chunk in enumerate(chunks):
        label = int(edge_label[chunk[0]])
        need_idx, res_idx = needs.of(label), resources.of(label)
        part_edges = edges[chunk]
        parts.append(
            Part(
                part_id=pid,
                edge_idx=readonly(part_edges),
                edge_need=readonly(needs.local[ni[chunk]]),
                edge_res=readonly(resources.local[rj[chunk]]),
                edge_ub=readonly(ub[part_edges]),
                edge_value=readonly(value[part_edges]),
                need_idx=readonly(need_idx),
                need_amount=readonly(problem.need_amount[need_idx]),
                need_group=readonly(problem.need_group[need_idx]),
                need_kind=readonly(problem.need_kind[need_idx]),
                res_idx=readonly(res_idx),
                res_capacity=readonly(problem.res_capacity[res_idx]),
                res_min_award=readonly(problem.res_min_award[res_idx]),
                group_cap=problem.group_cap,
                group_kind_cap=problem.group_kind_cap,
                edge_fenced=readonly(fenced[part_edges]),
                res_fence=readonly(problem.res_capacity[res_idx] - problem.res_floor[res_idx]),
            )
        )
    return parts


class _Members:
    """Needs (or resources) by component label, numbered within each component.

    One sort for all parts: ``of(label)`` are the members of a component in
    index order, and ``local[i]`` is member ``i``'s position among them
    (a np.unique per part took 0.2 s for England's 964 parts).
    """

    def __init__(self, labels: IntArray) -> None:
        self.order = np.argsort(labels, kind="stable")
        self.sorted = labels[self.order]
        first = np.searchsorted(self.sorted, self.sorted, side="left")
        self.local = np.empty(labels.shape[0], dtype=np.int64)
        self.local[self.order] = np.arange(labels.shape[0]) - first

    def of(self, label: int) -> IntArray:
        lo, hi = np.searchsorted(self.sorted, [label, label + 1])
        members: IntArray = self.order[lo:hi]
        return members


def merge_parts(parts: Sequence[Part], part_id: int) -> Part:
    """One part made of several (whose needs and resources are disjoint)."""
    need_off = np.cumsum([0] + [p.need_idx.shape[0] for p in parts])
    res_off = np.cumsum([0] + [p.res_idx.shape[0] for p in parts])

    def cat(name: str) -> Any:
        out: NDArray[Any] = np.concatenate([getattr(p, name) for p in parts])
        return readonly(out)

    return Part(
        part_id=part_id,
        edge_idx=cat("edge_idx"),
        edge_need=readonly(
            np.concatenate([p.edge_need + o for p, o in zip(parts, need_off, strict=False)])
        ),
        edge_res=readonly(
            np.concatenate([p.edge_res + o for p, o in zip(parts, res_off, strict=False)])
        ),
        edge_ub=cat("edge_ub"),
        edge_value=cat("edge_value"),
        need_idx=cat("need_idx"),
        need_amount=cat("need_amount"),
        need_group=cat("need_group"),
        need_kind=cat("need_kind"),
        res_idx=cat("res_idx"),
        res_capacity=cat("res_capacity"),
        res_min_award=cat("res_min_award"),
        group_cap=parts[0].group_cap,
        group_kind_cap=parts[0].group_kind_cap,
        edge_fenced=readonly(np.concatenate([fences(p)[0] for p in parts])),
        res_fence=readonly(np.concatenate([fences(p)[1] for p in parts])),
    )
