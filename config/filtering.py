"""The API's filter backend: django-filter's, without its cost when no filter is asked.

DjangoFilterBackend builds a FilterSet for every list request: a deep copy
of its filters (with their validators' querysets), a form class made anew,
the form cleaned. When the request names none of the filters, every filter
gets an empty value, and django-filter returns the queryset unchanged for an
empty value; so that work is skipped, and the list is what it was (issue 18:
a list with no query parameters is the common request).

A request naming a filter takes the full path: the FilterSet answers, with
its 400 for a bad value. So does every request to a FilterSet with a required
filter or one that reads more than its name (a range's ``<name>_min``).
"""

from __future__ import annotations

import functools
from typing import Any

from django import forms
from django_filters.rest_framework import DjangoFilterBackend

__all__ = ["FilterBackend"]


@functools.cache
def _plain_names(filterset_class: Any) -> tuple[str, ...] | None:
    """The filters' names, when each filter reads just its own name and none
    is required; else None (a range widget reads suffixed names): the
    FilterSet then always answers."""
    for filter_ in filterset_class.base_filters.values():
        widget = filter_.extra.get("widget") or filter_.field_class.widget
        widget_class = widget if isinstance(widget, type) else type(widget)
        if filter_.extra.get("required") or issubclass(widget_class, forms.MultiWidget):
            return None
    return tuple(filterset_class.base_filters)


def _asks_a_filter(params: Any, filterset_class: Any) -> bool:
    """Asked as ``name in params``, one name at a time: a read of each, as the
    FilterSet's own (tests/security/test_query_params_declared.py records them)."""
    names = _plain_names(filterset_class)
    return names is None or any(name in params for name in names)


class FilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request: Any, queryset: Any, view: Any) -> Any:
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None or not _asks_a_filter(request.query_params, filterset_class):
            return queryset
        return super().filter_queryset(request, queryset, view)
