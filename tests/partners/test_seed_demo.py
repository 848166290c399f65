"""manage.py seed_demo: counts, idempotency, logins with the right roles, privacy flags."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from accounts.roles import roles_of
from partners.demo import DEMO_PASSWORD, demo_plan
from partners.models import (
    Activity,
    Anchor,
    AnchorMembership,
    CommunityGroup,
    GroupSource,
    Need,
    Site,
)
from places.models import Postcode
from tests import factories as f

GROUPS = 40


@pytest.fixture
def places(db):  # type: ignore[no-untyped-def]
    """Ten test neighbourhoods with five postcodes each, in real Salford districts."""
    districts = [
        "M5 3",
        "M6 8",
        "M28 3",
        "M38 9",
        "M6 5",
        "M7 1",
        "M27 4",
        "M30 0",
        "M44 5",
        "M3 6",
    ]
    for district in districts:
        hood = f.NeighbourhoodFactory()
        for i in range(5):
            Postcode.objects.create(
                postcode=f"{district}A{'BDEFG'[i]}",
                latitude=hood.point_lat,
                longitude=hood.point_lon,
                neighbourhood_code=hood.code,
            )


def _seed(**kwargs) -> str:  # type: ignore[no-untyped-def]
    out = StringIO()
    call_command("seed_demo", groups=GROUPS, force=True, stdout=out, **kwargs)
    return out.getvalue()


def _counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (
            CommunityGroup,
            Activity,
            Need,
            Anchor,
            Site,
            AnchorMembership,
            get_user_model(),
        )
    )


def test_it_creates_groups_activities_needs_and_two_anchors_with_sites(places):
    _seed()

    assert CommunityGroup.objects.filter(source=GroupSource.DEMO).count() == GROUPS
    assert Activity.objects.count() >= GROUPS
    assert Need.objects.count() > GROUPS // 2
    assert set(Need.objects.values_list("kind", flat=True)) == {
        "profile",
        "time",
        "seed_funding",
        "space",
        "connections",
        "expertise",
    }
    assert sorted(Anchor.objects.values_list("kind", flat=True)) == [
        "housing_association",
        "nhs_trust",
    ]
    assert Site.objects.filter(anchor__kind="nhs_trust").count() == 3
    assert Site.objects.filter(anchor__kind="housing_association").count() == 2


def test_running_it_twice_gives_the_same_counts(places):
    _seed()
    first = _counts()

    output = _seed()

    assert _counts() == first
    assert f"0 created, {GROUPS} already there" in output


def test_it_is_deterministic():
    postcodes = ["M5 3AB", "M6 8AB", "M7 1AB"]

    one = demo_plan(count=50, seed=7, postcodes=postcodes, wards={})
    two = demo_plan(count=50, seed=7, postcodes=postcodes, wards={})

    assert one == two
    assert len({plan["name"] for plan in one}) == 50


def test_names_use_the_ward_of_the_postcode():
    plans = demo_plan(count=20, seed=1, postcodes=["M5 3AB"], wards={"M5 3AB": "Ordsall"})

    assert all("Ordsall" in plan["name"] for plan in plans)


def test_one_login_per_role_with_the_right_memberships(places):
    output = _seed()

    users = {u.username: u for u in get_user_model().objects.all()}
    assert roles_of(users["nhs-team"]) == {"anchor team"}
    assert roles_of(users["homes-team"]) == {"anchor team"}
    assert roles_of(users["board"]) == {"board"}
    assert roles_of(users["contact"]) == {"group contact"}
    assert "admin" in roles_of(users["admin"])
    assert roles_of(users["supplier"]) == {"supplier"}
    supplier = users["supplier"].supplier_membership.supplier
    assert supplier.anchor.kind == "nhs_trust"
    assert users["nhs-team"].anchor_memberships.get().anchor.kind == "nhs_trust"
    assert users["board"].anchor_memberships.filter(role="board").count() == 2
    contact_group = CommunityGroup.objects.get(contact_user=users["contact"])
    assert contact_group.is_public
    for name, user in users.items():
        # A group signs in by e-mailed link: no password to list or use.
        assert user.check_password(DEMO_PASSWORD) == (name != "contact")
    assert "Demo logins" in output
    assert DEMO_PASSWORD in output
    (contact_line,) = [line for line in output.splitlines() if "group contact" in line]
    assert "/group/sign-in/" in contact_line and users["contact"].email in contact_line


def test_some_groups_meet_at_home_most_consent_and_some_wait_for_review():
    plans = demo_plan(count=300, seed=2026, postcodes=["M5 3AB", "M6 8AB"], wards={})

    at_home = sum(plan["meets_at_home"] for plan in plans)
    consenting = sum(plan["consent_public"] for plan in plans)
    pending = sum(plan["status"] == "pending" for plan in plans)
    assert 25 <= at_home <= 75  # about 15%
    assert 210 <= consenting <= 270  # about 80%
    assert 20 <= pending <= 80


def test_contacts_are_unreachable_inventions(places):
    _seed()

    for email, phone in CommunityGroup.objects.values_list("contact_email", "contact_phone"):
        assert email.endswith("@example.org")
        assert phone.startswith("0161 496 0")  # Ofcom's range for drama


def test_money_is_in_whole_pounds_of_pence(places):
    _seed()

    for amount in Need.objects.filter(kind="seed_funding").values_list("amount", flat=True):
        assert amount % 100 == 0
        assert 10_000 <= amount <= 200_000


def test_it_refuses_to_run_without_debug_or_force(places, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("seed_demo", groups=5, stdout=StringIO())
    assert not CommunityGroup.objects.exists()


def test_it_needs_postcodes(db):
    f.NeighbourhoodFactory()

    with pytest.raises(CommandError, match="load_places"):
        call_command("seed_demo", groups=5, force=True, stdout=StringIO())
