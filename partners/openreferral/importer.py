"""Import an Open Referral UK feed (a council's service directory).

Reads a JSON array of services, or a Page envelope with ``contents``, each
service with an embedded ``organization`` (the shape of ORUK 1.0-3.0
``/services`` lists). One CommunityGroup per organization (source
"openreferral", external_id = the organization's id) and one Activity per
service (matched by title within its group, since Activity has no external
id). Real feeds are untidy: HTML in descriptions, "www." websites, blank
fields, no locations. What cannot be used is skipped or left out, counted by
reason, and reported; nothing fails the whole import except an unreadable
file, or an error while writing, which rolls back every organisation.

Imported groups are pending and arrive in the review queue (the council
published them; an anchor team still verifies them). They are not public:
consent to *our* directory has to come from the group itself.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from config.dbstats import tables_analyze
from config.words import plural
from partners.cleaners import CleanError, email_clean, postcode_clean, website_clean
from partners.models import (
    Activity,
    CommunityGroup,
    GroupKind,
    GroupSource,
    Theme,
    VerificationStatus,
)
from partners.openreferral.html_text import HTML_HINT, html_to_text
from places.geocoding import GeocodingError, point_locate, postcode_lookup
from places.postcodes import InvalidPostcode

__all__ = [
    "OrukFileError",
    "OrukImportReport",
    "groups_import_openreferral",
    "html_to_text",
    "oruk_file_check",
    "oruk_services_read",
]

NO_LOCATION = "services have no location: their groups were imported without a neighbourhood"
MERGED = (
    "services share a name with another service of the same organisation: merged into one activity"
)
BAD_WEBSITE = "websites were not valid web addresses: left out"
BAD_EMAIL = "email addresses were not valid: left out"
HTML_STRIPPED = "descriptions held HTML: converted to plain text"
TRUNCATED = "names were longer than 200 characters: shortened"


class OrukFileError(ValueError):
    """The file as a whole cannot be read. The message is for people."""


def oruk_file_check(*, data: bytes) -> None:
    """A cheap look at the file, for the upload request: JSON text that opens
    as a list or an object. Reading it in full is the import job's work."""
    start = data.lstrip()[:1]
    if not start:
        raise OrukFileError("The file is empty.")
    if start not in {b"[", b"{"} and not data.startswith(b"\xef\xbb\xbf"):
        raise OrukFileError(
            "The file is not valid JSON: it does not start with [ or {. Save the feed's "
            "/services page as a JSON file and try again."
        )


def oruk_services_read(*, data: bytes | str) -> list[Any]:
    """The list of services in an ORUK file: an array, or a Page's contents."""
    try:
        parsed = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise OrukFileError(f"The file is not valid JSON: {error}.") from error
    if isinstance(parsed, dict) and isinstance(parsed.get("contents"), list):
        contents: list[Any] = parsed["contents"]
        return contents
    if isinstance(parsed, list):
        return parsed
    raise OrukFileError("The file is neither a list of services nor an ORUK page with 'contents'.")


@dataclass
class OrukImportReport:
    services: int = 0
    organizations: int = 0
    groups_created: int = 0
    groups_updated: int = 0
    activities_created: int = 0
    activities_updated: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    notes: Counter[str] = field(default_factory=Counter)

    def lines(self) -> Iterator[str]:
        yield (
            f"{plural(self.services, 'service', 'services')} read from "
            f"{plural(self.organizations, 'organisation', 'organisations')}: "
            f"{plural(self.groups_created, 'group', 'groups')} created, "
            f"{self.groups_updated:,} updated; "
            f"{plural(self.activities_created, 'activity', 'activities')} created, "
            f"{self.activities_updated:,} updated."
        )
        if self.skipped:
            yield f"Could not use {plural(sum(self.skipped.values()), 'service', 'services')}:"
            for reason, count in self.skipped.most_common():
                yield f"  {count} {reason}"
        for note, count in self.notes.most_common():
            yield f"{count} {note}"


def _text(value: object, limit: int | None = None) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def _website(value: object, report: OrukImportReport) -> str:
    try:
        return website_clean(_text(value))
    except CleanError:
        report.notes[BAD_WEBSITE] += 1
        return ""


