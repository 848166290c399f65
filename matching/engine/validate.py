"""Validation of the engine's input columns: each bad value refused by name."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import repeat
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .types import KINDS, FloatArray, IntArray, Weights

_KIND_CODE = {kind: code for code, kind in enumerate(KINDS)}


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
    values_list = arr.tolist()
    try:
        # Codes looked up in C (a comprehension was a third of a 1,000-need
        # problem's validation); a value no kind equals gets -1.
        out = np.fromiter(map(_KIND_CODE.get, values_list, repeat(-1, n)), np.int64, count=n)
    except TypeError:  # an unhashable value: no kind
        codes = [_KIND_CODE.get(k, -1) if isinstance(k, str) else -1 for k in values_list]
        out = np.array(codes, dtype=np.int64).reshape(n)
    bad = np.flatnonzero(out < 0)
    if bad.size:
        i = int(bad[0])
        raise ValueError(
            f"{name} must be one of {', '.join(KINDS)} (id {int(ids[i])}: {values_list[i]!r})"
        )
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
    if not table:
        return np.tile(np.array(base.as_tuple(), dtype=np.float64), (m, 1))
    out = np.empty((m, 5), dtype=np.float64)
    for i, a in enumerate(anchor_ids.tolist()):
        out[i] = table.get(a, base).as_tuple()
    return out


def floor_columns(
    rid: IntArray, capacity: IntArray, floor: ArrayLike | None, decile: ArrayLike | None
) -> tuple[IntArray, IntArray]:
    m = rid.shape[0]
    f = _ints("resource_floor", floor, m, default=0)
    _check((f >= 0) & (f <= capacity), "resource floor must be 0 to its capacity", rid, f)
    d = _ints("resource_floor_max_decile", decile, m, default=2)
    _check((d >= 0) & (d <= 10), "floor_max_decile must be 0 (a list) to 10", rid, d)
    return f, d


def theme_names(themes: Sequence[str]) -> tuple[str, ...]:
    names = tuple(themes)
    if len(set(names)) != len(names):
        raise ValueError("themes must not repeat")
    return names


def check_caps(**caps: int | None) -> None:
    for name, value in caps.items():
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 1
        ):
            raise ValueError(f"{name} must be None or an int >= 1, got {value!r}")
