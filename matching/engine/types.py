"""Value types of the matching engine: inputs, intermediate arrays and results.

Everything here is a frozen dataclass. Arrays held by these objects are made
read-only when the engine creates them, so a result can be shared between
stages (and threads) without defensive copies.

Units: amounts are integers in the unit of their kind (see :data:`KIND_UNITS`);
coordinates are WGS 84 degrees (EPSG:4326); distances are metres on a sphere
of the mean Earth radius.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, TypeVar

import numpy as np
from numpy.typing import NDArray

#: The six kinds of backing, in a fixed order (their index is the kind code).
KINDS: Final[tuple[str, ...]] = (
    "profile",
    "time",
    "seed_funding",
    "space",
    "connections",
    "expertise",
)

#: The unit of an amount of each kind. Amounts are always integers.
KIND_UNITS: Final[Mapping[str, str]] = {
    "profile": "features",
    "time": "hours a month",
    "seed_funding": "pence",
    "space": "sessions a month",
    "connections": "introductions",
    "expertise": "sessions",
}

#: Names of the score parts, in the column order used everywhere.
PART_NAMES: Final[tuple[str, ...]] = ("theme_fit", "proximity", "equity", "newness", "value")

if TYPE_CHECKING:
    from .floors import FloorOutcome

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
#: Positions within a part (:attr:`Part.edge_need`, :attr:`Part.edge_res`)
#: and of its edges among the candidates (:attr:`Part.edge_idx`): 32-bit
#: where they fit, which halves three of a part's five edge columns.
LocalIndex = NDArray[np.int32 | np.int64]
#: Amounts held per edge (:attr:`Part.edge_ub`): 32-bit where every
#: request fits (an edge's bound is at most its need's request).
EdgeAmounts = NDArray[np.int32 | np.int64]


@dataclass(frozen=True, slots=True)
class Need:
    """What backing would help one activity of a community group.

    Attributes
    ----------
    id, group_id : int
        The need and the group it belongs to (group caps count per group).
    kind : str
        One of :data:`KINDS`.
    amount : int
        Requested amount, > 0, in the kind's unit (pence for seed funding).
    lat, lon : float
        Where the activity happens, EPSG:4326 degrees.
    themes : frozenset of str
        Theme slugs of the activity (``"loneliness"``, ``"food"``, ...).
    imd_decile : int or None
        IMD decile of the neighbourhood, 1 (most deprived) to 10. ``None``
        (unknown) scores as the neutral 5.5.
    months_since_backed : int or None
        ``None`` if no anchor has ever backed the group (it weighs most);
        otherwise whole months since its most recent backing ended or began
        (0 = backed this month, weighs least).
    people_reached : int
        People the activity reaches a month, >= 0.
    neighbourhood : str or None
        Neighbourhood code (LSOA or ward) of the activity; needed to match
        resources whose eligible area is a list of neighbourhoods.
    """

    id: int
    group_id: int
    kind: str
    amount: int
    lat: float
    lon: float
    themes: frozenset[str] = frozenset()
    imd_decile: int | None = None
    months_since_backed: int | None = None
    people_reached: int = 0
    neighbourhood: str | None = None


@dataclass(frozen=True, slots=True)
class Resource:
    """What an anchor offers, with its *remaining* capacity.

    The caller subtracts approved and active matches from the capacity before
    a run: the engine only proposes within what is left.

    The eligible area is either a radius in metres around ``(lat, lon)``
    (``radius_m`` set) or a set of neighbourhood codes (``neighbourhoods``
    set); exactly one of the two.

    Attributes
    ----------
    id, anchor_id : int
        The resource and the anchor that owns it (weights are per anchor).
    kind : str
        One of :data:`KINDS`.
    capacity : int
        Remaining capacity, >= 0, in the kind's unit.
    min_award, max_award : int
        Limits on the amount given to one need. ``min_award`` 0 means no
        minimum; ``max_award`` ``None`` or 0 means no maximum.
    themes : frozenset of str
        Themes of interest; empty means open to every theme.
    lat, lon, radius_m : float or None
        Centre (EPSG:4326 degrees) and radius (metres) of a radius area.
    neighbourhoods : frozenset of str or None
        Neighbourhood codes of a neighbourhood-list area.
    floor : int
        Fair-share floor, 0 to ``capacity``: the amount kept for needs in
        IMD deciles 1 to ``floor_max_decile`` (or, if given, in
        ``floor_neighbourhoods``); other needs may take only the rest.
    """

    id: int
    anchor_id: int
    kind: str
    capacity: int
    min_award: int = 0
    max_award: int | None = None
    themes: frozenset[str] = frozenset()
    lat: float | None = None
    lon: float | None = None
    radius_m: float | None = None
    neighbourhoods: frozenset[str] | None = None
    floor: int = 0
    floor_max_decile: int = 2
    floor_neighbourhoods: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class Weights:
    """How much each score part counts for one anchor (all >= 0, not all 0).

    The total score is the weighted *mean* of the parts, so it stays in
    [0, 1] and anchors with differently scaled weights compete fairly.
    """

    theme_fit: float = 0.30
    proximity: float = 0.15
    equity: float = 0.25
    newness: float = 0.15
    value: float = 0.15

    def as_tuple(self) -> tuple[float, float, float, float, float]:
        """The weights in :data:`PART_NAMES` order."""
        return (self.theme_fit, self.proximity, self.equity, self.newness, self.value)


@dataclass(frozen=True, eq=False)
class Candidates:
    """Eligible (need, resource) pairs: same kind, need inside the area.

    ``need_idx`` and ``res_idx`` index the :class:`~matching.engine.problem.Problem`
    arrays; ``distance_m`` is the great-circle distance in metres (NaN for a
    neighbourhood-list resource without a point). Sorted by (need, resource).
    """

    need_idx: LocalIndex
    res_idx: LocalIndex
    distance_m: FloatArray

    def __len__(self) -> int:
        return int(self.need_idx.shape[0])


@dataclass(frozen=True, eq=False)
class Scores:
    """Score of every candidate pair: the total, and its named parts on demand.

    ``total`` is the anchor-weighted mean of the parts, in [0, 1], for every
    pair. The parts, one column per name in :data:`PART_NAMES`, each in
    [0, 1], are computed for the pairs asked for (:meth:`rows`): a run needs
    them only for its proposals and the pairs it explains.
    """

    total: FloatArray
    rows_of: Callable[[IntArray], NDArray[np.float64]] = field(repr=False)

    def rows(self, pairs: IntArray) -> NDArray[np.float64]:
        """The parts of candidate pairs ``pairs``, shape (len(pairs), 5)."""
        return self.rows_of(np.asarray(pairs, dtype=np.int64))

    @property
    def parts(self) -> NDArray[np.float64]:
        """The parts of every pair (computed on each access: prefer :meth:`rows`)."""
        return self.rows(np.arange(self.total.shape[0]))

    def part(self, name: str) -> FloatArray:
        """One part of every pair as a 1-D array."""
        return self.parts[:, PART_NAMES.index(name)]


@dataclass(frozen=True, eq=False)
class Part:
    """An independent piece of the allocation problem, self-contained.

    Built by :func:`~matching.engine.allocate.split_problem`: one connected
    component of the bipartite candidate graph (so a single kind), with only
    the usable edges. It holds everything :func:`~matching.engine.allocate.solve_part`
    needs, so it can be pickled and solved in another process.

    Local indices: ``edge_need`` indexes ``need_*``, ``edge_res`` indexes
    ``res_*``. ``edge_idx``, ``need_idx`` and ``res_idx`` map back to the
    candidate and problem arrays.
    """

    part_id: int
    edge_idx: LocalIndex
    edge_need: LocalIndex
    edge_res: LocalIndex
    edge_ub: EdgeAmounts
    edge_value: FloatArray
    need_idx: IntArray
    need_amount: IntArray
    need_group: IntArray
    need_kind: IntArray
    res_idx: IntArray
    res_capacity: IntArray
    res_min_award: IntArray
    group_cap: int | None
    group_kind_cap: int | None
    #: Fair-share floors (:mod:`matching.engine.floors`): edges whose need is
    #: outside their pot's floor, and the most such edges of each pot may
    #: carry together (``capacity - floor``). None: no floors.
    edge_fenced: NDArray[np.bool_] | None = None
    res_fence: IntArray | None = None

    @property
    def n_edges(self) -> int:
        return int(self.edge_idx.shape[0])


@dataclass(frozen=True, eq=False)
class PartSolution:
    """The optimum of one :class:`Part`.

    ``amount[k]`` is allocated on edge ``part.edge_idx[k]``. ``bound`` is the
    min-cost-flow relaxation's objective (no minimum awards, no group caps),
    an upper bound; ``objective == bound`` when the flow was already feasible.
    ``upper`` is the best proven upper bound (between ``objective`` and
    ``bound``); ``optimal`` says ``objective`` is within the ``mip_rel_gap``
    the part was solved with of ``upper`` (False if the time limit struck
    first). ``seconds`` is the whole solve, ``flow_seconds`` the min-cost
    flow within it.
    """

    part_id: int
    edge_idx: LocalIndex
    amount: IntArray
    method: str
    objective: float
    bound: float
    optimal: bool
    seconds: float
    flow_seconds: float = 0.0
    upper: float = float("nan")
    #: The part's flow optimum where it breaks a rule, kept for
    #: :func:`~matching.engine.partsolve.refine`: the positions (in the part)
    #: of its nonzero amounts, and those amounts.
    flow: tuple[IntArray, IntArray] | None = None


@dataclass(frozen=True, slots=True)
class Proposal:
    """One proposed match, explained for a human reviewer."""

    need_id: int
    resource_id: int
    amount: int
    score: float
    parts: Mapping[str, float]
    distance_m: float
    binding: str


@dataclass(frozen=True, eq=False)
class Allocation:
    """Proposed matches and why, plus run statistics.

    Proposal arrays are aligned and sorted by (need_id, resource_id).
    ``binding[k]`` names the constraint that stopped proposal ``k`` growing.
    ``unmatched_need_id`` lists every need that received nothing, with a
    plain-English ``unmatched_reason``.

    The objective is ``sum(score * amount / need amount)``: each need counts
    equally, by the fraction of it that is met times the pair's score.
    ``bound`` is the flow relaxation's objective (>= any feasible objective,
    up to solver tolerance; :attr:`gap` is measured against it). ``upper``
    is the best proven upper bound (the flow bound tightened by the MILPs'
    bounds; :attr:`proven_gap`); ``optimal`` says the objective is proven
    within the run's ``mip_rel_gap`` of the optimum (the default 1e-4), with
    every rule honoured exactly.
    """

    need_id: IntArray
    resource_id: IntArray
    amount: IntArray
    score: FloatArray
    parts: NDArray[np.float64]
    distance_m: FloatArray
    binding: tuple[str, ...]
    candidate_idx: IntArray
    unmatched_need_id: IntArray
    unmatched_reason: tuple[str, ...]
    objective: float
    bound: float
    optimal: bool
    method: str
    counts: Mapping[str, int] = field(default_factory=dict)
    timings: Mapping[str, float] = field(default_factory=dict)
    upper: float = float("nan")
    #: One :class:`~matching.engine.floors.FloorOutcome` per pot with a floor.
    floors: tuple[FloorOutcome, ...] = ()

    def __len__(self) -> int:
        return int(self.need_id.shape[0])

    @property
    def gap(self) -> float:
        """Relative gap between the objective and the flow bound (``bound``)."""
        if self.bound <= 0.0:
            return 0.0
        return max(0.0, (self.bound - self.objective) / self.bound)

    @property
    def proven_gap(self) -> float:
        """Relative gap between the objective and the proven bound ``upper``.

        The optimum lies in ``[objective, upper]``: ``optimal`` means this
        gap is within the run's ``mip_rel_gap``. (NaN ``upper``, from code
        that did not set it, falls back to the flow bound.)
        """
        upper = self.bound if self.upper != self.upper else self.upper
        if upper <= 0.0:
            return 0.0
        return max(0.0, (upper - self.objective) / upper)

    def proposals(self) -> list[Proposal]:
        """The proposals as :class:`Proposal` objects (for services and humans)."""
        out: list[Proposal] = []
        for k in range(len(self)):
            out.append(
                Proposal(
                    need_id=int(self.need_id[k]),
                    resource_id=int(self.resource_id[k]),
                    amount=int(self.amount[k]),
                    score=float(self.score[k]),
                    parts={name: float(self.parts[k, c]) for c, name in enumerate(PART_NAMES)},
                    distance_m=float(self.distance_m[k]),
                    binding=self.binding[k],
                )
            )
        return out


ArrayT = TypeVar("ArrayT", bound="np.ndarray[Any, Any]")


def readonly(array: ArrayT) -> ArrayT:
    """Mark an engine-owned array read-only and return it."""
    array.setflags(write=False)
    return array


def int_type_below(bound: int) -> type[np.int32] | type[np.int64]:
    """The integer type for values below ``bound``: 32-bit where they fit
    (indices, a part's edge bounds), which halves their columns."""
    return np.int32 if bound < 2**31 else np.int64


def pair_keys(first: LocalIndex, second: LocalIndex, n_second: int) -> IntArray:
    """One 64-bit integer per pair, ``first * n_second + second``, in the
    order of the pairs (``second`` in ``range(n_second)``). In 64 bits
    whatever the indices' width: candidate indices are 32-bit, and 300,000
    needs times 15,000 pots is past 2**31."""
    keys: IntArray = np.multiply(first, max(n_second, 1), dtype=np.int64)
    keys += second
    return keys