def _email_of(value: object, report: OrukImportReport) -> str:
    try:
        return email_clean(_text(value))
    except CleanError:
        report.notes[BAD_EMAIL] += 1
        return ""


def _description(value: object, report: OrukImportReport) -> str:
    if isinstance(value, str) and HTML_HINT.search(value):
        report.notes[HTML_STRIPPED] += 1
    return html_to_text(value)


def _skip_reason(service: Any) -> str | None:
    if not isinstance(service, dict):
        return "are not JSON objects"
    if not _text(service.get("name")):
        return "have no name"
    organization = service.get("organization")
    if not isinstance(organization, dict) or not _text(organization.get("id")):
        return "have no organisation (or one without an id)"
    if not _text(organization.get("name")):
        return "belong to an organisation with no name"
    status = _text(service.get("status")).lower()
    if status and status != "active":
        return f"are not active (status '{status[:40]}')"
    return None


def _location(service: dict[str, Any]) -> tuple[Any, str, str]:
    """(geocoded Location or None, postcode, place name) of a service's first
    usable location: a point, else a postcode."""
    for link in service.get("service_at_locations") or []:
        location = (link or {}).get("location") if isinstance(link, dict) else None
        if not isinstance(location, dict):
            continue
        name = _text(location.get("name"), 300)
        lat, lon = location.get("latitude"), location.get("longitude")
        if isinstance(lat, int | float) and isinstance(lon, int | float):
            return point_locate(latitude=float(lat), longitude=float(lon)), "", name
        for address in location.get("addresses") or location.get("physical_addresses") or []:
            if isinstance(address, dict) and _text(address.get("postal_code")):
                try:
                    found = postcode_lookup(postcode=postcode_clean(address["postal_code"]))
                except (CleanError, InvalidPostcode, GeocodingError):
                    continue
                return found, found.postcode or "", name
    return None, "", ""


def _theme_lookup() -> dict[str, Theme]:
    themes: dict[str, Theme] = {}
    for theme in Theme.objects.filter(active=True):
        themes[theme.slug] = theme
        themes[theme.name.lower()] = theme
    return themes


def _themes_of(service: dict[str, Any], themes: dict[str, Theme]) -> list[Theme]:
    """Our themes named by the feed's terms or target audiences, if any match."""
    names: list[str] = []
    for attribute in service.get("attributes") or []:
        term = attribute.get("taxonomy_term") if isinstance(attribute, dict) else None
        if isinstance(term, dict):
            names += [_text(term.get("name")), _text(term.get("term"))]
    for term in service.get("taxonomy_terms") or service.get("service_taxonomys") or []:
        if isinstance(term, dict):
            names.append(_text(term.get("name") or (term.get("taxonomy") or {}).get("name")))
    for audience in service.get("pc_targetAudience") or []:
        if isinstance(audience, dict):
            names.append(_text(audience.get("audienceType")))
    found: list[Theme] = []
    for name in names:
        theme = themes.get(name.lower()) if name else None
        if theme is not None and theme not in found:
            found.append(theme)
    return found


def _group_values(
    organization: dict[str, Any], services: list[dict[str, Any]], report: OrukImportReport
) -> dict[str, Any]:
    website = _website(organization.get("website") or organization.get("url"), report)
    email = _email_of(organization.get("email"), report)
    for service in services:
        email = email or _email_of(service.get("email"), report)
    charity = ""
    for identifier in organization.get("organization_identifiers") or []:
        if isinstance(identifier, dict) and identifier.get("identifier_scheme") == "GB-CHC":
            charity = _text(identifier.get("identifier"), 16)
    name = _text(organization.get("name"))
    if len(name) > 200:
        report.notes[TRUNCATED] += 1
    return {
        "name": _text(name, 200),
        "description": _description(organization.get("description"), report),
        "website": website,
        # A service e-mail published in a public directory is not a person's
        # private contact: it goes where a group's published e-mail goes.
        "public_email": email,
        "charity_number": charity,
        "kind": GroupKind.CHARITY if charity else GroupKind.OTHER,
    }


