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

from .types import KINDS, FloatArray, IntArray, Need, Resource, Weights, readonly

#: Amounts and capacities above this are refused: it keeps every integer
#: product in the solvers far inside int64 (10^12 pence is 10 billion pounds).
MAX_AMOUNT = 10**12

_KIND_CODE = {kind: code for code, kind in enumerate(KINDS)}


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
            themes=vocab,
            weights=weights,
            anchor_weights=anchor_weights,
            group_cap=group_cap,
            group_kind_cap=group_kind_cap,
        )

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

        amount = _ints("need_amount", need_amount, n)
        _check(amount > 0, "need_amount must be > 0", nid, amount)
        _check(amount <= MAX_AMOUNT, f"need_amount must be <= {MAX_AMOUNT}", nid, amount)
        lat = _floats("need_lat", need_lat, n)
        lon = _floats("need_lon", need_lon, n)
        _check_lat_lon("need", nid, lat, lon, allow_nan=False)
        imd = _floats("need_imd_decile", need_imd_decile, n, default=np.nan)
        ok_imd = np.isnan(imd) | ((imd >= 1) & (imd <= 10) & (imd == np.round(imd)))
        _check(ok_imd, "need_imd_decile must be an integer 1..10 or None", nid, imd)
        imd = np.where(np.isnan(imd), 5.5, imd)
        months = _floats("need_months_since_backed", need_months_since_backed, n, default=np.nan)
        _check(np.isnan(months) | (months >= 0), "months_since_backed must be >= 0", nid, months)
        people = _ints("need_people_reached", need_people_reached, n, default=0)
        _check(people >= 0, "need_people_reached must be >= 0", nid, people)

        cap = _ints("resource_capacity", resource_capacity, m)
        _check(cap >= 0, "resource capacity must be >= 0", rid, cap)
        _check(cap <= MAX_AMOUNT, f"resource capacity must be <= {MAX_AMOUNT}", rid, cap)
        min_award = _ints("resource_min_award", resource_min_award, m, default=0)
        _check(min_award >= 0, "min_award must be >= 0", rid, min_award)
        max_award = _ints("resource_max_award", resource_max_award, m, default=0)
        _check(max_award >= 0, "max_award must be >= 0 (0 = no maximum)", rid, max_award)
        _check(
            (max_award == 0) | (max_award >= min_award),
            "max_award must be >= min_award",
            rid,
            max_award,
        )
        rlat = _floats("resource_lat", resource_lat, m, default=np.nan)
        rlon = _floats("resource_lon", resource_lon, m, default=np.nan)
        _check_lat_lon("resource", rid, rlat, rlon, allow_nan=True)
        radius = _floats("resource_radius_m", resource_radius_m, m, default=np.nan)
        nbhd_lists: Sequence[Collection[str] | None] = (
            resource_neighbourhoods if resource_neighbourhoods is not None else [None] * m
        )
        if len(nbhd_lists) != m:
            raise ValueError(f"resource_neighbourhoods has {len(nbhd_lists)} items, expected {m}")
        has_list = np.array([x is not None for x in nbhd_lists], dtype=bool)
        has_radius = ~np.isnan(radius)
        _check(
            has_radius != has_list,
            "give exactly one eligible area: radius_m or neighbourhoods",
            rid,
            radius,
        )
        _check(~has_radius | (radius > 0), "radius_m must be > 0", rid, radius)
        _check(
            ~has_radius | (~np.isnan(rlat) & ~np.isnan(rlon)),
            "a radius area needs the resource's lat and lon",
            rid,
            rlat,
        )

        nbhd_names: list[str | None] = (
            [None] * n if need_neighbourhood is None else list(need_neighbourhood)
        )
        if len(nbhd_names) != n:
            raise ValueError(f"need_neighbourhood has {len(nbhd_names)} items, expected {n}")
        code_set: set[str] = {c for c in nbhd_names if c is not None}
        code_set |= {c for x in nbhd_lists if x for c in x}
        vocab = sorted(code_set)
        for c in vocab:
            if not isinstance(c, str) or not c:
                raise ValueError(f"neighbourhood codes must be non-empty strings, got {c!r}")
        code_of = {c: i for i, c in enumerate(vocab)}
        need_nbhd = np.array([-1 if c is None else code_of[c] for c in nbhd_names], dtype=np.int64)

        theme_names = tuple(themes)
        if len(set(theme_names)) != len(theme_names):
            raise ValueError("themes must not repeat")
        n_themes = _themes("need_themes", need_themes, n, len(theme_names))
        r_themes = _themes("resource_themes", resource_themes, m, len(theme_names))

        w = _weights(rid, resource_anchor_id, m, weights, anchor_weights)
        for name, value in (("group_cap", group_cap), ("group_kind_cap", group_kind_cap)):
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or value < 1
            ):
                raise ValueError(f"{name} must be None or an int >= 1, got {value!r}")

        # Neighbourhood lists as CSR, in resource-id order.
        lists_sorted = [nbhd_lists[i] for i in r_order]
        counts = np.array([0 if x is None else len(set(x)) for x in lists_sorted], dtype=np.int64)
        indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        codes = np.array(
            [code_of[c] for x in lists_sorted if x is not None for c in sorted(set(x))],
            dtype=np.int64,
        )

        def ro_n(a: NDArray[Any]) -> NDArray[Any]:
            return readonly(np.ascontiguousarray(a[n_order]))

        def ro_r(a: NDArray[Any]) -> NDArray[Any]:
            return readonly(np.ascontiguousarray(a[r_order]))

        return cls(
            need_id=ro_n(nid),
            need_group=ro_n(_ints("need_group_id", need_group_id, n)),
            need_kind=ro_n(_kinds("need_kind", need_kind, n, nid)),
            need_amount=ro_n(amount),
            need_lat=ro_n(lat),
            need_lon=ro_n(lon),
            need_imd=ro_n(imd),
            need_months_since_backed=ro_n(months),
            need_people=ro_n(people),
            need_themes=ro_n(n_themes),
            need_nbhd=ro_n(need_nbhd),
            res_id=ro_r(rid),
            res_anchor=ro_r(_ints("resource_anchor_id", resource_anchor_id, m)),
            res_kind=ro_r(_kinds("resource_kind", resource_kind, m, rid)),
            res_capacity=ro_r(cap),
            res_min_award=ro_r(min_award),
            res_max_award=ro_r(max_award),
            res_lat=ro_r(rlat),
            res_lon=ro_r(rlon),
            res_radius_m=ro_r(radius),
            res_themes=ro_r(r_themes),
            res_nbhd_indptr=readonly(indptr),
            res_nbhd_codes=readonly(codes),
            res_weights=ro_r(w),
            themes=theme_names,
            neighbourhoods=tuple(vocab),
            group_cap=group_cap,
            group_kind_cap=group_kind_cap,
        )


