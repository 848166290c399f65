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
   lowest-ranked need it served is compared with this one); ``floor``
   (the need is outside the pot's fair-share floor, :mod:`.floors`, and the
   fence's flow shows the share open to it all given to needs that ranked
   higher: compared likewise); ``left_below_min`` (the pot has something
   left, below its minimum award); ``group_cap`` (the group already has as
   many needs served as a run allows); ``not_chosen`` (the pot had room:
   only the time limit or solver tolerance explains it).

The need's reason is that of its pair that got furthest (the *nearest*
reason: the one closest to being matched), so "out of reach" is never said
of a need that some resource reaches. :data:`REASONS` is in that order and a
reason's index is its rank.

The codes and :class:`Unmatched` are in :mod:`.reasons`; needs no resource
reaches are explained by :mod:`.reach`, the others by :mod:`.lost`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .lost import LostPairs
from .problem import Problem
from .reach import out_of_reach
from .reasons import _FLOOR, _OUTBID, RANK, REASONS, Param, Unmatched
from .types import KINDS, Allocation, Candidates, FloatArray, IntArray, LocalIndex, Scores

__all__ = ["RANK", "REASONS", "Param", "Unmatched", "unmatched_explain"]


def unmatched_explain(
    problem: Problem,
    candidates: Candidates,
    scores: Scores,
    allocation: Allocation,
    *,
    reach_margin_m: float | None = None,
) -> list[Unmatched]:
    """The nearest reason for every need the allocation gives nothing.

    Parameters
    ----------
    problem, candidates, scores
        The run's stages, as the allocation was made from them.
    allocation : Allocation
    reach_margin_m : float, optional
        Leave out needs no resource reaches unless an offer of their kind
        misses them by at most this many metres (:mod:`.reach`): a run of
        one anchor among many, which would otherwise explain every need of
        the country. None: every need.

    Returns
    -------
    list of Unmatched
        In need-id order (every unmatched need, less those left out by
        ``reach_margin_m``). Parameters by reason: ``no_offer``: ``kind``;
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
        at least as high but asked more for it); ``floor``: as ``outbid``,
        compared with the lowest-ranked need served from the pot's open
        share (none if the floor is the whole pot), and ``floor``, ``open``,
        ``left``: the share kept this run, the share open to all (spent),
        what is left (kept); ``left_below_min``:
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
    run = LostPairs(problem, candidates, scores, x)
    best_pair, best = _furthest_pairs(problem.n_needs, ni, run.stage, scores.total)
    found = {
        i: Unmatched(int(problem.need_id[i]), code, params)
        for i, (code, params) in out_of_reach(
            problem, np.flatnonzero(~served & (best < 0)), margin_m=reach_margin_m
        ).items()
    }
    found.update(
        _lost(problem, run, np.flatnonzero(~served & (best >= 0)), best_pair, best, served)
    )
    return [found[i] for i in sorted(found)]


def _lost(
    problem: Problem,
    run: LostPairs,
    needs: IntArray,
    best_pair: IntArray,
    best: IntArray,
    served: NDArray[np.bool_],
) -> dict[int, Unmatched]:
    """The reasons of ``needs``, which some resource could serve, from the
    pair of each that went furthest (``best_pair``, at stage ``best``)."""
    ni = run.candidates.need_idx
    capped = _groups_at_cap(problem, served)
    # Candidates are sorted by need: each need's pairs are one slice.
    first = np.searchsorted(ni, np.arange(problem.n_needs), side="left")
    last = np.searchsorted(ni, np.arange(problem.n_needs), side="right")
    found: dict[int, Unmatched] = {}
    outbid: list[tuple[int, int]] = []
    fenced: list[tuple[int, int]] = []
    for i in needs.tolist():
        at_cap, rank, k = capped[i], int(best[i]), int(best_pair[i])
        if rank >= _OUTBID and at_cap is not None:
            cap, per_kind = at_cap
            found[i] = Unmatched(
                int(problem.need_id[i]), "group_cap", {"cap": cap, "per_kind": per_kind}
            )
        elif rank == _OUTBID:
            outbid.append((i, k))  # explained together below: they are the many
        elif rank == _FLOOR:
            fenced.append((i, k))
        else:
            pairs = np.arange(first[i], last[i])
            found[i] = run.explain(i, k, rank, pairs[run.stage[pairs] == rank])
    found.update(run.outbid(outbid))
    found.update(run.fenced(fenced))
    return found


def _furthest_pairs(
    n_needs: int, ni: LocalIndex, stage: IntArray, total: FloatArray
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
