"""Shared by every partners API view: pagination and error documentation."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse

from config.exceptions import ErrorSerializer
from config.paging import BoundedPageNumberPagination


class ApiPagination(BoundedPageNumberPagination):
    """Pages of 50 (up to 200); counts bounded as config/paging.py says."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


BAD_REQUEST = OpenApiResponse(ErrorSerializer, description="Bad input; `extra` says which.")
FORBIDDEN = OpenApiResponse(ErrorSerializer, description="Not signed in, or not allowed.")
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such item, or not visible to you.")

# Errors any read can answer: a bad filter value (400), an unknown page or id (404).
READ_ERRORS = {400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND}
WRITE_ERRORS = {400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND}


class ListFiltersOnly:
    """Query filters apply to lists only. DRF's get_object() runs the list's
    filters too, so /api/needs/3/?kind=time answered 404 because of a
    parameter the schema does not declare for a single need."""

    def filter_queryset(self, queryset: Any) -> Any:
        if getattr(self, "action", None) != "list":
            return queryset
        return super().filter_queryset(queryset)  # type: ignore[misc]
