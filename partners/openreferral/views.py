"""The Open Referral UK 3.0 read-only API under /openreferral/.

Plain JSON views, no browsable renderer: ORUK clients (and validators such
as the ORUK dashboard) want exactly the spec's bodies. Lists use the spec's
Page envelope with ``page`` and ``per_page``; errors use the house shape
{"message", "extra"} with a 4xx status.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from partners.models import Activity, CommunityGroup
from partners.openreferral.export import (
    TAXONOMY_ID,
    activity_public_list,
    group_public_list,
    oruk_organization,
    oruk_service,
    oruk_taxonomy,
    oruk_taxonomy_term,
    theme_list,
)
from partners.openreferral.ids import oruk_id, parse_uuid

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 500
SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas" / "openreferral-uk"
PROFILE_URL = "https://github.com/openreferral/uk-profile"


class BadRequest(ValueError):
    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.extra = extra


def _error(message: str, status: int, **extra: Any) -> JsonResponse:
    return JsonResponse({"message": message, "extra": extra}, status=status)


def _int_param(request: HttpRequest, name: str, default: int, maximum: int | None = None) -> int:
    raw = request.GET.get(name, "")
    if raw == "":
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise BadRequest(f"{name} must be a whole number of 1 or more", parameter=name)
    value = int(raw)
    if maximum is not None and value > maximum:
        raise BadRequest(f"{name} must be at most {maximum}", parameter=name)
    return value


def _page(
    request: HttpRequest, items: QuerySet[Any] | Sequence[Any], serialise: Callable[[Any], Any]
) -> JsonResponse:
    """The ORUK Page envelope around one page of ``items``."""
    try:
        number = _int_param(request, "page", 1)
        per_page = _int_param(request, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
    except BadRequest as error:
        return _error(str(error), 400, **error.extra)
    total = items.count() if isinstance(items, QuerySet) else len(items)
    total_pages = max(1, math.ceil(total / per_page))
    start = (number - 1) * per_page
    contents = [serialise(item) for item in items[start : start + per_page]]
    return JsonResponse(
        {
            "total_items": total,
            "total_pages": total_pages,
            "page_number": number,
            "size": len(contents),
            "first_page": number == 1,
            "last_page": number >= total_pages,
            "empty": not contents,
            "contents": contents,
        }
    )


def _not_found(what: str, value: str) -> JsonResponse:
    return _error(f"There is no public {what} with the id {value!r}.", 404, id=value)


def _find(queryset: QuerySet[Any], kind: str, wanted: str) -> Any | None:
    """The row whose uuid5 is ``wanted``. Ids are hashes, so this scans the
    public keys (one narrow query); fine for a place's few thousand rows."""
    for pk in queryset.values_list("pk", flat=True).iterator(chunk_size=2000):
        if oruk_id(kind, pk) == wanted:
            return pk
    return None


@require_GET
def api_info(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {
            "version": "3.0",
            "profile": PROFILE_URL,
            "openapi_url": request.build_absolute_uri(reverse("openreferral:openapi")),
        }
    )


@cache
def _openapi() -> dict[str, Any]:
    spec: dict[str, Any] = json.loads((SCHEMA_DIR / "openapi.json").read_text(encoding="utf-8"))
    return spec


@require_GET
def openapi(request: HttpRequest) -> JsonResponse:
    return JsonResponse(_openapi())


@require_GET
def service_list(request: HttpRequest) -> JsonResponse:
    activities = activity_public_list()
    search = request.GET.get("search", "").strip()
    if search:
        activities = activities.filter(
            Q(title__icontains=search)
            | Q(description__icontains=search)
            | Q(group__name__icontains=search)
        )
    term = request.GET.get("taxonomy_term_id", "").strip()
    if term:
        slugs = [t.slug for t in theme_list() if oruk_id("taxonomy_term", t.slug) == term]
        activities = activities.filter(themes__slug__in=slugs).distinct()
    organization = request.GET.get("organization_id", "").strip()
    if organization:
        pk = _find(CommunityGroup.objects.public(), "organization", parse_uuid(organization) or "")
        activities = activities.filter(group_id=pk)
    return _page(request, activities, oruk_service)


@require_GET
def service_detail(request: HttpRequest, id: str) -> JsonResponse:
    wanted = parse_uuid(id)
    pk = _find(activity_public_list(), "service", wanted) if wanted else None
    if pk is None:
        return _not_found("service", id)
    return JsonResponse(oruk_service(activity_public_list().get(pk=pk), full=True))


@require_GET
def organization_list(request: HttpRequest) -> JsonResponse:
    return _page(request, group_public_list(), oruk_organization)


@require_GET
def organization_detail(request: HttpRequest, id: str) -> JsonResponse:
    wanted = parse_uuid(id)
    pk = _find(group_public_list(), "organization", wanted) if wanted else None
    if pk is None:
        return _not_found("organization", id)
    group = group_public_list().get(pk=pk)
    data = oruk_organization(group, full=True)
    activities: QuerySet[Activity] = activity_public_list().filter(group=group)
    services = []
    for activity in activities:
        service = oruk_service(activity, full=True)
        del service["organization"]  # it is the enclosing object
        services.append(service)
    data["services"] = services
    return JsonResponse(data)


@require_GET
def taxonomy_list(request: HttpRequest) -> JsonResponse:
    return _page(request, [oruk_taxonomy()], lambda taxonomy: taxonomy)


@require_GET
def taxonomy_detail(request: HttpRequest, id: str) -> JsonResponse:
    if parse_uuid(id) != TAXONOMY_ID:
        return _not_found("taxonomy", id)
    return JsonResponse(oruk_taxonomy(terms=theme_list()))


@require_GET
def taxonomy_term_list(request: HttpRequest) -> JsonResponse:
    return _page(request, theme_list(), oruk_taxonomy_term)


@require_GET
def taxonomy_term_detail(request: HttpRequest, id: str) -> JsonResponse:
    wanted = parse_uuid(id)
    for theme in theme_list():
        if oruk_id("taxonomy_term", theme.slug) == wanted:
            return JsonResponse(oruk_taxonomy_term(theme))
    return _not_found("taxonomy term", id)
