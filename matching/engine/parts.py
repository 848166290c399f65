"""Splitting the allocation into independent parts, and merging parts again.

A part is one connected component of the bipartite graph of usable
candidate pairs (so one kind), self-contained: it can be solved on its own,
in any order, in another process (:mod:`matching.engine.runparts`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from itertools import pairwise
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_array
from scipy.sparse.csgraph import connected_components

from .floors import fences, problem_floor_edges
from .problem import Problem
from .scoring import blocks
from .types import (
    Candidates,
    EdgeAmounts,
    FloatArray,
    IntArray,
    LocalIndex,
    Part,
    Scores,
    int_type_below,
    readonly,
)


def usable_edges(problem: Problem, candidates: Candidates, scores: Scores) -> IntArray:
    """Candidate indices that can carry an award with a positive score.

    A pair is unusable when even the largest possible award (the request,
    the remaining capacity and the maximum award, whichever is least) is
    below the minimum award (or zero), or its score is zero (it would add
    nothing to the objective and waste a reviewer's time). In blocks of
    pairs, so that the temporaries stay small.
    """
    found = [np.empty(0, dtype=np.int64)]
    for block in blocks(len(candidates)):
        ub = edge_upper_bounds(problem, candidates, block)
        floor = np.maximum(problem.res_min_award[candidates.res_idx[block]], 1)
        found.append(block.start + np.flatnonzero((ub >= floor) & (scores.total[block] > 0.0)))
    return np.concatenate(found)


def edge_upper_bounds(
    problem: Problem, candidates: Candidates, pairs: slice | IntArray | None = None
) -> IntArray:
    """Largest amount each candidate pair (of ``pairs``; default all) could
    carry on its own (a need outside its pot's floor: at most the pot's
    capacity less the floor)."""
    if pairs is None:
        pairs = slice(None)
    ni, rj = candidates.need_idx[pairs], candidates.res_idx[pairs]
    ub = np.minimum(problem.need_amount[ni], problem.res_capacity[rj])
    cap = problem.res_max_award[rj]
    result: IntArray = np.where(cap > 0, np.minimum(ub, cap), ub)
    if problem.res_floor.any():
        fence = problem.res_capacity[rj] - problem.res_floor[rj]
        result = np.where(problem_floor_edges(problem, ni, rj), result, np.minimum(result, fence))
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
    n = problem.n_needs
    ni = candidates.need_idx[edges]
    labels = _components(n, problem.n_resources, ni, candidates.res_idx[edges])
    # Parts in order of their smallest need (candidates are sorted by need),
    # each part's edges in candidate order: one stable sort, after which
    # every part is a slice, and its arrays views of one array per column
    # (no part holds a copy; a column at England scale is 40 MB).
    edge_label = labels[ni]
    first_need = np.full(labels.shape[0], n, dtype=np.int64)
    np.minimum.at(first_need, edge_label, ni)
    del edge_label
    order = np.argsort(first_need[labels[ni]], kind="stable")
    del ni
    edges = edges[order]
    del order
    key = first_need[labels[candidates.need_idx[edges]]]
    bounds = np.append(np.flatnonzero(np.r_[True, key[1:] != key[:-1]]), edges.size)
    del key
    part_label = labels[candidates.need_idx[edges[bounds[:-1]]]].tolist()
    needs = _Members(labels[:n])
    resources = _Members(labels[n:])
    col = _columns(problem, candidates, scores, edges, (needs, resources))
    # Need and resource columns gathered once in label order, each part's
    # members a slice (views: per-part gathers were a third of a 1k split).
    need_idx, need_at = needs.members(part_label)
    res_idx, res_at = resources.members(part_label)
    need_col = {
        name: readonly(getattr(problem, name)[need_idx])
        for name in ("need_amount", "need_group", "need_kind")
    }
    res_capacity = problem.res_capacity[res_idx]
    res_col = {
        "res_capacity": readonly(res_capacity),
        "res_min_award": readonly(problem.res_min_award[res_idx]),
        "res_fence": readonly(res_capacity - problem.res_floor[res_idx]),
    }
    parts = []
    for pid, (s, t) in enumerate(pairwise(bounds.tolist())):
        ns, rs = need_at[pid], res_at[pid]
        parts.append(
            Part(
                part_id=pid,
                edge_idx=col.edge_idx[s:t],
                edge_need=col.edge_need[s:t],
                edge_res=col.edge_res[s:t],
                edge_ub=col.edge_ub[s:t],
                edge_value=col.edge_value[s:t],
                need_idx=need_idx[ns],
                need_amount=need_col["need_amount"][ns],
                need_group=need_col["need_group"][ns],
                need_kind=need_col["need_kind"][ns],
                res_idx=res_idx[rs],
                res_capacity=res_col["res_capacity"][rs],
                res_min_award=res_col["res_min_award"][rs],
                group_cap=problem.group_cap,
                group_kind_cap=problem.group_kind_cap,
                edge_fenced=None if col.edge_fenced is None else col.edge_fenced[s:t],
                res_fence=res_col["res_fence"][rs],
            )
        )
    return parts


class _Columns(NamedTuple):
    """The parts' edge columns, every part's edges one slice of each."""

    edge_idx: LocalIndex
    edge_need: LocalIndex
    edge_res: LocalIndex
    edge_ub: EdgeAmounts
    edge_value: FloatArray
    edge_fenced: NDArray[np.bool_] | None


def _columns(
    problem: Problem,
    candidates: Candidates,
    scores: Scores,
    edges: IntArray,
    members: tuple[_Members, _Members],
) -> _Columns:
    """The edge columns of the parts, for ``edges`` in parts order, numbered
    within their parts by ``members`` (needs, resources). Each pair-sized
    temporary is dropped as soon as the columns made from it are done."""
    ni, rj = candidates.need_idx[edges], candidates.res_idx[edges]
    size = edges.size
    # Without floors no edge is fenced: no column (a byte a pair).
    edge_fenced = (
        _blockwise(size, np.bool_, partial(_fenced, problem, ni, rj))
        if problem.res_floor.any()
        else None
    )
    edge_res = readonly(members[1].local[rj])
    del rj
    edge_value = _blockwise(size, np.float64, partial(_value, problem, scores, edges, ni))
    edge_need = readonly(members[0].local[ni])
    del ni
    # An edge's bound is at most its request: 32-bit when every request fits.
    amount = int_type_below(int(problem.need_amount.max(initial=0)))
    edge_ub = _blockwise(size, amount, partial(_upper, problem, candidates, edges))
    edge_idx: LocalIndex = edges.astype(int_type_below(len(candidates)), copy=False)
    readonly(edge_idx)
    return _Columns(edge_idx, edge_need, edge_res, edge_ub, edge_value, edge_fenced)


def _fenced(problem: Problem, ni: LocalIndex, rj: LocalIndex, b: slice) -> NDArray[np.bool_]:
    fenced: NDArray[np.bool_] = ~problem_floor_edges(problem, ni[b], rj[b])
    return fenced & (problem.res_floor[rj[b]] > 0)


def _value(
    problem: Problem, scores: Scores, edges: IntArray, ni: LocalIndex, b: slice
) -> FloatArray:
    value: FloatArray = scores.total[edges[b]] / problem.need_amount[ni[b]]
    return value


def _upper(problem: Problem, candidates: Candidates, edges: IntArray, b: slice) -> IntArray:
    return edge_upper_bounds(problem, candidates, edges[b])


def _components(n: int, m: int, ni: LocalIndex, rj: LocalIndex) -> IntArray:
    """Component label of each need (0..n-1) and resource (n..n+m-1) in the
    bipartite graph of pairs (ni, rj), ``ni`` sorted.

    The graph is built as CSR directly (rows: needs; 32-bit indices): a COO
    of 64-bit coordinates and its conversions took 70 bytes a pair.
    """
    indptr = np.zeros(n + m + 1, dtype=np.int64)
    indptr[1 : n + 1] = np.cumsum(np.bincount(ni, minlength=n))
    indptr[n + 1 :] = indptr[n]
    index_type = int_type_below(n + m)
    graph = csr_array(
        (np.ones(ni.size), (n + rj).astype(index_type), indptr.astype(index_type)),
        shape=(n + m,) * 2,
    )
    _, labels = connected_components(graph, directed=False)
    result: IntArray = labels
    return result


def _blockwise(size: int, dtype: type, fn: Callable[[slice], NDArray[Any]]) -> NDArray[Any]:
    """``fn`` of every block of ``range(size)``, joined (read-only)."""
    out: NDArray[Any] = np.empty(size, dtype=dtype)
    for block in blocks(size):
        out[block] = fn(block)
    return readonly(out)


class _Members:
    """Needs (or resources) by component label, numbered within each component.

    One sort for all parts: :meth:`members` gives every part's members at
    once, and ``local[i]`` is member ``i``'s position among its component's
    (a np.unique per part took 0.2 s for England's 964 parts).
    """

    def __init__(self, labels: IntArray) -> None:
        self.order = np.argsort(labels, kind="stable")
        self.sorted = labels[self.order]
        first = np.searchsorted(self.sorted, self.sorted, side="left")
        self.local: LocalIndex = np.empty(labels.shape[0], dtype=int_type_below(labels.shape[0]))
        self.local[self.order] = np.arange(labels.shape[0]) - first

    def members(self, labels: list[int]) -> tuple[IntArray, list[slice]]:
        """The members of components ``labels``, in label then index order
        (read-only), and where each component's are among them."""
        kept = np.isin(self.sorted, labels)
        key = self.sorted[kept]
        lo = np.searchsorted(key, labels, side="left").tolist()
        hi = np.searchsorted(key, labels, side="right").tolist()
        return readonly(self.order[kept]), [slice(a, b) for a, b in zip(lo, hi, strict=True)]


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
