"""Model rows -> Open Referral UK 3.0 dicts, and the selectors that feed them.

Mapping: a public group (verified, consenting, not withdrawn or erased) is an
*organization*; each of its activities is a *service*; each theme is a
*taxonomy_term* of the one taxonomy "backer-themes", linked to services
through *attributes*.

Privacy, decided here once for every endpoint:

- Only what a group chose to publish leaves: ``public_email`` and
  ``website``. Contact names, e-mails, phones and addresses never do, so
  services have no ``contacts`` and locations no ``addresses``.
- A group that meets at home has no location at all (no point, no postcode):
  its neighbourhood appears only as a ``service_area`` by name and ONS code,
  which is what the public map shows for it too. Other groups get one
  physical location at their point (5 decimals, about 1 m).
- Empty optional fields are left out rather than sent as "": ORUK gives
  several of them formats (email, uri) that an empty string would break.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from django.db.models import Prefetch, QuerySet

from partners.models import Activity, CommunityGroup, Frequency, Theme
from partners.openreferral.ids import oruk_id
from partners.taxonomy import URI_PREFIX, VOCABULARY

__all__ = [
    "TAXONOMY_ID",
    "activity_public_list",
    "group_public_list",
    "oruk_organization",
    "oruk_service",
    "oruk_taxonomy",
    "oruk_taxonomy_term",
    "theme_list",
]

TAXONOMY_ID = oruk_id("taxonomy", VOCABULARY)
# ONS linked-data URI of a statistical geography (LSOA, ward, ...) by code.
ONS_GEOGRAPHY_URI = "http://statistics.data.gov.uk/id/statistical-geography/"

# Frequency -> (iCal freq, interval). Others have a description only.
_SCHEDULE_RULES: dict[str, tuple[str, int]] = {
    Frequency.WEEKLY: ("WEEKLY", 1),
    Frequency.FORTNIGHTLY: ("WEEKLY", 2),
    Frequency.MONTHLY: ("MONTHLY", 1),
}


def group_public_list() -> QuerySet[CommunityGroup]:
    return CommunityGroup.objects.public().select_related("neighbourhood").order_by("id")


def activity_public_list() -> QuerySet[Activity]:
    """Activities of public groups, with everything a service needs, in 4 queries."""
    return (
        Activity.objects.filter(group__in=CommunityGroup.objects.public())
        .select_related("group", "group__neighbourhood")
        .prefetch_related(
            Prefetch("themes", queryset=Theme.objects.order_by("position", "id")),
            "neighbourhoods_served",
        )
        .order_by("id")
    )


def theme_list() -> QuerySet[Theme]:
    return Theme.objects.filter(active=True).order_by("position", "id")


def _utc(value: datetime) -> str:
    # ORUK asks for millisecond accuracy; always UTC.
    utc = value.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _without_blanks(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value not in ("", None)}


def oruk_taxonomy(*, terms: Iterable[Theme] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": TAXONOMY_ID,
        "name": VOCABULARY,
        "description": "Backer's themes: what community activity is about.",
        "uri": f"urn:backer:taxonomy:{VOCABULARY}",
        "version": "1",
    }
    if terms is not None:
        data["taxonomy_terms"] = [oruk_taxonomy_term(theme) for theme in terms]
    return data


def oruk_taxonomy_term(theme: Theme) -> dict[str, Any]:
    return _without_blanks(
        {
            "id": oruk_id("taxonomy_term", theme.slug),
            "name": theme.name,
            "description": theme.description or theme.name,
            "taxonomy": VOCABULARY,
            "taxonomy_id": TAXONOMY_ID,
            "term_uri": theme.uri or f"{URI_PREFIX}{theme.slug}",
            "term": theme.slug,
        }
    )


def oruk_organization(group: CommunityGroup, *, full: bool = False) -> dict[str, Any]:
    """An organization; ``full`` adds identifiers (the compiled schema's extras)."""
    org_id = oruk_id("organization", group.pk)
    data = _without_blanks(
        {
            "id": org_id,
            "name": group.name,
            "description": group.description,
            "email": group.public_email,
            "website": group.website,
        }
    )
    # Required by ORUK even when the group wrote nothing.
    data.setdefault("description", "")
    if full:
        identifiers = []
        if group.charity_number:
            identifiers.append(
                {
                    "id": oruk_id("organization_identifier", group.pk, "charity"),
                    "organization_id": org_id,
                    "identifier_scheme": "GB-CHC",
                    "identifier_type": "Charity number",
                    "identifier": group.charity_number,
                }
            )
        if group.company_number:
            identifiers.append(
                {
                    "id": oruk_id("organization_identifier", group.pk, "company"),
                    "organization_id": org_id,
                    "identifier_scheme": "GB-COH",
                    "identifier_type": "Company number",
                    "identifier": group.company_number,
                }
            )
        data["organization_identifiers"] = identifiers
    return data


def _service_areas(activity: Activity, service_id: str) -> list[dict[str, Any]]:
    hoods = {}
    if activity.group.neighbourhood is not None:
        hoods[activity.group.neighbourhood.code] = activity.group.neighbourhood
    for hood in activity.neighbourhoods_served.all():
        hoods.setdefault(hood.code, hood)
    return [
        {
            "id": oruk_id("service_area", activity.pk, code),
            "service_id": service_id,
            "name": hood.name,
            "service_area": hood.name,
            "uri": f"{ONS_GEOGRAPHY_URI}{code}",
        }
        for code, hood in sorted(hoods.items())
    ]


def _service_at_locations(activity: Activity, service_id: str) -> list[dict[str, Any]]:
    group = activity.group
    # Never the home of a group that meets at home; see the module docstring.
    if group.meets_at_home or group.latitude is None or group.longitude is None:
        return []
    location_id = oruk_id("location", group.pk)
    return [
        {
            "id": oruk_id("service_at_location", activity.pk),
            "service_id": service_id,
            "location_id": location_id,
            "location": {
                "id": location_id,
                "location_type": "physical",
                "name": activity.where or group.name,
                "latitude": round(group.latitude, 5),
                "longitude": round(group.longitude, 5),
            },
        }
    ]


def _schedules(activity: Activity, service_id: str) -> list[dict[str, Any]]:
    schedule: dict[str, Any] = {
        "id": oruk_id("schedule", activity.pk),
        "service_id": service_id,
        "description": activity.get_frequency_display(),
    }
    rule = _SCHEDULE_RULES.get(activity.frequency)
    if rule is not None:
        schedule["freq"], schedule["interval"] = rule
    return [schedule]


def oruk_service(activity: Activity, *, full: bool = False) -> dict[str, Any]:
    """A service: the list form, or with ``full`` the compiled (nested) form."""
    group = activity.group
    service_id = oruk_id("service", activity.pk)
    data = _without_blanks(
        {
            "id": service_id,
            "organization_id": oruk_id("organization", group.pk),
            "name": activity.title,
            "description": activity.description,
            "url": group.website,
            "email": group.public_email,
            "status": "active",
            "last_modified": _utc(max(activity.updated_at, group.updated_at)),
        }
    )
    data["organization"] = oruk_organization(group, full=full)
    if not full:
        return data
    data.update(
        {
            "schedules": _schedules(activity, service_id),
            "service_areas": _service_areas(activity, service_id),
            "service_at_locations": _service_at_locations(activity, service_id),
            "languages": [],
            "funding": [],
            "cost_options": [],
            # Contacts are people: never published (see the module docstring).
            "contacts": [],
            "attributes": [
                {
                    "id": oruk_id("attribute", activity.pk, theme.slug),
                    "link_id": service_id,
                    "link_type": "theme",
                    "taxonomy_term_id": oruk_id("taxonomy_term", theme.slug),
                    "taxonomy_term": oruk_taxonomy_term(theme),
                }
                for theme in activity.themes.all()
            ],
        }
    )
    return data
