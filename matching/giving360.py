"""360Giving export of seed-funding awards (Data Standard 1.4.3).

One grant per approved (or later) seed-funding match. JSON uses the
standard's camelCase field names inside a ``{"grants": [...]}`` package; CSV
uses the spreadsheet column titles ("Recipient Org:Identifier").

What is published: the group's name and registered numbers, the award and
its date, and the neighbourhood (LSOA code) it benefits. Never a contact,
an address, a postcode or a point: a group that meets at home would be found.
Amounts are stored in pence and published in pounds.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from matching.models import HOLDING_STATUSES, Match
from partners.models import Anchor, NeedKind
from places.models import NeighbourhoodKind

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas" / "360giving"
VERSION = "1.4"

# Our neighbourhood kinds to the geoCodeType codelist (codelists/geoCodeType.csv).
GEO_CODE_TYPES: dict[str, str] = {
    NeighbourhoodKind.LSOA21: "LSOA",
    NeighbourhoodKind.LSOA11: "LSOA",
    NeighbourhoodKind.MSOA11: "MSOA",
    NeighbourhoodKind.WARD: "WD",
}

CSV_COLUMNS = (
    "Identifier",
    "Title",
    "Description",
    "Currency",
    "Amount Awarded",
    "Award Date",
    "Recipient Org:Identifier",
    "Recipient Org:Name",
    "Recipient Org:Charity Number",
    "Recipient Org:Company Number",
    "Beneficiary Location:Name",
    "Beneficiary Location:Country Code",
    "Beneficiary Location:Geographic Code",
    "Beneficiary Location:Geographic Code Type",
    "Funding Org:Identifier",
    "Funding Org:Name",
    "Grant Programme:Title",
    "Last Modified",
)


def awards(*, anchor_ids: Iterable[int] | None = None) -> QuerySet[Match]:
    qs = (
        Match.objects.filter(resource__kind=NeedKind.SEED_FUNDING, status__in=HOLDING_STATUSES)
        .select_related("resource__anchor", "need__activity__group__neighbourhood")
        .order_by("id")
    )
    if anchor_ids is not None:
        qs = qs.filter(resource__anchor_id__in=list(anchor_ids))
    return qs


def _prefix(anchor: Anchor) -> str:
    return anchor.giving_prefix or anchor.slug


def _pounds(pence: int) -> int | float:
    value = Decimal(pence) / 100
    return int(value) if value == value.to_integral_value() else float(value)


def grant(match: Match) -> dict[str, Any]:
    """One grant in the 360Giving JSON shape."""
    anchor = match.resource.anchor
    prefix = _prefix(anchor)
    group = match.need.activity.group
    activity = match.need.activity
    if group.charity_number:
        recipient_id = f"GB-CHC-{group.charity_number.strip()}"
    elif group.company_number:
        recipient_id = f"GB-COH-{group.company_number.strip()}"
    else:
        recipient_id = f"360G-{prefix}-org-{group.pk}"
    recipient: dict[str, Any] = {"id": recipient_id, "name": group.name}
    if group.charity_number:
        recipient["charityNumber"] = group.charity_number.strip()
    if group.company_number:
        recipient["companyNumber"] = group.company_number.strip()
    awarded = match.reviewed_at or match.created_at
    out: dict[str, Any] = {
        "id": f"360G-{prefix}-{match.pk}",
        "title": f"{match.resource.title}: {activity.title}"[:140],
        "description": (match.need.why or activity.description or activity.title).strip(),
        "currency": "GBP",
        "amountAwarded": _pounds(match.amount),
        # A full date-time: the schema's oneOf(date-time, YYYY-MM-DD) is
        # ambiguous for a bare date when validators skip the format check.
        "awardDate": timezone.localtime(awarded).isoformat(timespec="seconds"),
        "recipientOrganization": [recipient],
        "fundingOrganization": [
            {"id": anchor.org_identifier or f"360G-{prefix}", "name": anchor.name}
        ],
        "grantProgramme": [{"title": match.resource.title}],
        "dateModified": timezone.localtime(match.updated_at).isoformat(timespec="seconds"),
    }
    nbhd = group.neighbourhood
    if nbhd is not None and nbhd.kind in GEO_CODE_TYPES:
        out["beneficiaryLocation"] = [
            {
                "name": nbhd.name,
                "countryCode": "GB",
                "geoCode": nbhd.code,
                "geoCodeType": GEO_CODE_TYPES[nbhd.kind],
            }
        ]
    return out


def package(*, anchor_ids: Iterable[int] | None = None) -> dict[str, Any]:
    return {"grants": [grant(m) for m in awards(anchor_ids=anchor_ids)], "version": VERSION}


def to_json(*, anchor_ids: Iterable[int] | None = None) -> str:
    return json.dumps(package(anchor_ids=anchor_ids), indent=2, ensure_ascii=False)


def _row(g: dict[str, Any]) -> dict[str, Any]:
    recipient = g["recipientOrganization"][0]
    funder = g["fundingOrganization"][0]
    location = (g.get("beneficiaryLocation") or [{}])[0]
    return {
        "Identifier": g["id"],
        "Title": g["title"],
        "Description": g["description"],
        "Currency": g["currency"],
        "Amount Awarded": g["amountAwarded"],
        "Award Date": g["awardDate"],
        "Recipient Org:Identifier": recipient["id"],
        "Recipient Org:Name": recipient["name"],
        "Recipient Org:Charity Number": recipient.get("charityNumber", ""),
        "Recipient Org:Company Number": recipient.get("companyNumber", ""),
        "Beneficiary Location:Name": location.get("name", ""),
        "Beneficiary Location:Country Code": location.get("countryCode", ""),
        "Beneficiary Location:Geographic Code": location.get("geoCode", ""),
        "Beneficiary Location:Geographic Code Type": location.get("geoCodeType", ""),
        "Funding Org:Identifier": funder["id"],
        "Funding Org:Name": funder["name"],
        "Grant Programme:Title": g["grantProgramme"][0]["title"],
        "Last Modified": g["dateModified"],
    }


def to_csv(*, anchor_ids: Iterable[int] | None = None) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for g in package(anchor_ids=anchor_ids)["grants"]:
        writer.writerow(
            {
                # A leading =, +, - or @ would run as a formula in a spreadsheet.
                # (v[:1] of "" is "", which `in` any string: check it is not empty.)
                k: f"'{v}" if isinstance(v, str) and v and v[0] in "=+-@" else v
                for k, v in _row(g).items()
            }
        )
    return buffer.getvalue()