def _import_organization(
    *,
    org_id: str,
    organization: dict[str, Any],
    services: list[dict[str, Any]],
    existing: CommunityGroup | None,
    located: tuple[Any, str, str],
    neighbourhoods: dict[str, Any],
    activities: dict[tuple[int, str], Activity],
    themes: dict[str, Theme],
    report: OrukImportReport,
) -> None:
    values = _group_values(organization, services, report)
    location, postcode, place = located
    group = existing or CommunityGroup(
        source=GroupSource.OPENREFERRAL,
        external_id=org_id,
        status=VerificationStatus.PENDING,
        email_verified_at=timezone.now(),
    )
    for name, value in values.items():
        setattr(group, name, value)
    if location is not None:
        group.latitude, group.longitude = location.latitude, location.longitude
        group.outside_area = location.outside_area
        group.postcode = postcode
        if location.neighbourhood_code:
            group.neighbourhood = neighbourhoods.get(location.neighbourhood_code)
    else:
        report.notes[NO_LOCATION] += len(services)
    group.save()
    if existing is None:
        report.groups_created += 1
    else:
        report.groups_updated += 1
    seen: set[str] = set()
    for service in services:
        title = _text(service.get("name"), 200)
        if len(_text(service.get("name"))) > 200:
            report.notes[TRUNCATED] += 1
        if title.lower() in seen:
            report.notes[MERGED] += 1
            continue
        seen.add(title.lower())
        activity = activities.get((group.pk, title.lower()))
        created = activity is None
        activity = activity or Activity(group=group, title=title)
        activity.description = _description(service.get("description"), report)
        if place:
            activity.where = place
        activity.save()
        chosen = _themes_of(service, themes)
        if chosen:
            activity.themes.set(chosen)
        if created:
            report.activities_created += 1
        else:
            report.activities_updated += 1


def _org_location(services: list[dict[str, Any]]) -> tuple[Any, str, str]:
    """The first usable location of an organisation's services."""
    for service in services:
        location, postcode, place = _location(service)
        if location is not None:
            return location, postcode, place
    return None, "", ""


def groups_import_openreferral(
    *,
    services: list[Any],
    progress: Callable[[Iterable[Any]], Iterable[Any]] | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> OrukImportReport:
    """Create or update groups and activities from ORUK services. Idempotent.

    Locating the organisations (a lookup per service: the slow part) comes
    first and writes nothing; ``progress`` wraps that loop, so a progress
    bar or page moves while it runs. Then everything is written in one
    transaction: all or nothing. ``on_stage`` hears when writing starts.
    """
    from places.models import Neighbourhood

    report = OrukImportReport(services=len(services))
    by_org: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
    for service in services:
        reason = _skip_reason(service)
        if reason is not None:
            report.skipped[reason] += 1
            continue
        organization = service["organization"]
        org_id = _text(organization["id"], 200)
        by_org.setdefault(org_id, (organization, []))[1].append(service)
    report.organizations = len(by_org)
    items = list(by_org.items())
    located = {
        org_id: _org_location(org_services)
        for org_id, (_organization, org_services) in (progress(items) if progress else items)
    }
    codes = {found[0].neighbourhood_code for found in located.values() if found[0] is not None}
    neighbourhoods = {
        hood.code: hood for hood in Neighbourhood.objects.filter(code__in=codes - {None, ""})
    }
    if on_stage is not None:
        on_stage(f"Saving {len(items):,} organisations")
    with transaction.atomic():
        # Two queries up front instead of two per organisation and service.
        groups = {
            g.external_id: g
            for g in CommunityGroup.objects.filter(
                source=GroupSource.OPENREFERRAL, external_id__in=list(by_org)
            )
        }
        activities = {
            (a.group_id, a.title.lower()): a
            for a in Activity.objects.filter(group__in=list(groups.values()))
        }
        themes = _theme_lookup()
        for org_id, (organization, org_services) in items:
            _import_organization(
                org_id=org_id,
                organization=organization,
                services=org_services,
                existing=groups.get(org_id),
                located=located[org_id],
                neighbourhoods=neighbourhoods,
                activities=activities,
                themes=themes,
                report=report,
            )
        tables_analyze(models=[CommunityGroup, Activity])
    return report
