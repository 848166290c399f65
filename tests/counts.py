"""Finding a list's count among the queries it sent (config/paging.py): a
query of its own when a page is empty or counted exactly, otherwise carried
by the page's query as a scalar subquery."""

from __future__ import annotations

from collections.abc import Iterable

COUNT = "SELECT COUNT(*) FROM ("


def count_of(sql: str) -> str | None:
    """The count ``sql`` reads, as a query of its own: ``sql`` itself when
    it is one, the subquery it carries otherwise (None: neither)."""
    if sql.startswith(COUNT):
        return sql
    start = sql.find("(" + COUNT)
    if start < 0:
        return None
    depth = 0
    for end, char in enumerate(sql[start:], start):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return sql[start + 1 : end]
    raise AssertionError(f"unbalanced parentheses in {sql}")


def counts_in(queries: Iterable[str]) -> list[tuple[str, str]]:
    """Each count read, with the query that read it."""
    return [(count, sql) for sql in queries if (count := count_of(sql)) is not None]
