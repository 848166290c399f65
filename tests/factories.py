"""factory_boy factories shared by the whole suite.

Neighbourhoods are small squares (about 700 m x 1.1 km) around Salford, so
tests need no boundary file; use the real shipped data where the real
geography matters.
"""

from __future__ import annotations

import factory
import shapely
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.roles import ANCHOR_TEAM, BOARD, GROUP_CONTACT, SUPPLIER
from partners import models as pm
from places.models import Neighbourhood, NeighbourhoodKind


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def roles(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        for name in extracted or []:
            self.groups.add(Group.objects.get(name=name))


def square(lon: float, lat: float, size: float = 0.01) -> bytes:
    """WKB of a square with its south-west corner at (lon, lat), EPSG:4326 degrees."""
    return shapely.to_wkb(shapely.box(lon, lat, lon + size, lat + size))


class NeighbourhoodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Neighbourhood
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"E0199{n:04d}")
    name = factory.Sequence(lambda n: f"Testford {n:03d}A")
    kind = NeighbourhoodKind.LSOA21
    la_code = "E08000006"
    la_name = "Salford"
    # A grid of 0.01-degree squares, 50 across and 10 down from (-2.35, 53.48),
    # that wraps round: however many a long suite makes, every square stays
    # within about 35 km of Salford (and of the factories' sites).
    min_lon = factory.Sequence(lambda n: -2.35 + 0.01 * (n % 50))
    min_lat = factory.Sequence(lambda n: 53.48 + 0.01 * ((n // 50) % 10))
    max_lon = factory.LazyAttribute(lambda o: o.min_lon + 0.01)
    max_lat = factory.LazyAttribute(lambda o: o.min_lat + 0.01)
    point_lon = factory.LazyAttribute(lambda o: o.min_lon + 0.005)
    point_lat = factory.LazyAttribute(lambda o: o.min_lat + 0.005)
    geometry = factory.LazyAttribute(lambda o: square(o.min_lon, o.min_lat))
    imd_edition = "2025"
    imd_decile = factory.Sequence(lambda n: n % 10 + 1)
    imd_rank = factory.Sequence(lambda n: 1000 + n)
    imd_score = 30.0
    population = 1500


def theme(slug: str) -> pm.Theme:
    """A theme from the shipped taxonomy (loaded by migration)."""
    return pm.Theme.objects.get(slug=slug)


class CommunityGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pm.CommunityGroup

    name = factory.Sequence(lambda n: f"Friends of Test Park {n}")
    description = "We meet every week."
    kind = pm.GroupKind.UNREGISTERED
    contact_name = factory.Sequence(lambda n: f"Contact Person{n}")
    contact_email = factory.Sequence(lambda n: f"contact{n}@example.org")
    contact_phone = "0161 496 0000"
    neighbourhood = factory.SubFactory(NeighbourhoodFactory)
    postcode = "M5 4WT"
    latitude = factory.LazyAttribute(
        lambda o: o.neighbourhood.point_lat if o.neighbourhood else None
    )
    longitude = factory.LazyAttribute(
        lambda o: o.neighbourhood.point_lon if o.neighbourhood else None
    )
    consent_public = True
    consent_wording_version = "2026-11"
    consent_recorded_at = factory.LazyFunction(timezone.now)
    email_verified_at = factory.LazyFunction(timezone.now)
    status = pm.VerificationStatus.VERIFIED


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pm.Activity
        skip_postgeneration_save = True

    group = factory.SubFactory(CommunityGroupFactory)
    title = factory.Sequence(lambda n: f"Lunch club {n}")
    description = "A hot meal and company."
    people_reached_per_month = 40

    @factory.post_generation
    def themes(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        for slug in extracted if extracted is not None else ["loneliness-and-isolation"]:
            self.themes.add(theme(slug))


class NeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pm.Need

    activity = factory.SubFactory(ActivityFactory)
    kind = pm.NeedKind.SEED_FUNDING
    amount = 50_000  # pence: £500
    why = "To buy a cooker."


class AnchorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pm.Anchor
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Anchor Trust {n}")
    slug = factory.Sequence(lambda n: f"anchor-{n}")
    kind = pm.AnchorKind.NHS_TRUST
    giving_prefix = factory.Sequence(lambda n: f"anchor{n}")


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pm.Site

    anchor = factory.SubFactory(AnchorFactory)
    name = factory.Sequence(lambda n: f"Health centre {n}")
    kind = pm.SiteKind.HEALTH_CENTRE
    latitude = 53.485
    longitude = -2.30


def member(anchor: pm.Anchor, role: str, **user_kwargs: object) -> object:
    """A user who acts for ``anchor`` as team or board."""
    group_name = ANCHOR_TEAM if role == pm.MembershipRole.TEAM else BOARD
    user = UserFactory(roles=[group_name], **user_kwargs)
    pm.AnchorMembership.objects.create(user=user, anchor=anchor, role=role)
    return user


def contact_of(group: pm.CommunityGroup, **user_kwargs: object) -> object:
    """The signed-in contact user of ``group``."""
    user = UserFactory(roles=[GROUP_CONTACT], email=group.contact_email, **user_kwargs)
    group.contact_user = user
    group.save(update_fields=["contact_user"])
    return user


class SupplierFactory(factory.django.DjangoModelFactory):
    """A supplier organisation of an anchor."""

    class Meta:
        model = pm.SupplierOrganisation

    anchor = factory.SubFactory(AnchorFactory)
    name = factory.Sequence(lambda n: f"Supplier {n} Ltd")


def supplier_staff(supplier: pm.SupplierOrganisation, **user_kwargs: object) -> object:
    """A user who acts for ``supplier`` (and so for nothing else of its anchor)."""
    user = UserFactory(roles=[SUPPLIER], **user_kwargs)
    pm.SupplierMembership.objects.create(user=user, supplier=supplier)
    return user


class PostcodeFactory(factory.django.DjangoModelFactory):
    """A row of the local postcode table (the "local" geocoder reads it)."""

    class Meta:
        model = "places.Postcode"
        django_get_or_create = ("postcode",)

    postcode = "M5 4WT"
    latitude = 53.4855
    longitude = -2.3445
    neighbourhood_code = ""


def registration_place() -> object:
    """A neighbourhood with a postcode inside it, and a real postcode outside
    every loaded neighbourhood: what the registration pages geocode against."""
    from types import SimpleNamespace

    from places.spatial import index_clear

    index_clear()
    neighbourhood = NeighbourhoodFactory(name="Ordsall Test 001A")
    inside = PostcodeFactory(
        postcode="M5 4WT",
        latitude=neighbourhood.point_lat,
        longitude=neighbourhood.point_lon,
        neighbourhood_code=neighbourhood.code,
    )
    outside = PostcodeFactory(
        postcode="SW1A 1AA", latitude=51.501, longitude=-0.1416, neighbourhood_code=""
    )
    return SimpleNamespace(neighbourhood=neighbourhood, inside=inside, outside=outside)


def registration_answers() -> dict[str, dict[str, object]]:
    """What a person types on each registration page (plain POST data)."""
    return {
        "group": {
            "name": "Ordsall Lunch Club",
            "description": "A hot lunch and company for older neighbours.",
            "kind": pm.GroupKind.UNREGISTERED,
            "charity_number": "",
            "company_number": "",
            "website": "",
        },
        "where": {"postcode": "m5 4wt", "meets_at_home": "no", "address": "St Clement's hall"},
        "activities": {
            "title": "Tuesday lunch club",
            "description": "Soup, a hot meal and a chat.",
            "themes": ["loneliness-and-isolation", "food"],
            "frequency": pm.Frequency.WEEKLY,
            "where": "Church hall",
            "people_reached_per_month": "40",
            "action": "continue",
        },
        "needs": {
            "kind": pm.NeedKind.SEED_FUNDING,
            "amount": "£250.50",
            "space_capacity": "",
            "accessibility_needs": "",
            "why": "To replace the cooker.",
            "action": "continue",
        },
        "contact": {
            "contact_name": "Pat Example",
            "contact_email": "pat@example.org",
            "contact_phone": "0161 496 0000",
            "consent_public": "on",
        },
    }


# --- matching ------------------------------------------------------------------


class ResourceFactory(factory.django.DjangoModelFactory):
    """A seed-funding pot of £10,000 open within 50 km of a site: the whole
    test area, wherever the neighbourhood sequence has got to."""

    class Meta:
        model = "matching.Resource"
        skip_postgeneration_save = True

    anchor = factory.SubFactory(AnchorFactory)
    kind = pm.NeedKind.SEED_FUNDING
    title = factory.Sequence(lambda n: f"Community chest {n}")
    capacity = 1_000_000  # pence: £10,000
    radius_site = factory.LazyAttribute(lambda o: SiteFactory(anchor=o.anchor))
    radius_m = 50_000

    @factory.post_generation
    def themes(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        for slug in extracted or []:
            self.themes.add(theme(slug))


class MatchFactory(factory.django.DjangoModelFactory):
    """A proposal of £150 from a resource to a need."""

    class Meta:
        model = "matching.Match"

    need = factory.SubFactory(NeedFactory)
    resource = factory.SubFactory(ResourceFactory)
    amount = 15_000  # pence: £150
    score = 0.7
    score_parts = factory.LazyFunction(
        lambda: {
            "parts": {
                "theme_fit": 1.0,
                "proximity": 0.8,
                "equity": 1.0,
                "newness": 1.0,
                "value": 0.5,
            },
            "facts": {
                "shared_themes": ["food"],
                "imd_decile": 1,
                "months_since_backed": None,
                "people_reached": 40,
                "site": "Salford Royal",
            },
        }
    )
    distance_m = 2_100.0
    binding = "need fully met"


# --- maps: leadership self-assessment -------------------------------------------


def _a_week_ago() -> object:
    import datetime

    return timezone.now() - datetime.timedelta(days=7)


class AssessmentRoundFactory(factory.django.DjangoModelFactory):
    """An open self-assessment round of an anchor, opened a week ago."""

    class Meta:
        model = "assessment.AssessmentRound"

    anchor = factory.SubFactory(AnchorFactory)
    title = factory.Sequence(lambda n: f"Round {n}")
    opened_at = factory.LazyFunction(_a_week_ago)
    closed_at = None


# --- Groups holding secrets (personal-data scans) -----------------------------
# A home address, phone and e-mail that must never reach the public or a board.
HOME_LAT, HOME_LON = 53.47321, -2.41877  # EPSG:4326; far from every test neighbourhood point
HOME_POSTCODE = "M7 3QX"


def home_based_group(*, neighbourhood: Neighbourhood, **overrides: object) -> pm.CommunityGroup:
    """A consenting, verified group that meets in a member's home."""
    fields: dict[str, object] = {
        "name": "Kersal Knit and Natter",
        "description": "Knitting and a chat in a member's front room.",
        "neighbourhood": neighbourhood,
        "meets_at_home": True,
        "address": "12 Acacia Avenue",
        "postcode": HOME_POSTCODE,
        "latitude": HOME_LAT,
        "longitude": HOME_LON,
        "contact_name": "Margaret Hiddenname",
        "contact_email": "margaret.private@example.net",
        "contact_phone": "07700 900123",
        "public_email": "knitters@example.org",
        **overrides,
    }
    return CommunityGroupFactory(**fields)


def venue_group(*, neighbourhood: Neighbourhood, **overrides: object) -> pm.CommunityGroup:
    """A group meeting at a public venue, with private contact details."""
    fields: dict[str, object] = {
        "name": "Eccles Men's Shed",
        "neighbourhood": neighbourhood,
        "address": "Flat 4, 99 Secret Street",
        "contact_name": "Trevor Concealed",
        "contact_email": "trevor.secret@example.net",
        "contact_phone": "07700 900456",
        **overrides,
    }
    return CommunityGroupFactory(**fields)
