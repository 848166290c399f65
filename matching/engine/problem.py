"""The engine's input, held as validated read-only numpy arrays.

Build a :class:`Problem` with :meth:`Problem.from_records` (lists of
:class:`~matching.engine.types.Need` and :class:`~matching.engine.types.Resource`)
or :meth:`Problem.from_arrays` (columns, for speed). Both validate once, copy
the caller's data (inputs are never mutated or aliased) and sort needs and
resources by id, so the result does not depend on the input order.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .neighbourhoods import Neighbourhoods
from .types import FloatArray, IntArray, Need, Resource, Weights, readonly
from .validate import (
    _check,
    _check_lat_lon,
    _floats,
    _ints,
    _kinds,
    _length,
    _theme_matrix,
    _themes,
    _unique,
    _weights,
    check_caps,
    floor_columns,
    theme_names,
)

#: Amounts and capacities above this are refused: it keeps every integer
#: product in the solvers far inside int64 (10^12 pence is 10 billion pounds).
MAX_AMOUNT = 10**12


@dataclass(frozen=True, eq=False)
class Problem:
    """Needs, resources, weights and caps of one run, as aligned arrays.

    Do not call the constructor directly: use :meth:`from_records` or
    :meth:`from_arrays`, which validate. Needs are sorted by ``need_id`` and
    resources by ``res_id``; every array is read-only.

    ``need_themes`` and ``res_themes`` are theme sets packed as bits
    (``np.packbits`` of a boolean matrix over the ``themes`` vocabulary).
    ``need_nbhd`` is an index into ``neighbourhoods`` (-1: none); resource
    neighbourhood lists are CSR (``res_nbhd_indptr``, ``res_nbhd_codes``).
    ``res_radius_m`` is NaN for a neighbourhood-list area. ``need_imd`` is the
    decile as a float (5.5 when unknown); ``need_months_since_backed`` is NaN
    for a group never backed. ``res_max_award`` 0 means no maximum.
    ``res_weights`` holds each resource's anchor weights in PART_NAMES order.
    ``res_floor`` is each fair-share floor (0: none, :mod:`.floors`), kept for
    needs of a decile up to ``res_floor_decile``, or (decile 0) for needs in a
    CSR list of neighbourhoods (``res_floor_indptr``, ``res_floor_codes``).
    """

    need_id: IntArray
    need_group: IntArray
    need_kind: IntArray
    need_amount: IntArray
    need_lat: FloatArray
    need_lon: FloatArray
    need_imd: FloatArray
    need_months_since_backed: FloatArray
    need_people: IntArray
    need_themes: NDArray[np.uint8]
    need_nbhd: IntArray
    res_id: IntArray
    res_anchor: IntArray
    res_kind: IntArray
    res_capacity: IntArray
    res_min_award: IntArray
    res_max_award: IntArray
    res_lat: FloatArray
    res_lon: FloatArray
    res_radius_m: FloatArray
    res_themes: NDArray[np.uint8]
    res_nbhd_indptr: IntArray
    res_nbhd_codes: IntArray
    res_weights: FloatArray
    res_floor: IntArray
    res_floor_decile: IntArray
    res_floor_indptr: IntArray
    res_floor_codes: IntArray
    themes: tuple[str, ...]
    neighbourhoods: tuple[str, ...]
    group_cap: int | None
    group_kind_cap: int | None

    @property
    def n_needs(self) -> int:
        return int(self.need_id.shape[0])

    @property
    def n_resources(self) -> int:
        return int(self.res_id.shape[0])

    @classmethod
    def from_records(
        cls,
        needs: Sequence[Need],
        resources: Sequence[Resource],
        *,
        weights: Weights | None = None,
        anchor_weights: Mapping[int, Weights] | None = None,
        group_cap: int | None = None,
        group_kind_cap: int | None = None,
    ) -> Problem:
        """Build a problem from lists of needs and resources.

        Parameters
        ----------
        needs, resources : sequences of Need and Resource
        weights : Weights, optional
            Default weights, for anchors without their own.
        anchor_weights : mapping of anchor id to Weights, optional
        group_kind_cap : int, optional
            Most needs of one kind one group may have served in a run (a
            need split across resources counts once). The cap to use: it
            keeps the six kinds independent problems.
        group_cap : int, optional
            Most needs one group may have served in a run across all kinds.
            Off by default: it couples the kinds (parts are merged and
            solved again until it holds), so runs are slower.

        Raises
        ------
        ValueError
            If any field is out of range (the message names the record).
        """
        for n in needs:
            if not isinstance(n, Need):
                raise ValueError(f"needs must be Need objects, got {type(n).__name__}")
        for r in resources:
            if not isinstance(r, Resource):
                raise ValueError(f"resources must be Resource objects, got {type(r).__name__}")
        vocab = sorted(
            {t for n in needs for t in n.themes} | {t for r in resources for t in r.themes}
        )
        return cls.from_arrays(
            need_id=[n.id for n in needs],
            need_group_id=[n.group_id for n in needs],
            need_kind=[n.kind for n in needs],
            need_amount=[n.amount for n in needs],
            need_lat=[n.lat for n in needs],
            need_lon=[n.lon for n in needs],
            need_imd_decile=[np.nan if n.imd_decile is None else n.imd_decile for n in needs],
            need_months_since_backed=[
                np.nan if n.months_since_backed is None else n.months_since_backed for n in needs
            ],
            need_people_reached=[n.people_reached for n in needs],
            need_themes=_theme_matrix([n.themes for n in needs], vocab),
            need_neighbourhood=[n.neighbourhood for n in needs],
            resource_id=[r.id for r in resources],
            resource_anchor_id=[r.anchor_id for r in resources],
            resource_kind=[r.kind for r in resources],
            resource_capacity=[r.capacity for r in resources],
            resource_min_award=[r.min_award for r in resources],
            resource_max_award=[r.max_award or 0 for r in resources],
            resource_themes=_theme_matrix([r.themes for r in resources], vocab),
            resource_lat=[np.nan if r.lat is None else r.lat for r in resources],
            resource_lon=[np.nan if r.lon is None else r.lon for r in resources],
            resource_radius_m=[np.nan if r.radius_m is None else r.radius_m for r in resources],
            resource_neighbourhoods=[r.neighbourhoods for r in resources],
            resource_floor=[r.floor for r in resources],
            resource_floor_max_decile=[
                0 if r.floor_neighbourhoods is not None else r.floor_max_decile for r in resources
            ],
            resource_floor_neighbourhoods=[r.floor_neighbourhoods for r in resources],
            themes=vocab,
            weights=weights,
            anchor_weights=anchor_weights,
            group_cap=group_cap,
            group_kind_cap=group_kind_cap,
        )

    # Over 80 lines only by its 27 keyword parameters, one a line (the body
    # is about 50): each column is named where the caller passes it.
    @classmethod
    def from_arrays(
        cls,
        *,
        need_id: ArrayLike,
        need_group_id: ArrayLike,
        need_kind: ArrayLike,
        need_amount: ArrayLike,
        need_lat: ArrayLike,
        need_lon: ArrayLike,
        resource_id: ArrayLike,
        resource_anchor_id: ArrayLike,
        resource_kind: ArrayLike,
        resource_capacity: ArrayLike,
        need_imd_decile: ArrayLike | None = None,
        need_months_since_backed: ArrayLike | None = None,
        need_people_reached: ArrayLike | None = None,
        need_themes: ArrayLike | None = None,
        need_neighbourhood: Sequence[str | None] | None = None,
        resource_min_award: ArrayLike | None = None,
        resource_max_award: ArrayLike | None = None,
        resource_themes: ArrayLike | None = None,
        resource_lat: ArrayLike | None = None,
        resource_lon: ArrayLike | None = None,
        resource_radius_m: ArrayLike | None = None,
        resource_neighbourhoods: Sequence[Collection[str] | None] | None = None,
        resource_floor: ArrayLike | None = None,
        resource_floor_max_decile: ArrayLike | None = None,
        resource_floor_neighbourhoods: Sequence[Collection[str] | None] | None = None,
        themes: Sequence[str] = (),
        weights: Weights | None = None,
        anchor_weights: Mapping[int, Weights] | None = None,
        group_cap: int | None = None,
        group_kind_cap: int | None = None,
    ) -> Problem:
        """Build a problem from columns (one value per need or resource).

        Kinds are strings from KINDS. ``need_imd_decile`` and
        ``need_months_since_backed`` use NaN for "unknown" and "never backed";
        themes are boolean matrices (rows: needs or resources, columns: the
        ``themes`` vocabulary); ``resource_max_award`` 0 means no maximum;
        ``resource_radius_m`` NaN means the area is ``resource_neighbourhoods``.
        ``resource_floor`` (default 0) is each pot's fair-share floor, for
        needs of deciles up to ``resource_floor_max_decile`` (default 2), or,
        where that is 0, in ``resource_floor_neighbourhoods``.
        The other parameters are as in :meth:`from_records`.
        """
        n = _length("need_id", need_id)
        m = _length("resource_id", resource_id)
        nid = _ints("need_id", need_id, n)
        rid = _ints("resource_id", resource_id, m)
        _unique("need_id", nid)
        _unique("resource_id", rid)
        n_order = np.argsort(nid, kind="stable")
        r_order = np.argsort(rid, kind="stable")
        needs = _need_columns(
            nid,
            amount=need_amount,
            lat=need_lat,
            lon=need_lon,
            imd=need_imd_decile,
            months=need_months_since_backed,
            people=need_people_reached,
        )
        needs["group"] = _ints("need_group_id", need_group_id, n)
        needs["kind"] = _kinds("need_kind", need_kind, n, nid)
        nbhd_lists = _lists(resource_neighbourhoods, m)
        res = _resource_columns(
            rid,
            capacity=resource_capacity,
            min_award=resource_min_award,
            max_award=resource_max_award,
            lat=resource_lat,
            lon=resource_lon,
            radius=resource_radius_m,
            has_list=np.array([x is not None for x in nbhd_lists], dtype=bool),
        )
        res["anchor"] = _ints("resource_anchor_id", resource_anchor_id, m)
        res["kind"] = _kinds("resource_kind", resource_kind, m, rid)
        nbhd = Neighbourhoods(need_neighbourhood, nbhd_lists, n, r_order)
        needs["nbhd"] = nbhd.need_code

        vocab_themes = theme_names(themes)
        needs["themes"] = _themes("need_themes", need_themes, n, len(vocab_themes))
        res["themes"] = _themes("resource_themes", resource_themes, m, len(vocab_themes))
        res["weights"] = _weights(rid, resource_anchor_id, m, weights, anchor_weights)
        res["floor"], res["floor_decile"] = floor_columns(
            rid, res["capacity"], resource_floor, resource_floor_max_decile
        )
        floor_lists = _lists(resource_floor_neighbourhoods, m)
        floor_indptr, floor_codes = nbhd.floor_lists(floor_lists, r_order)
        check_caps(group_cap=group_cap, group_kind_cap=group_kind_cap)

        n_cols = {f"need_{k}": _sorted(v, n_order) for k, v in needs.items()}
        r_cols = {f"res_{k}": _sorted(v, r_order) for k, v in res.items()}
        return cls(
            **n_cols,
            **r_cols,
            res_nbhd_indptr=readonly(nbhd.indptr),
            res_nbhd_codes=readonly(nbhd.codes),
            res_floor_indptr=readonly(floor_indptr),
            res_floor_codes=readonly(floor_codes),
            themes=vocab_themes,
            neighbourhoods=tuple(nbhd.vocab),
            group_cap=group_cap,
            group_kind_cap=group_kind_cap,
        )


def _lists(
    lists: Sequence[Collection[str] | None] | None, m: int
) -> Sequence[Collection[str] | None]:
    out: Sequence[Collection[str] | None] = lists if lists is not None else [None] * m
    if len(out) != m:
        raise ValueError(f"resource_neighbourhoods has {len(out)} items, expected {m}")
    return out


def _sorted(a: NDArray[Any], order: IntArray) -> NDArray[Any]:
    return readonly(np.ascontiguousarray(a[order]))


def _need_columns(
    nid: IntArray,
    *,
    amount: ArrayLike,
    lat: ArrayLike,
    lon: ArrayLike,
    imd: ArrayLike | None,
    months: ArrayLike | None,
    people: ArrayLike | None,
) -> dict[str, NDArray[Any]]:
    """The needs' numeric columns, validated (in input order)."""
    n = nid.shape[0]
    out: dict[str, NDArray[Any]] = {"id": nid}
    out["amount"] = a = _ints("need_amount", amount, n)
    _check(a > 0, "need_amount must be > 0", nid, a)
    _check(a <= MAX_AMOUNT, f"need_amount must be <= {MAX_AMOUNT}", nid, a)
    out["lat"] = _floats("need_lat", lat, n)
    out["lon"] = _floats("need_lon", lon, n)
    _check_lat_lon("need", nid, out["lat"], out["lon"], allow_nan=False)
    decile = _floats("need_imd_decile", imd, n, default=np.nan)
    ok_imd = np.isnan(decile) | ((decile >= 1) & (decile <= 10) & (decile == np.round(decile)))
    _check(ok_imd, "need_imd_decile must be an integer 1..10 or None", nid, decile)
    out["imd"] = np.where(np.isnan(decile), 5.5, decile)
    out["months_since_backed"] = mo = _floats("need_months_since_backed", months, n, default=np.nan)
    _check(np.isnan(mo) | (mo >= 0), "months_since_backed must be >= 0", nid, mo)
    out["people"] = p = _ints("need_people_reached", people, n, default=0)
    _check(p >= 0, "need_people_reached must be >= 0", nid, p)
    return out


