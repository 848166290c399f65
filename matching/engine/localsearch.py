"""Better incumbents for a refined part: one MILP of what its relaxation
and its incumbent dispute (:func:`relaxation_induced`), and, on a large
part, neighbourhoods of a few dozen pots at a time.

On a large part (tens of thousands of edges and more) the MILP rounds of
:mod:`matching.engine.rounds` stall: their incumbent models hold only the
edges some bound used, with a binary only where a minimum award was broken.
A *neighbourhood* frees the awards of a few dozen pots near each other,
keeps every other award as it is, and solves that as one MILP with a binary
on each free edge of a pot with a minimum award: every award of theirs may
move, to any of the edges the flow or the incumbent uses or that are among
each need's :data:`BEST_EDGES` best. Each solution of it is feasible for
the part (the kept awards are fixed, the caps count the whole part's needs).

Pots are taken where the incumbent loses most against the part's flow
optimum (the flow relaxes the minimums and caps), with the pots that share
needs with them, until a neighbourhood has :data:`NEIGHBOURHOOD_EDGES` free
edges. A sweep frees every pot that loses value once; the search stops when
a sweep finds nothing better, or at its deadline.

Measured on the second generator's £500 + caps instance at 100,000 x 5,000
(tests/bench/townworld.py), on its part of 46,521 edges, 20 s of
refinement: the MILP rounds alone reached 1,764.19 (and no more in 30 s);
one round, then neighbourhoods, 1,764.31. The whole run's summed gap after
120 s fell from 7.0 (7.2 the day before) to 5.95; its budget, 1e-4 of the
total, is 3.96. With :func:`relaxation_induced` first, 4.03 (the first
passes' 18.5, refined for 120 s).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .flow import edge_subset
from .milp import solve_milp
from .potentials import best_per_key
from .rules import capped_needs, caps_kept_by
from .types import FloatArray, IntArray, Part

#: Free edges in one neighbourhood: its MILP (a binary on most of them) is
#: solved in a second or two. On the part of 46,521 edges above, 8 s of
#: neighbourhoods reached 1,764.31 with 1,500, 1,764.23 with 800 and
#: 1,763.88 with 3,000 (one MILP then took up to 7 s). Whole models of the
#: candidate edges reached 1,764.5 in 5 s there, but nothing at all on
#: parts of 107,457 and 566,309 edges in 5 and 10 s.
NEIGHBOURHOOD_EDGES = 1_500
#: Each need's best edges (by value) a neighbourhood may give to, besides
#: those the flow or the incumbent use.
BEST_EDGES = 2
#: Branch-and-bound nodes of one neighbourhood's MILP: a node limit, not a
#: time limit, so a search that ends on a sweep without gain (not on its
#: deadline) does the same work on any machine. Most of a neighbourhood's
#: time is HiGHS's root (its cuts and heuristics): on the part above, 30 and
#: 100 nodes reached 1,764.3079 and 500 nodes 1,764.3069.
NEIGHBOURHOOD_NODES = 100
#: Relative gap of one neighbourhood's MILP: its objective is the whole
#: part's (the kept awards count too), and a neighbourhood gains hundredths.
NEIGHBOURHOOD_GAP = 1e-7
#: Branch-and-bound nodes of :func:`relaxation_induced`'s MILP: its root
#: alone (cuts, and HiGHS's own sub-MILP heuristics) finds what more nodes
#: find. On the four largest gaps of the £500 instance above (parts of
#: 46,521 to 566,309 edges), 1 node and 100 gave the same incumbents.
RELAXATION_NODES = 1
#: Relative gap of that MILP: it stops once within 1e-5 of its model's own
#: optimum (hundredths of a part's value, where it gains units). At 1e-7 the
#: part of 46,521 edges took 3.7 s for 1,764.020; at 1e-5, 0.75 s for 1,764.015.
RELAXATION_GAP = 1e-5


def neighbourhood_search(
    part: Part,
    flow: IntArray,
    best: Callable[[], IntArray],
    *,
    time_limit: Callable[[], float | None],
    late: Callable[[], bool],
) -> Iterator[IntArray]:
    """Solutions of neighbourhood MILPs around the incumbent ``best()``.

    The caller keeps those that are better (``best()`` then returns them);
    each is feasible for the part but may leave pots' capacity unspent. The
    search ends when a sweep of every losing pot finds nothing better, or
    when ``late()``; ``time_limit()`` is what one MILP may still take.
    """
    candidates = candidate_edges(part, flow, best())
    covered = np.zeros(part.res_capacity.shape[0], dtype=bool)
    at_sweep = float(part.edge_value @ best())
    while not late():
        x = best()
        candidates |= x > 0
        loss = pot_losses(part, flow, x)
        open_ = (loss > 0) & ~covered
        if not open_.any():
            value = float(part.edge_value @ x)
            if value <= at_sweep:
                return
            covered[:] = False
            at_sweep = value
            continue
        seed = int(np.argmax(np.where(open_, loss, -np.inf)))
        pots = pots_around(part, np.flatnonzero(candidates), loss, seed)
        covered |= pots
        found = solve_neighbourhood(part, x, candidates & pots[part.edge_res], time_limit())
        if found is not None:
            yield found


def relaxation_induced(
    part: Part, relaxed: IntArray, x: IntArray, time_limit: float | None
) -> IntArray | None:
    """The best solution that keeps each minimum-award choice where
    ``relaxed`` and ``x`` agree (a RINS model, Danna et al. 2005).

    ``relaxed`` is the part's flow with the capped needs ``x`` leaves out
    closed (it relaxes only the minimums), ``x`` a feasible solution. The
    MILP holds the edges either uses: an edge of a pot with a minimum that
    both give at least it keeps at least it, one only one of them uses gets
    a binary, and every other edge is closed; the caps hold because only
    the needs ``x`` serves or no cap counts are open. Where the dive
    (:mod:`matching.engine.heuristics`) closes or raises the awards below a
    minimum one flow at a time, this chooses them together. Measured on
    the £500 instance above, first passes to this: 1,761.92 to 1,764.02
    (46,521 edges, 0.75 s; bound 1,764.98), 1,141.30 to 1,142.66 (53,773,
    0.34 s), 1,976.84 to 1,978.44 (107,457, 0.67 s), 2,820.21 to 2,822.92
    (566,309 edges, 512 binaries, 8.4 s). None if HiGHS returned nothing.
    """
    minimum = part.res_min_award[part.edge_res]
    has_min = minimum > 0
    model = ((relaxed > 0) | (x > 0)) & caps_kept_by(part, x)
    on = has_min & (relaxed >= minimum) & (x >= minimum)
    sub = edge_subset(part, model)
    on_sub = on[model]
    return _milp_on(
        part,
        model,
        sub,
        y_edges=np.flatnonzero(has_min[model] & ~on_sub),
        z_needs=np.empty(0, dtype=np.int64),
        time_limit=time_limit,
        mip_rel_gap=RELAXATION_GAP,
        start=x[model],
        x_lower=np.where(on_sub, minimum[model], 0),
        max_nodes=RELAXATION_NODES,
    )


def _milp_on(part: Part, keep: NDArray[np.bool_], sub: Part, **milp: Any) -> IntArray | None:
    """:func:`~matching.engine.milp.solve_milp` on ``sub`` (``part``'s
    ``keep`` edges, as ``edge_subset`` gives them), its amounts on every
    edge of ``part``; None if HiGHS returned nothing."""
    found, _, _ = solve_milp(sub, **milp)
    if found is None:
        return None
    out = np.zeros(part.n_edges, dtype=np.int64)
    out[keep] = found
    return out


def candidate_edges(part: Part, flow: IntArray, x: IntArray) -> NDArray[np.bool_]:
    """Edges a neighbourhood may use: the flow's, ``x``'s, and each need's
    :data:`BEST_EDGES` best by value."""
    out = (flow > 0) | (x > 0)
    out[best_per_key(part.edge_need, -part.edge_value, BEST_EDGES)] = True
    return out


def pot_losses(part: Part, flow: IntArray, x: IntArray) -> FloatArray:
    """What the flow's awards from each pot are worth more than ``x``'s."""
    n_res = part.res_capacity.shape[0]
    gain = part.edge_value * (flow - x).astype(np.float64)
    return np.bincount(part.edge_res, weights=gain, minlength=n_res).astype(np.float64)


def pots_around(
    part: Part, edges: IntArray, loss: FloatArray, seed: int, size: int = NEIGHBOURHOOD_EDGES
) -> NDArray[np.bool_]:
    """Pots near ``seed`` (sharing a need on ``edges``, breadth first, the
    most losing first) until their ``edges`` number at least ``size``."""
    res, need = part.edge_res[edges], part.edge_need[edges]
    n_res = part.res_capacity.shape[0]
    counts = np.bincount(res, minlength=n_res)
    pots = np.zeros(n_res, dtype=bool)
    queue = [seed]
    held = 0
    while queue and held < size:
        r = queue.pop(0)
        if pots[r]:
            continue
        pots[r] = True
        held += int(counts[r])
        near = np.unique(res[np.isin(need, need[res == r])])
        near = near[~pots[near]]
        queue.extend(near[np.argsort(-loss[near], kind="stable")].tolist())
    return pots


def solve_neighbourhood(
    part: Part, x: IntArray, free: NDArray[np.bool_], time_limit: float | None
) -> IntArray | None:
    """The best solution that keeps ``x``'s awards off the ``free`` edges.

    A MILP of the free edges and ``x``'s other awards, fixed; a binary on
    each free edge of a pot with a minimum, and on every capped need (the
    caps count the kept awards' needs too). Started from ``x``. None if
    HiGHS returned nothing.
    """
    kept = (x > 0) & ~free
    keep = free | kept
    sub = edge_subset(part, keep)
    fixed = kept[keep]
    xk = x[keep]
    sub = replace(sub, edge_ub=np.where(fixed, xk, sub.edge_ub).astype(sub.edge_ub.dtype))
    return _milp_on(
        part,
        keep,
        sub,
        y_edges=np.flatnonzero((sub.res_min_award[sub.edge_res] > 0) & ~fixed),
        z_needs=np.flatnonzero(capped_needs(sub)),
        time_limit=time_limit,
        mip_rel_gap=NEIGHBOURHOOD_GAP,
        start=xk,
        x_lower=np.where(fixed, xk, 0),
        max_nodes=NEIGHBOURHOOD_NODES,
    )
