"""Words as people read them: one place for counts with the right noun."""

from __future__ import annotations


def plural(count: int, one: str, many: str) -> str:
    """ "1 local authority", "2 local authorities": the count and the right noun."""
    return f"{count:,} {one if count == 1 else many}"
