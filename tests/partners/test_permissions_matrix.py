"""Every page and endpoint of the team pages, the directory and the API,
for every role: the status each persona gets.

anon = not signed in; alice = anchor A team; bob = anchor B team;
carol = anchor A board; dave = contact of group_a; erin = contact of group_b;
root = admin.
"""

from __future__ import annotations

import json

import pytest

from partners.models import VerificationStatus
from tests import factories as f

ROLES = ["anon", "alice", "bob", "carol", "dave", "erin", "root"]


def team_page(ok: int = 200) -> dict[str, int]:
    """Team pages: sign-in redirect for anonymous, 403 for roles without access."""
    return {"anon": 302, "alice": ok, "bob": ok, "carol": 403, "dave": 403, "erin": 403, "root": ok}


def everyone(code: int = 200) -> dict[str, int]:
    return dict.fromkeys(ROLES, code)


def teams_only_api(ok: int) -> dict[str, int]:
    """DRF with session auth answers 403 (not 401) to anonymous callers."""
    return {"anon": 403, "alice": ok, "bob": ok, "carol": 403, "dave": 403, "erin": 403, "root": ok}


def own_anchor_api(ok: int) -> dict[str, int]:
    return {
        "anon": 403,
        "alice": ok,
        "bob": 403,
        "carol": 403,
        "dave": 403,
        "erin": 403,
        "root": ok,
    }


# (method, url template, body, expected status per role)
CASES = [
    # --- Team pages ---
    ("get", "/team/groups/queue/", None, team_page()),
    ("get", "/team/groups/", None, team_page()),
    ("get", "/team/groups/{group_a}/", None, team_page()),
    ("get", "/team/groups/{pending}/", None, team_page()),
    ("post", "/team/groups/{pending}/verify/", {}, team_page(ok=302)),
    ("get", "/team/groups/{pending}/reject/", None, team_page()),
    ("post", "/team/groups/{pending}/reject/", {"reason": "Not a real group"}, team_page(ok=302)),
    ("get", "/team/groups/{group_a}/suspend/", None, team_page()),
    ("post", "/team/groups/{group_a}/suspend/", {"reason": "Complaint"}, team_page(ok=302)),
    ("get", "/team/rechecks/", None, team_page()),
    ("get", "/team/sites/", None, team_page()),
    ("get", "/team/sites/new/", None, team_page()),
    (
        "get",
        "/team/sites/{site_a}/",
        None,
        {
            "anon": 302,
            "alice": 200,
            "bob": 404,  # another anchor's site has no edit page for him
            "carol": 403,
            "dave": 403,
            "erin": 403,
            "root": 200,
        },
    ),
    (
        "post",
        "/team/sites/{site_a}/",
        {"name": "Renamed", "kind": "office", "latitude": "53.49", "longitude": "-2.3"},
        {
            "anon": 302,
            "alice": 302,
            "bob": 404,
            "carol": 403,
            "dave": 403,
            "erin": 403,
            "root": 302,
        },
    ),
    ("get", "/team/suppliers/", None, team_page()),
    ("post", "/team/suppliers/", {"name": "", "email": ""}, team_page()),
    # --- Public directory ---
    ("get", "/directory/", None, everyone()),
    ("get", "/directory/?q=lunch&postcode=M5+4WT&miles=5", None, everyone()),
    ("get", "/directory/{group_a}/", None, everyone()),
    ("get", "/directory/{pending}/", None, everyone(404)),
    # --- API: reads ---
    ("get", "/api/groups/", None, everyone()),
    ("get", "/api/groups/{group_a}/", None, everyone()),
    (
        "get",
        "/api/groups/{pending}/",
        None,
        {
            "anon": 404,
            "alice": 200,
            "bob": 200,
            "carol": 404,
            "dave": 404,
            "erin": 404,
            "root": 200,
        },
    ),
    ("get", "/api/activities/", None, everyone()),
    ("get", "/api/activities/{activity_a}/", None, everyone()),
    ("get", "/api/needs/", None, everyone()),
    ("get", "/api/needs/{need_a}/", None, everyone()),
    ("get", "/api/themes/", None, everyone()),
    ("get", "/api/themes/food/", None, everyone()),
    ("get", "/api/anchors/", None, everyone()),
    ("get", "/api/anchors/{anchor_a}/", None, everyone()),
    ("get", "/api/sites/", None, everyone()),
    ("get", "/api/sites/{site_a}/", None, everyone()),
    # --- API: writes ---
    ("post", "/api/groups/{pending}/verify/", {}, teams_only_api(200)),
    ("post", "/api/groups/{pending}/reject/", {"reason": "Duplicate"}, teams_only_api(200)),
    (
        "post",
        "/api/sites/",
        {"anchor": "{anchor_a}", "name": "Clinic", "latitude": 53.49, "longitude": -2.3},
        own_anchor_api(201),
    ),
    ("patch", "/api/sites/{site_a}/", {"name": "Renamed"}, own_anchor_api(200)),
    ("put", "/api/sites/{site_a}/", {"name": "Renamed", "postcode": "M5 4WT"}, own_anchor_api(200)),
]


@pytest.fixture
def world(personas):
    hood = personas.group_a.neighbourhood
    f.PostcodeFactory(postcode="M5 4WT", neighbourhood_code=hood.code)
    pending = f.CommunityGroupFactory(name="Weaste Walkers", status=VerificationStatus.PENDING)
    activity = f.ActivityFactory(group=personas.group_a, title="Lunch club")
    need = f.NeedFactory(activity=activity)
    site_a = f.SiteFactory(anchor=personas.anchor_a, name="Hope Hospital")
    ids = {
        "group_a": personas.group_a.pk,
        "pending": pending.pk,
        "activity_a": activity.pk,
        "need_a": need.pk,
        "site_a": site_a.pk,
        "anchor_a": personas.anchor_a.pk,
    }
    return personas, ids


def _fill(value, ids):
    if isinstance(value, str):
        # "{anchor_a}" alone is the id itself: a number, as the schema says.
        if value.startswith("{") and value.endswith("}") and value.count("{") == 1:
            return ids[value[1:-1]]
        return value.format(**ids)
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "url", "body", "expected"),
    CASES,
    ids=[f"{m.upper()} {u}" for m, u, _b, _e in CASES],
)
def test_each_role_gets_the_expected_status(client, world, role, method, url, body, expected):
    personas, ids = world
    if role != "anon":
        client.force_login(getattr(personas, role))
    url = _fill(url, ids)
    body = _fill(body, ids)
    if url.startswith("/api/") and method != "get":
        response = getattr(client, method)(
            url, data=json.dumps(body), content_type="application/json"
        )
    elif method == "post":
        response = client.post(url, data=body)
    else:
        response = client.get(url)
    assert response.status_code == expected[role], response.content[:500]
    if response.status_code == 302 and role == "anon":
        assert response["Location"].startswith("/accounts/login/")


def test_a_team_member_without_a_membership_is_refused(client, db):
    # In the "anchor team" auth group but on no anchor's team: no access.
    from accounts.roles import ANCHOR_TEAM

    user = f.UserFactory(username="leaver", roles=[ANCHOR_TEAM])
    client.force_login(user)
    assert client.get("/team/groups/").status_code == 403
    assert client.get("/api/groups/?status=pending").json()["count"] == 0


def test_the_403_page_says_why_in_plain_english(client, personas):
    client.force_login(personas.carol)
    response = client.get("/team/groups/")
    assert response.status_code == 403
    assert b"This page is for anchor team staff." in response.content
