"""Demo data for a real place: about 300 invented groups across Salford.

Everything is invented except the geography: postcodes are sampled from the
loaded Postcode table, and names use the ward a postcode is in (from the
shipped places/data/salford_postcodes.csv) so "Ordsall Lunch Club" really is
in Ordsall. Contact e-mails are at example.org and phone numbers in Ofcom's
drama range (0161 496 0xxx), so no real person can be reached.

Deterministic (one random.Random(seed) drives every choice) and idempotent:
groups are keyed by external_id "demo-0001"...; a second run creates only
what is missing and never touches rows a person may have changed since.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts.roles import GROUP_CONTACT, SUPPLIER
from config.dbstats import tables_analyze
from partners.demo_data import (
    ANCHORS,
    DEMO_SUPPLIER,
    DEMO_USERS,
    EXTRA_ACTIVITIES,
    FIRST,
    GROUP_TYPES,
    LAST,
    NEED_WHY,
)
from partners.models import (
    Activity,
    Anchor,
    AnchorMembership,
    CommunityGroup,
    Frequency,
    GroupKind,
    GroupSource,
    Need,
    NeedKind,
    Site,
    SupplierMembership,
    SupplierOrganisation,
    Theme,
    VerificationStatus,
)
from places.models import Neighbourhood, Postcode

# Printed by seed_demo; it is only ever set when DEBUG is on or --force is given.
DEMO_PASSWORD = "backer-demo-2026"  # noqa: S105
CONSENT_WORDING_VERSION = "demo"
WARDS_FILE = Path(__file__).resolve().parent.parent / "places" / "data" / "salford_postcodes.csv"
FALLBACK_PLACES = ("Ordsall", "Weaste", "Seedley", "Pendleton", "Broughton", "Swinton", "Eccles")


@dataclass
class DemoReport:
    groups_created: int = 0
    groups_existing: int = 0
    activities_created: int = 0
    needs_created: int = 0
    logins: list[tuple[str, str]] = field(default_factory=list)


def _wards() -> dict[str, str]:
    """Postcode -> ward name, from the shipped Salford postcode file."""
    if not WARDS_FILE.exists():
        return {}
    with WARDS_FILE.open(newline="", encoding="utf-8") as handle:
        return {row["postcode"]: row["ward_name"] for row in csv.DictReader(handle)}


def _need(rng: random.Random, kind: str) -> dict[str, Any]:
    amounts: dict[str, int] = {
        NeedKind.SEED_FUNDING: rng.choice((150, 250, 300, 500, 750, 1000, 1500, 2000)) * 100,
        NeedKind.TIME: rng.randint(2, 16),
        NeedKind.SPACE: rng.randint(2, 8),
        NeedKind.PROFILE: rng.randint(1, 4),
        NeedKind.CONNECTIONS: rng.randint(1, 5),
        NeedKind.EXPERTISE: rng.randint(2, 20),
    }
    need = {"kind": kind, "amount": amounts[kind], "why": rng.choice(NEED_WHY[kind])}
    need["needed_by_days"] = rng.randint(30, 240)
    if kind == NeedKind.SPACE:
        need["space_capacity"] = rng.choice((10, 15, 20, 30, 40, 60))
        need["accessibility_needs"] = rng.choice(
            ("", "Step-free access", "Hearing loop", "Accessible toilet")
        )
    return need


def _activities_plan(
    rng: random.Random, title: str, themes: tuple[str, ...], frequency: str, reach: tuple[int, int]
) -> list[dict[str, Any]]:
    """A group's main activity, up to two extra ones, and each one's needs."""
    activities = [
        {
            "title": title,
            "themes": themes,
            "frequency": frequency,
            "people": rng.randint(*reach),
        }
    ]
    for extra, extra_frequency in rng.sample(
        EXTRA_ACTIVITIES, k=rng.choices((0, 1, 2), (6, 3, 1))[0]
    ):
        activities.append(
            {
                "title": extra,
                "themes": themes[:1],
                "frequency": extra_frequency,
                "people": rng.randint(5, reach[1]),
            }
        )
    kinds = list(NeedKind.values)
    for activity in activities:
        activity["needs"] = [
            _need(rng, kind) for kind in rng.sample(kinds, k=rng.choices((0, 1, 2), (2, 5, 3))[0])
        ]
    return activities


def demo_plan(
    *, count: int, seed: int, postcodes: list[str], wards: dict[str, str]
) -> list[dict[str, Any]]:
    """What to create, with no database access: the same input, the same plan."""
    rng = random.Random(seed)
    plans: list[dict[str, Any]] = []
    names: set[str] = set()
    for i in range(1, count + 1):
        postcode = rng.choice(postcodes)
        places = [p.strip() for p in wards.get(postcode, "").split("&") if p.strip()]
        place = (
            rng.choice(places or list(FALLBACK_PLACES))
            .removesuffix(" North")
            .removesuffix(" South")
        )
        pattern, kind, title, themes, frequency, reach, home_friendly = rng.choice(GROUP_TYPES)
        name = pattern.format(p=place).replace("Park Park", "Park")
        if name in names:
            name = f"{name} ({postcode.split()[0]})"
        if name in names:
            name = f"{name} {i}"
        names.add(name)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        status_roll = rng.random()
        activities = _activities_plan(rng, title, themes, frequency, reach)
        plans.append(
            {
                "external_id": f"demo-{i:04d}",
                "name": name,
                "kind": kind,
                "description": f"{title} for people in and around {place}.",
                "postcode": postcode,
                # ~15% meet at home: more often the groups that plausibly would.
                "meets_at_home": rng.random() < (0.45 if home_friendly else 0.09),
                "consent_public": rng.random() < 0.8,
                "status": VerificationStatus.VERIFIED
                if status_roll < 0.8
                else VerificationStatus.REJECTED
                if status_roll > 0.97
                else VerificationStatus.PENDING,
                "email_verified": status_roll < 0.94 or status_roll > 0.97,
                "charity_number": str(1_100_000 + rng.randint(0, 99_999))
                if kind in {"charity", "cio"}
                else "",
                "contact_name": f"{first} {last}",
                "contact_email": f"{first}.{last}.{i}@example.org".lower(),
                "contact_phone": f"0161 496 0{rng.randint(0, 999):03d}",
                "activities": activities,
            }
        )
    # The demo contact's group is an ordinary public one, so every page shows something.
    if plans:
        plans[0].update(
            meets_at_home=False,
            consent_public=True,
            status=VerificationStatus.VERIFIED,
            email_verified=True,
        )
    return plans


def _demo_last_checked_days_ago(plan: dict[str, Any], report: DemoReport) -> int:
    """One verified group in 25 is due for its yearly re-check (checked 380
    days ago: past 12 months, not yet 13), so the team's queue and the
    re-check e-mails have something to show; the rest were checked today."""
    due = plan["status"] == VerificationStatus.VERIFIED and report.groups_created % 25 == 7
    return 380 if due else 0


def _create_group(
    plan: dict[str, Any],
    location: Any,
    hoods: dict[str, Neighbourhood],
    themes: dict[str, Theme],
    report: DemoReport,
) -> None:
    now = timezone.now()
    hood = (
        hoods.get(location.neighbourhood_code) if location and location.neighbourhood_code else None
    )
    group = CommunityGroup.objects.create(
        source=GroupSource.DEMO,
        external_id=plan["external_id"],
        name=plan["name"],
        description=plan["description"],
        kind=plan["kind"] if plan["kind"] in GroupKind.values else GroupKind.OTHER,
        charity_number=plan["charity_number"],
        contact_name=plan["contact_name"],
        contact_email=plan["contact_email"],
        contact_phone=plan["contact_phone"],
        postcode=plan["postcode"],
        latitude=location.latitude if location else None,
        longitude=location.longitude if location else None,
        outside_area=bool(location and location.outside_area),
        neighbourhood=hood,
        meets_at_home=plan["meets_at_home"],
        consent_public=plan["consent_public"],
        consent_recorded_at=now if plan["consent_public"] else None,
        consent_wording_version=CONSENT_WORDING_VERSION if plan["consent_public"] else "",
        email_verified_at=now if plan["email_verified"] else None,
        status=plan["status"],
        reviewed_at=now if plan["status"] != VerificationStatus.PENDING else None,
        last_checked_at=now - timedelta(days=_demo_last_checked_days_ago(plan, report)),
    )
    report.groups_created += 1
    for spec in plan["activities"]:
        activity = Activity.objects.create(
            group=group,
            title=spec["title"],
            description=f"{spec['title']} run by {group.name}.",
            where="" if group.meets_at_home else f"Community centre, {group.name.split()[0]}",
            frequency=spec["frequency"]
            if spec["frequency"] in Frequency.values
            else Frequency.WEEKLY,
            people_reached_per_month=spec["people"],
        )
        activity.themes.set([themes[slug] for slug in spec["themes"] if slug in themes])
        if hood is not None:
            activity.neighbourhoods_served.set([hood])
        report.activities_created += 1
        for need in spec["needs"]:
            Need.objects.create(
                activity=activity,
                kind=need["kind"],
                amount=need["amount"],
                why=need["why"],
                needed_by=timezone.localdate() + timedelta(days=need["needed_by_days"]),
                space_capacity=need.get("space_capacity"),
                accessibility_needs=need.get("accessibility_needs", ""),
            )
            report.needs_created += 1


def _anchors(postcodes: list[str], rng: random.Random) -> dict[str, Anchor]:
    from places.geocoding import postcodes_lookup

    anchors: dict[str, Anchor] = {}
    for spec in ANCHORS:
        anchor, _ = Anchor.objects.get_or_create(
            slug=spec["slug"],
            defaults={
                "name": spec["name"],
                "kind": spec["kind"],
                "giving_prefix": spec["giving_prefix"],
            },
        )
        anchors[anchor.slug] = anchor
        for name, kind, district in spec["sites"]:
            if Site.objects.filter(anchor=anchor, name=name).exists():
                continue
            near = [pc for pc in postcodes if pc.startswith(f"{district}")]
            postcode = near[0] if near else rng.choice(postcodes)
            location = postcodes_lookup(postcodes=[postcode])[postcode]
            Site.objects.create(
                anchor=anchor,
                name=name,
                kind=kind,
                postcode=postcode,
                latitude=location.latitude,
                longitude=location.longitude,
                neighbourhood=Neighbourhood.objects.filter(
                    code=location.neighbourhood_code or ""
                ).first(),
            )
    hoods = Neighbourhood.objects.all()
    nhs, homes = anchors["irwell-riverside-nhs-demo"], anchors["irwell-bank-homes-demo"]
    nhs.service_area.set(hoods)
    # The housing association works where its homes are: the more deprived half.
    homes.service_area.set(
        hoods.filter(imd_decile__lte=5) if hoods.filter(imd_decile__lte=5).exists() else hoods
    )
    return anchors


def _logins(anchors: dict[str, Anchor], report: DemoReport) -> None:
    user_model = get_user_model()
    contact_group = (
        CommunityGroup.objects.filter(source=GroupSource.DEMO).order_by("external_id").first()
    )
    for username, role, slugs, membership in DEMO_USERS:
        email = (
            contact_group.contact_email
            if role == GROUP_CONTACT and contact_group
            else f"{username}@example.org"
        )
        user, _ = user_model.objects.get_or_create(username=username, defaults={"email": email})
        if role == GROUP_CONTACT:
            # Groups sign in with an e-mailed link, never a password.
            user.set_unusable_password()
        else:
            user.set_password(DEMO_PASSWORD)
        if role == "admin":
            user.is_staff = user.is_superuser = True
        user.save()
        if role != "admin":
            user.groups.add(Group.objects.get(name=role))
        for slug in slugs:
            AnchorMembership.objects.get_or_create(user=user, anchor=anchors[slug], role=membership)
        if (
            role == GROUP_CONTACT
            and contact_group is not None
            and contact_group.contact_user_id is None
        ):
            contact_group.contact_user = user
            contact_group.save(update_fields=["contact_user"])
        if role == GROUP_CONTACT:
            report.logins.append((email, "group contact: emailed link at /group/sign-in/"))
        else:
            report.logins.append((username, role))
    _supplier_login(anchors, report)


def _supplier_login(anchors: dict[str, Anchor], report: DemoReport) -> None:
    username, name, slug = DEMO_SUPPLIER
    supplier, _ = SupplierOrganisation.objects.get_or_create(anchor=anchors[slug], name=name)
    user, _ = get_user_model().objects.get_or_create(
        username=username, defaults={"email": f"{username}@example.org"}
    )
    user.set_password(DEMO_PASSWORD)
    user.save()
    user.groups.add(Group.objects.get(name=SUPPLIER))
    SupplierMembership.objects.get_or_create(user=user, defaults={"supplier": supplier})
    report.logins.append((username, f"{SUPPLIER} ({name})"))


def demo_seed(*, groups: int = 300, seed: int = 2026) -> DemoReport:
    """Create the demo groups, anchors, sites and logins that are missing."""
    from places.geocoding import postcodes_lookup

    postcodes = sorted(Postcode.objects.values_list("postcode", flat=True))
    if not postcodes:
        raise ValueError("No postcodes are loaded. Run: manage.py load_places --demo")
    plans = demo_plan(count=groups, seed=seed, postcodes=postcodes, wards=_wards())
    report = DemoReport()
    existing = set(
        CommunityGroup.objects.filter(source=GroupSource.DEMO).values_list("external_id", flat=True)
    )
    missing = [plan for plan in plans if plan["external_id"] not in existing]
    report.groups_existing = len(plans) - len(missing)
    locations = (
        postcodes_lookup(postcodes=[plan["postcode"] for plan in missing]) if missing else {}
    )
    hoods = {n.code: n for n in Neighbourhood.objects.all()}
    themes = {t.slug: t for t in Theme.objects.all()}
    with transaction.atomic():
        for plan in missing:
            _create_group(plan, locations.get(plan["postcode"]), hoods, themes, report)
        anchors = _anchors(postcodes, random.Random(seed))
        _logins(anchors, report)
        tables_analyze(models=[CommunityGroup, Activity, Need])
    return report
