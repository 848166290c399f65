"""No personal data reaches the public, the board or a supplier, anywhere on the site.

Every GET row of the permission matrix that the public or the board may open
(pages, JSON, the REST API, Open Referral, maps and their frames, board
reports and charts) is fetched as an anonymous caller, as carol (anchor
A's board) and as sam (a supplier of anchor A, whose pledge has been offered
to the group at home, which has not accepted yet: so no contact for him),
with a group that meets at home in the data, backed by anchor A.
Each body, HTML, JSON or image, is searched for every group's contact name,
e-mail and phone, every address, the home's full postcode, and its exact
point written at several precisions.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache

from matching.models import MatchFeedback, MatchGroupReport, MatchStatus
from partners.openreferral.ids import oruk_id
from tests import factories as f
from tests.security.test_permission_matrix import ROWS

HOME_LAT, HOME_LON, HOME_POSTCODE = f.HOME_LAT, f.HOME_LON, f.HOME_POSTCODE


def _secrets(group) -> list[str]:
    values = [
        group.contact_name,
        group.contact_email,
        group.contact_phone,
        group.contact_phone.replace(" ", ""),
        group.address,
    ]
    return [v for v in values if v]


def _home_point_spellings() -> list[str]:
    # 3 decimal places is ~100 m: already enough to find a front door.
    return [f"{value:.{places}f}" for places in range(3, 7) for value in (HOME_LAT, HOME_LON)]


@pytest.fixture
def scene(world):
    """The matrix's world, plus a group that meets at a member's home, backed
    by anchor A (so it counts on the board's maps and tables), and a group
    with a public venue; both rated their backing and told what happened
    (the venue group consented to be quoted to the board, the home group did
    not: its words name its address)."""
    personas, ids = world
    hood = personas.group_a.neighbourhood
    home = f.home_based_group(neighbourhood=hood)
    venue = f.venue_group(neighbourhood=hood)
    for group in (home, venue):
        # At home, "where" is often the address itself.
        where = group.address if group.meets_at_home else "the old library"
        activity = f.ActivityFactory(group=group, title=f"Sessions of {group.name}", where=where)
        need = f.NeedFactory(activity=activity)
        match = f.MatchFactory(
            need=need,
            resource_id=ids["resource_a"],
            status=MatchStatus.ACTIVE,
        )
        # The groups' voice on the board: a rating, and words it may quote.
        MatchFeedback.objects.create(
            match=match,
            helped=4,
            listened=4,
            again="yes",
            comment=f"Our sessions at {where} grew.",
            quote_consent=not group.meets_at_home,
            quote_consent_at=None if group.meets_at_home else match.created_at,
        )
        # And its own story of what happened, under its own consent likewise.
        MatchGroupReport.objects.create(
            match=match,
            people_reached=5,
            story=f"Five neighbours came to {where} every week.",
            quote_consent=not group.meets_at_home,
            quote_consent_at=None if group.meets_at_home else match.created_at,
        )
    home_activity = home.activities.get()
    # sam's pledge offered to the home group, not accepted: he sees the match,
    # never the group's contact or address.
    offered = f.MatchFactory(
        need=f.NeedFactory(activity=home_activity),
        resource_id=ids["pledge_a"],
        status=MatchStatus.APPROVED,
    )
    offered.events.create(from_status="proposed", to_status="approved")
    ids = {
        **ids,
        "home": home.pk,
        "oruk_home": oruk_id("organization", home.pk),
        "oruk_home_service": oruk_id("service", home_activity.pk),
        "pledge_offer_home": offered.pk,
    }
    groups = [home, venue, personas.group_a, personas.group_b]
    forbidden = [s for g in groups for s in _secrets(g)]
    forbidden += [HOME_POSTCODE, HOME_POSTCODE.replace(" ", ""), *_home_point_spellings()]
    return personas, ids, forbidden


# Beyond the matrix's rows: the home group's own pages, and searches that find it.
EXTRA_URLS = [
    "/directory/{home}/",
    "/directory/?q=knit",
    "/directory/?postcode=M5+4WT&miles=10",
    "/directory/map/frame/?theme=loneliness-and-isolation",
    "/api/groups/{home}/",
    "/api/groups/?q=knit",
    "/api/groups/?neighbourhood={hood}",
    "/api/activities/?group={home}",
    "/api/needs/?group={home}",
    "/openreferral/organizations/{oruk_home}",
    "/openreferral/services/{oruk_home_service}",
    "/openreferral/services?text=knit",
    "/board/map/frame/?layer=groups",
    "/board/report/?period=all",
    "/board/charts/time.png",
    "/board/charts/themes.png",
    # sam's page of the offer to the home group (a 404 for everyone else).
    "/supplier/matches/{pledge_offer_home}/",
]


def _urls(role: str, ids: dict[str, object]) -> list[str]:
    urls = [
        row.url
        for row in ROWS
        if row.method == "get"
        and row.expected[role] == 200
        and not row.url.startswith("/api/schema/")  # our own schema: field names only
    ]
    return [url.format(**ids) for url in [*urls, *EXTRA_URLS]]


@pytest.mark.parametrize("role", ["anon", "carol", "sam"])
def test_no_personal_data_reaches_the_public_or_the_board(client, scene, role):
    personas, ids, forbidden = scene
    if role != "anon":
        client.force_login(getattr(personas, role))
    seen = 0
    for url in _urls(role, ids):
        cache.clear()  # cached maps and charts are rebuilt from this data
        response = client.get(url)
        if response.status_code != 200:
            continue
        seen += 1
        body = b"".join(response) if response.streaming else response.content
        text = body.decode("utf-8", errors="replace")
        leaks = [secret for secret in forbidden if secret in text]
        assert not leaks, f"{role} saw {leaks} at {url}"
    assert seen >= 40, "the scan opened too few pages to mean anything"


def test_the_scan_would_notice_a_leak(client, scene):
    # The same secrets, where they are allowed: anchor A's team sees contacts.
    personas, ids, forbidden = scene
    client.force_login(personas.alice)
    body = client.get(f"/team/groups/{ids['home']}/").content.decode()
    assert "margaret.private@example.net" in body
    assert "12 Acacia Avenue" in body
    api = client.get(f"/api/groups/{ids['home']}/").content.decode()
    assert f"{HOME_LAT}" in api
    assert [s for s in forbidden if s in body + api]


def test_a_suggested_connection_shows_another_group_nothing_before_both_say_yes(client, scene):
    """dave (group_a's contact) is offered the home group and the venue group
    as connections; before both sides say yes his page holds none of their
    personal data, nor the home group's name (not listed, meets at home)."""
    from matching.services.connections import connections_suggest

    personas, ids, forbidden = scene
    home = personas.group_a.__class__.objects.get(pk=ids["home"])
    theme = ["loneliness-and-isolation"]
    f.ActivityFactory(group=personas.group_a, title="Dave's lunches", themes=theme)
    for group in home.__class__.objects.exclude(pk=personas.group_a.pk):
        f.ActivityFactory(group=group, title=f"More of {group.name}", themes=theme)
    connections_suggest(max_distance_m=50_000)
    client.force_login(personas.dave)

    text = client.get("/group/connections/").content.decode()

    assert "working on loneliness and isolation" in text  # the suggestions are there
    leaks = [s for s in [*forbidden, home.name] if s in text]
    leaks += [s for s in forbidden if s in text.replace("&#x27;", "'")]
    own = {personas.group_a.contact_name, personas.group_a.contact_email}
    assert not [s for s in leaks if s not in own], leaks


def test_why_not_shows_a_group_nothing_of_the_need_that_got_the_pot(client, scene):
    """dave's need lost anchor A's pot to the home group's need: his "why not
    us?" page compares the two by score only. It holds none of the home
    group's personal data, nor its name, its activity or what it asked for."""
    from matching.models import MatchRun, RunStatus, UnmatchedNeed
    from partners.models import Need

    personas, ids, forbidden = scene
    home = personas.group_a.__class__.objects.get(pk=ids["home"])
    # The home group's first need (the world gives it more than one).
    home_need = Need.objects.filter(activity__group=home).order_by("pk").first()
    assert home_need is not None
    # A need of dave's with no match at all (the world's need_a has a proposal).
    mine = f.NeedFactory(activity=f.ActivityFactory(group=personas.group_a), amount=15_000)
    run = MatchRun.objects.create(anchor=personas.anchor_a, status=RunStatus.SUCCEEDED)
    parts = {"theme_fit": 0.5, "proximity": 0.9, "equity": 0.2, "newness": 0.0, "value": 0.5}
    UnmatchedNeed.objects.create(
        run=run,
        need=mine,
        reason="outbid",
        rank=6,
        params={
            "resource_id": ids["resource_a"],
            "score": 0.4,
            "parts": parts,
            "amount": 15_000,
            "served_need_id": home_need.pk,
            "served_score": 0.8,
            "served_parts": {**parts, "equity": 1.0, "newness": 1.0},
            "served_amount": 12_345,
            "deciding": ["equity", "newness"],
        },
    )
    client.force_login(personas.dave)

    text = client.get("/group/why-not/").content.decode()

    assert "was spent on needs that ranked higher" in text  # the reason is there
    others = [home.name, home_need.activity.title, home_need.why, "£123.45"]
    leaks = [s for s in [*forbidden, *others] if s in text.replace("&#x27;", "'")]
    own = {personas.group_a.contact_name, personas.group_a.contact_email}
    assert not [s for s in leaks if s not in own], leaks
