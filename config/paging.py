"""Counts that stay cheap at national scale (issue 18).

A page of a list costs the same whatever is registered (LIMIT/OFFSET on an
indexed order), but an exact COUNT(*) reads every matching row: at 100,000
groups the count alone cost more than the page. So a list counts its rows
only a little past the page asked for (``COUNT_AHEAD`` rows, one query:
``SELECT COUNT(*) FROM (SELECT ... LIMIT n)``): exact whenever fewer match,
which is every filtered search in practice, and otherwise a lower bound that
says so ("1,020 or more"). Every page stays reachable: the next one is
counted when it is asked for. The last page ("?page=last" in the API) is
found with an exact count, as asked.

- ``BoundedPaginator``: Django's Paginator with that count; the directory's.
- ``BoundedPageNumberPagination``: the API's page-number pagination with it,
  and ``count_exact`` in every page (false: ``count`` is a lower bound).
- ``Listing``: a page's rows counted by a plainer queryset. A list shaped for
  its page (``values()`` across a relation) keeps that join in its count,
  and the join kept PostgreSQL from counting public groups from their
  partial index alone (partners.0016).

A page and its count are read in one round trip: the page's query carries
the count as an uncorrelated scalar subquery (``CountUpto``), which the
database computes once (PostgreSQL: an InitPlan), and each row holds it. A
round trip to PostgreSQL was a fifth of the API list's time under load
(issue 18). An empty page carries nothing, so it is counted on its own.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import IntegerField, QuerySet, Subquery
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

__all__ = [
    "COUNT_AHEAD",
    "COUNT_KEY",
    "BoundedPageNumberPagination",
    "BoundedPaginator",
    "CountUpto",
    "Listing",
    "count_upto",
]

# Rows counted past the end of the page asked for.
COUNT_AHEAD = 1_000
# A page number beyond this is counted exactly (it is an OFFSET of millions
# anyway), so no LIMIT grows past what the database takes.
_LARGEST_BOUNDED_PAGE = 1_000_000
# Where each row of a page read with its count holds that count.
COUNT_KEY = "listed_upto"


def count_upto(object_list: Any, limit: int | None) -> int:
    """How many rows ``object_list`` holds, reading at most ``limit`` of them
    (None: all). A queryset is counted unordered and by its ids alone: which
    rows are counted does not matter, only how many, so the database need
    not sort them, join what the page shows (select_related) nor compute
    its annotations (a page's themes), and Django compiles none of that."""
    if limit is None:
        return int(object_list.count())
    if isinstance(object_list, QuerySet):
        return int(_ids_upto(object_list, limit).count())
    if hasattr(object_list, "count_upto"):
        return int(object_list.count_upto(limit))
    return min(len(object_list), limit)


def _ids_upto(queryset: QuerySet[Any], limit: int) -> QuerySet[Any]:
    """What a bounded count reads: at most ``limit`` ids, unordered."""
    return queryset.order_by().values("pk")[:limit]


class CountUpto(Subquery):
    """How many rows ``queryset`` holds, reading at most ``limit`` of them,
    as an expression: ``count_upto``'s query, for another query to carry.
    It refers to nothing outside itself, so it is computed once a query."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS counted)"

    def __init__(self, queryset: QuerySet[Any], limit: int) -> None:
        super().__init__(_ids_upto(queryset, limit), output_field=IntegerField())


class Listing:
    """What a paginator pages: ``rows`` sliced for a page, ``counted`` (the
    same rows, filtered alike but not shaped for the page: no joins for
    what the page shows, no annotations) for the count. Ordered as
    ``rows`` is. ``shape`` turns the rows read into what the page shows."""

    ordered = True

    def __init__(self, rows: Any, counted: QuerySet[Any]) -> None:
        self.rows = rows
        self.counted = counted

    def shape(self, rows: list[Any]) -> list[Any]:
        """The rows of a page as the page shows them (here: as read)."""
        return rows

    def page_counted(self, bottom: int, top: int, limit: int) -> tuple[list[Any], int | None]:
        """Rows ``bottom`` to ``top`` and, read in the same query, how many
        match (reading at most ``limit``); None when the page is empty, as
        no row carried the count. ``rows`` is a queryset (``carries_count``)."""
        read = list(self.rows.annotate(**{COUNT_KEY: CountUpto(self.counted, limit)})[bottom:top])
        if not read:
            return [], None
        first = read[0]
        count = first[COUNT_KEY] if isinstance(first, dict) else getattr(first, COUNT_KEY)
        return self.shape(read), int(count)

    @property
    def carries_count(self) -> bool:
        """Whether a page of ``rows`` can carry the count (``page_counted``)."""
        return isinstance(self.rows, QuerySet) and not self.rows.query.combinator

    def count(self) -> int:
        return int(self.counted.count())

    def count_upto(self, limit: int) -> int:
        """How many match, reading at most ``limit`` (as ``count_upto``)."""
        return count_upto(self.counted, limit)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return self.shape(list(self.rows[index]))
        return self.rows[index]


class BoundedPaginator(Paginator):  # type: ignore[type-arg]
    """Counts no further than ``COUNT_AHEAD`` rows past the page asked for
    (``ask``); before a page is asked for, it counts exactly."""

    ahead = COUNT_AHEAD
    _reach: int | None = None

    def ask(self, number: Any) -> None:
        """The page about to be read (its number, as the request gave it)."""
        try:
            page = int(number)
        except (TypeError, ValueError):
            page = 1
        if page <= _LARGEST_BOUNDED_PAGE:
            self._reach = max(page, 1) * self.per_page + self.ahead

    @cached_property
    def count(self) -> int:
        return count_upto(self.object_list, self._reach)

    def page(self, number: Any) -> Page[Any]:
        """Page ``number``, read with its count in one query where it can
        be (a page asked for, no orphans); as Django's Paginator otherwise."""
        listing: Any = self.object_list
        if isinstance(listing, QuerySet):
            listing = Listing(listing, counted=listing)
        if (
            not isinstance(listing, Listing)
            or not listing.carries_count
            or self._reach is None
            or self.orphans
            or "count" in self.__dict__
        ):
            return super().page(number)
        number = self._whole(number)
        bottom = (number - 1) * self.per_page
        rows, count = listing.page_counted(bottom, bottom + self.per_page, self._reach)
        if rows:
            self.__dict__["count"] = count  # the cached property, read already
        else:  # nothing carried the count: counted on its own, and judged
            self.validate_number(number)
        return Page(rows, number, self)

    def _whole(self, number: Any) -> int:
        """``number`` as a page number, judged as Django's Paginator judges
        it but not against the page count (which reads the count)."""
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            whole = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if whole < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return whole

    @property
    def exact(self) -> bool:
        """False when more rows may match than ``count``: it is a lower bound."""
        return self._reach is None or self.count < self._reach


class BoundedPageNumberPagination(PageNumberPagination):
    django_paginator_class = BoundedPaginator

    def get_page_number(self, request: Request, paginator: Any) -> Any:
        asked = request.query_params.get(self.page_query_param) or 1
        # "last" counts exactly: the last page is what was asked for.
        if isinstance(paginator, BoundedPaginator) and asked not in self.last_page_strings:
            paginator.ask(asked)
        return super().get_page_number(request, paginator)

    def get_paginated_response(self, data: Any) -> Response:
        assert self.page is not None  # paginate_queryset ran
        paginator = self.page.paginator
        return Response(
            {
                "count": paginator.count,
                "count_exact": getattr(paginator, "exact", True),
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        paged = super().get_paginated_response_schema(schema)
        paged["properties"]["count"]["description"] = (
            f"How many results: exact when count_exact is true; else at least this "
            f"many (lists count no more than {COUNT_AHEAD:,} results past the page asked for)."
        )
        paged["properties"]["count_exact"] = {
            "type": "boolean",
            "description": "Whether count is exact; false: it is a lower bound.",
        }
        paged["required"] = [*paged["required"], "count_exact"]
        return paged