def _theme_matrix(sets: Sequence[frozenset[str]], vocab: Sequence[str]) -> NDArray[np.bool_]:
    col = {t: i for i, t in enumerate(vocab)}
    out = np.zeros((len(sets), len(vocab)), dtype=bool)
    for row, s in enumerate(sets):
        for t in s:
            if not isinstance(t, str) or not t:
                raise ValueError(f"theme slugs must be non-empty strings, got {t!r}")
            out[row, col[t]] = True
    return out


def _length(name: str, values: ArrayLike) -> int:
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional")
    return int(arr.shape[0])


def _ints(name: str, values: ArrayLike | None, n: int, default: int | None = None) -> IntArray:
    if values is None:
        if default is None:
            raise ValueError(f"{name} is required")
        return np.full(n, default, dtype=np.int64)
    arr = np.array(values, copy=True)
    if arr.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), got {arr.shape}")
    if arr.dtype.kind == "b" or (arr.dtype.kind not in "iu" and n > 0):
        if arr.dtype.kind == "f" and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
            return arr.astype(np.int64)
        raise ValueError(f"{name} must hold integers, got dtype {arr.dtype}")
    return arr.astype(np.int64)


def _floats(
    name: str, values: ArrayLike | None, n: int, default: float | None = None
) -> FloatArray:
    if values is None:
        if default is None:
            raise ValueError(f"{name} is required")
        return np.full(n, default, dtype=np.float64)
    try:
        arr = np.array(values, dtype=np.float64, copy=True)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must hold numbers") from exc
    if arr.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), got {arr.shape}")
    if np.any(np.isinf(arr)):
        raise ValueError(f"{name} must be finite")
    return arr


