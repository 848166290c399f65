"""Neighbourhood codes for a problem: one vocabulary, each need's code, and
resources' lists of neighbourhoods (eligible areas, fair-share floors) as CSR
arrays. Used by :meth:`matching.engine.problem.Problem.from_arrays`."""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np

from .types import IntArray


class Neighbourhoods:
    """Neighbourhood codes: one vocabulary, each need's code, resource lists as CSR."""

    def __init__(
        self,
        need_names: Sequence[str | None] | None,
        lists: Sequence[Collection[str] | None],
        n: int,
        r_order: IntArray,
    ) -> None:
        names: list[str | None] = [None] * n if need_names is None else list(need_names)
        if len(names) != n:
            raise ValueError(f"need_neighbourhood has {len(names)} items, expected {n}")
        code_set: set[str] = set() if need_names is None else {c for c in names if c is not None}
        code_set |= {c for x in lists if x for c in x}
        self.vocab = sorted(code_set)
        for c in self.vocab:
            if not isinstance(c, str) or not c:
                raise ValueError(f"neighbourhood codes must be non-empty strings, got {c!r}")
        code_of = {c: i for i, c in enumerate(self.vocab)}
        self.need_code = (
            np.full(n, -1, dtype=np.int64)
            if need_names is None
            else np.array([-1 if c is None else code_of[c] for c in names], dtype=np.int64)
        )
        # Neighbourhood lists as CSR, in resource-id order.
        lists_sorted = [lists[i] for i in r_order]
        counts = np.array([0 if x is None else len(set(x)) for x in lists_sorted], dtype=np.int64)
        self.indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        self.codes = np.array(
            [code_of[c] for x in lists_sorted if x is not None for c in sorted(set(x))],
            dtype=np.int64,
        )
        self.code_of = code_of

    def floor_lists(
        self, lists: Sequence[Collection[str] | None], r_order: IntArray
    ) -> tuple[IntArray, IntArray]:
        """Floor neighbourhood lists as CSR, in resource-id order (codes no need has
        are dropped: no need can count there)."""
        known = [
            sorted({self.code_of[c] for c in (lists[i] or ()) if c in self.code_of})
            for i in r_order
        ]
        counts = np.array([len(x) for x in known], dtype=np.int64)
        indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        return indptr, np.array([c for x in known for c in x], dtype=np.int64)