def _resource_columns(
    rid: IntArray,
    *,
    capacity: ArrayLike,
    min_award: ArrayLike | None,
    max_award: ArrayLike | None,
    lat: ArrayLike | None,
    lon: ArrayLike | None,
    radius: ArrayLike | None,
    has_list: NDArray[np.bool_],
) -> dict[str, NDArray[Any]]:
    """The resources' numeric columns, validated (in input order)."""
    m = rid.shape[0]
    out: dict[str, NDArray[Any]] = {"id": rid}
    out["capacity"] = cap = _ints("resource_capacity", capacity, m)
    _check(cap >= 0, "resource capacity must be >= 0", rid, cap)
    _check(cap <= MAX_AMOUNT, f"resource capacity must be <= {MAX_AMOUNT}", rid, cap)
    out["min_award"] = lo = _ints("resource_min_award", min_award, m, default=0)
    _check(lo >= 0, "min_award must be >= 0", rid, lo)
    out["max_award"] = hi = _ints("resource_max_award", max_award, m, default=0)
    _check(hi >= 0, "max_award must be >= 0 (0 = no maximum)", rid, hi)
    _check((hi == 0) | (hi >= lo), "max_award must be >= min_award", rid, hi)
    out["lat"] = rlat = _floats("resource_lat", lat, m, default=np.nan)
    out["lon"] = rlon = _floats("resource_lon", lon, m, default=np.nan)
    _check_lat_lon("resource", rid, rlat, rlon, allow_nan=True)
    out["radius_m"] = r = _floats("resource_radius_m", radius, m, default=np.nan)
    has_radius = ~np.isnan(r)
    _check(
        has_radius != has_list,
        "give exactly one eligible area: radius_m or neighbourhoods",
        rid,
        r,
    )
    _check(~has_radius | (r > 0), "radius_m must be > 0", rid, r)
    _check(
        ~has_radius | (~np.isnan(rlat) & ~np.isnan(rlon)),
        "a radius area needs the resource's lat and lon",
        rid,
        rlat,
    )
    return out