def _unique(name: str, ids: IntArray) -> None:
    uniq, counts = np.unique(ids, return_counts=True)
    if np.any(counts > 1):
        raise ValueError(f"{name} must be unique; repeated: {uniq[counts > 1][:5].tolist()}")


def _check(ok: NDArray[np.bool_], message: str, ids: IntArray, values: NDArray[Any]) -> None:
    bad = np.flatnonzero(~ok)
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"{message} (id {int(ids[i])}: {values[i]!r}; {bad.size} bad in all)")


def _check_lat_lon(
    what: str, ids: IntArray, lat: FloatArray, lon: FloatArray, *, allow_nan: bool
) -> None:
    if not allow_nan:
        _check(~np.isnan(lat) & ~np.isnan(lon), f"{what} lat and lon are required", ids, lat)
    _check(np.isnan(lat) == np.isnan(lon), f"{what} lat and lon go together", ids, lat)
    _check(
        np.isnan(lat) | ((lat >= -90) & (lat <= 90)), f"{what} lat must be in [-90, 90]", ids, lat
    )
    _check(
        np.isnan(lon) | ((lon >= -180) & (lon <= 180)),
        f"{what} lon must be in [-180, 180]",
        ids,
        lon,
    )


def _kinds(name: str, values: ArrayLike, n: int, ids: IntArray) -> IntArray:
    arr = np.asarray(values, dtype=object)
    if arr.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), got {arr.shape}")
    out = np.empty(n, dtype=np.int64)
    for i, k in enumerate(arr.tolist()):
        code = _KIND_CODE.get(k) if isinstance(k, str) else None
        if code is None:
            raise ValueError(f"{name} must be one of {', '.join(KINDS)} (id {int(ids[i])}: {k!r})")
        out[i] = code
    return out


def _themes(name: str, values: ArrayLike | None, n: int, t: int) -> NDArray[np.uint8]:
    if values is None:
        return np.zeros((n, (t + 7) // 8), dtype=np.uint8)
    arr = np.asarray(values)
    if arr.shape != (n, t) or arr.dtype != np.bool_:
        raise ValueError(f"{name} must be a boolean array of shape ({n}, {t})")
    return np.packbits(arr, axis=1)


def _weights(
    rid: IntArray,
    anchors: ArrayLike,
    m: int,
    default: Weights | None,
    per_anchor: Mapping[int, Weights] | None,
) -> FloatArray:
    base = default if default is not None else Weights()
    table: dict[int, Weights] = dict(per_anchor or {})
    for anchor, w in [(None, base), *table.items()]:
        if not isinstance(w, Weights):
            raise ValueError(f"weights must be Weights objects (anchor {anchor})")
        values = np.array(w.as_tuple(), dtype=np.float64)
        if not np.all(np.isfinite(values)) or np.any(values < 0) or values.sum() <= 0:
            raise ValueError(f"weights must be finite, >= 0 and not all 0 (anchor {anchor}): {w}")
    anchor_ids = _ints("resource_anchor_id", anchors, m)
    out = np.empty((m, 5), dtype=np.float64)
    for i, a in enumerate(anchor_ids.tolist()):
        out[i] = table.get(a, base).as_tuple()
    return out
