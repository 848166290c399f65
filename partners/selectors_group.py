"""Reads for group self-service: the contact's own groups, and the export of
everything held about one of them."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.access import groups_for_contact
from partners.models import Activity, CommunityGroup, Need

# Left out of the export: another person's identity (which reviewer) is not
# the group's data, and anchors' internal notes are not shown to groups.
_NOT_EXPORTED = {"reviewed_by", "contact_user"}
_NOT_EXPORTED_ELSEWHERE = ("note", "reviewer", "_by", "internal")


def group_list_for_contact(*, user: Any) -> QuerySet[CommunityGroup]:
    """The live groups ``user`` is the signed-in contact of."""
    return CommunityGroup.objects.filter(
        pk__in=groups_for_contact(user=user), erased_at__isnull=True
    ).select_related("neighbourhood")


def group_get_for_contact(*, user: Any, group_id: int) -> CommunityGroup:
    """One of the contact's groups, or 404 for anyone else: an anchor team
    member, another group's contact or a stranger learns nothing, not even
    whether the group exists."""
    group = group_list_for_contact(user=user).filter(pk=group_id).first()
    if group is None:
        raise Http404("No such group.")
    return group


def group_activities(*, group: CommunityGroup) -> QuerySet[Activity]:
    return group.activities.prefetch_related("themes", "needs")


def _row(obj: models.Model, *, skip: set[str] | None = None) -> dict[str, Any]:
    skip = skip or set()
    row: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in skip:
            continue
        row[field.attname if field.is_relation else field.name] = getattr(obj, field.attname)
    return row


def _records_elsewhere(needs: list[Need]) -> list[dict[str, Any]]:
    """Rows of other apps (matches, once matching exists) that point at the
    group's needs. Found through the relations themselves, so partners need
    not import matching."""
    if not needs or not apps.is_installed("matching"):
        return []
    records: list[dict[str, Any]] = []
    for relation in Need._meta.related_objects:
        model = relation.related_model
        if isinstance(model, str) or model._meta.app_label == Need._meta.app_label:
            continue
        rows = model._default_manager.filter(**{f"{relation.field.name}__in": needs})
        for obj in rows.order_by("pk"):
            fields = {
                field.name
                for field in obj._meta.concrete_fields
                if any(word in field.name for word in _NOT_EXPORTED_ELSEWHERE)
            }
            records.append({"type": model._meta.label, **_row(obj, skip=fields)})
    return records


def group_export(*, group: CommunityGroup) -> dict[str, Any]:
    """Everything Backer holds about ``group``, for the contact to download.

    Values are JSON-ready through DjangoJSONEncoder (datetimes as ISO 8601).
    Money is in integer pence, as stored; each need says its unit.
    """
    group = (
        CommunityGroup.objects.select_related("neighbourhood")
        .prefetch_related(
            Prefetch(
                "activities",
                queryset=Activity.objects.prefetch_related(
                    "themes", "neighbourhoods_served", "needs"
                ),
            ),
            "consent_records",
        )
        .get(pk=group.pk)
    )
    activities = list(group.activities.all())
    needs = [need for activity in activities for need in activity.needs.all()]
    neighbourhood = group.neighbourhood
    return {
        "exported_at": timezone.now(),
        "group": {
            **_row(group, skip=_NOT_EXPORTED),
            "neighbourhood": (
                {"code": neighbourhood.code, "name": neighbourhood.name} if neighbourhood else None
            ),
        },
        "activities": [
            {
                **_row(activity),
                "themes": [theme.slug for theme in activity.themes.all()],
                "neighbourhoods_served": [n.code for n in activity.neighbourhoods_served.all()],
                "needs": [{**_row(need), "unit": need.unit} for need in activity.needs.all()],
            }
            for activity in activities
        ],
        "consent_records": [
            {
                "consent_public": record.consent_public,
                "wording_version": record.wording_version,
                "recorded_at": record.recorded_at,
                "via": record.via,
            }
            for record in group.consent_records.all()
        ],
        "matches": _records_elsewhere(needs),
    }
