"""No personal data reaches the public, the board, or contacts of other groups.

With a group that meets at home and a group with a public venue in the
data, every page and endpoint the public and the board can open is
rendered (HTML and JSON) and searched for the contacts' names, e-mails,
phones and addresses, the home's postcode and its exact point written at
several precisions.
"""

from __future__ import annotations

import pytest

from partners.models import VerificationStatus
from partners.services.rechecks import recheck_token_make
from tests import factories as f

HOME_LAT, HOME_LON = f.HOME_LAT, f.HOME_LON


def _secrets(*groups):
    found = []
    for g in groups:
        found += [
            g.contact_name,
            g.contact_email,
            g.contact_phone,
            g.contact_phone.replace(" ", ""),
        ]
        if g.address:
            found.append(g.address)
    return found


def _home_point_spellings():
    spellings = []
    for places in range(2, 7):
        spellings.append(f"{HOME_LAT:.{places}f}")
        spellings.append(f"{HOME_LON:.{places}f}")
    return spellings


@pytest.fixture
def scene(personas):
    hood = f.NeighbourhoodFactory(name="Pendleton Central", code="E01005999")
    f.PostcodeFactory(
        postcode="M6 5JA",
        latitude=hood.point_lat,
        longitude=hood.point_lon,
        neighbourhood_code=hood.code,
    )
    home = f.home_based_group(neighbourhood=hood)
    venue = f.venue_group(
        neighbourhood=hood, description="Woodwork at the old library.", postcode="M30 0LS"
    )
    pending = f.CommunityGroupFactory(
        name="Pending Pals",
        neighbourhood=hood,
        status=VerificationStatus.PENDING,
        address="7 Unseen Road",
        contact_name="Pat Unpublished",
        contact_email="pat.unpublished@example.net",
        contact_phone="07700 900789",
    )
    for group in (home, venue, pending, personas.group_a, personas.group_b):
        # "where" is public text for a venue, but at home it is often the address.
        where = group.address if group.meets_at_home else "the community hall"
        activity = f.ActivityFactory(
            group=group, title=f"Weekly session of {group.name}", where=where
        )
        f.NeedFactory(activity=activity)
    f.SiteFactory(anchor=personas.anchor_a, name="Hope Hospital")
    return home, venue, pending


def _urls(personas, home, venue, pending):
    ids = [home.pk, venue.pk, pending.pk, personas.group_a.pk, personas.group_b.pk]
    urls = [
        "/directory/",
        "/directory/?q=knit",
        "/directory/?theme=loneliness-and-isolation",
        "/directory/?postcode=M6+5JA&miles=1",
        "/directory/?postcode=M6+5JA&miles=10&q=session",
        "/api/groups/",
        "/api/groups/?q=knit",
        "/api/groups/?status=pending",
        f"/api/groups/?neighbourhood={home.neighbourhood.code}",
        "/api/activities/",
        "/api/needs/",
        "/api/sites/",
        "/api/anchors/",
        "/api/themes/",
        "/team/groups/",
        "/team/groups/queue/",
        "/team/sites/",
        "/team/rechecks/",
    ]
    # The yearly re-check link's page, open to whoever holds the e-mail: it
    # shows the group's public details, never the contact's or the address.
    urls += [
        f"/group/check/{recheck_token_make(group=group)}/"
        for group in (home, venue, personas.group_a, personas.group_b)
    ]
    for pk in ids:
        urls += [
            f"/directory/{pk}/",
            f"/api/groups/{pk}/",
            f"/api/activities/?group={pk}",
            f"/api/needs/?group={pk}",
            f"/team/groups/{pk}/",
        ]
    return urls


@pytest.mark.parametrize("role", ["anon", "carol", "erin"])
def test_no_personal_field_reaches_the_public_the_board_or_other_contacts(
    client, personas, scene, role
):
    home, venue, pending = scene
    forbidden = _secrets(home, venue, pending, personas.group_a)
    if role == "erin":
        # Her own group's details are hers to see (factories share a phone number).
        own = set(_secrets(personas.group_b))
        forbidden = [secret for secret in forbidden if secret not in own]
    else:
        forbidden += _secrets(personas.group_b)
    forbidden += [home.postcode, home.postcode.replace(" ", ""), *_home_point_spellings()]
    if role != "anon":
        client.force_login(getattr(personas, role))

    for url in _urls(personas, home, venue, pending):
        response = client.get(url)
        assert response.status_code in {200, 302, 403, 404}, url
        body = response.content.decode()
        leaks = [secret for secret in forbidden if secret and secret in body]
        assert not leaks, f"{role} saw {leaks} at {url}"


def test_the_scan_would_notice_a_leak(client, personas, scene):
    # The same scan finds the secrets where they are allowed: the team page.
    home, _venue, _pending = scene
    client.force_login(personas.alice)
    body = client.get(f"/team/groups/{home.pk}/").content.decode()
    assert home.contact_email in body
    assert home.address in body
    assert f"{HOME_LAT}" in client.get(f"/api/groups/{home.pk}/").content.decode()


def test_a_contact_sees_the_personal_fields_of_their_own_group_only(client, personas, scene):
    client.force_login(personas.erin)
    own = client.get(f"/api/groups/{personas.group_b.pk}/").json()
    other = client.get(f"/api/groups/{personas.group_a.pk}/").json()
    assert own["contact_email"] == personas.group_b.contact_email
    assert "contact_email" not in other
