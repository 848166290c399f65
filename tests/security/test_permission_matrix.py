"""Every URL of the site against every role, with the status each one gets.

ONE table (ROWS) for the whole site: pages, JSON endpoints, the REST API and
Open Referral. It is checked against the URL resolver and the OpenAPI schema:
a new URL pattern (or API operation) without a row fails
test_every_url_pattern_has_a_row, so nobody adds a page without saying who
may open it.

Roles: anon = not signed in; dave = the contact of this group (group_a);
erin = the contact of another group (group_b); alice = anchor A's team (A
owns the resource, run, match and site below); bob = anchor B's team;
carol = anchor A's board (of no other anchor); root = admin; nina = in the
anchor team group with no membership of any anchor (she acts for nobody);
sam = staff of supplier_a, a supplier of anchor A (its pledge, its matches).

Each response is also read for what the role must not see (see
test_each_role_gets_the_expected_status and OTHER_ANCHOR in conftest.py):
another anchor's and a hidden group's names and ids never appear in any body
beyond what the anonymous public gets at the same URL.

Each row is one request; each role sends it to the same data, inside a
savepoint that is rolled back, so a POST by one role never changes what the
next one sees. POST-only pages have two rows: the GET (405, or the sign-in
redirect before it) and the POST.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver

from tests.security.conftest import HIDDEN_GROUP, OTHER_ANCHOR, OTHER_SUPPLIER

ROLES = ("anon", "dave", "erin", "alice", "bob", "carol", "root", "nina", "sam")


def expect(
    anon: int,
    dave: int,
    erin: int,
    alice: int,
    bob: int,
    carol: int,
    root: int,
    nina: int | None = None,
    sam: int | None = None,
) -> dict[str, int]:
    """Statuses in the order of ROLES, named so a row reads as a sentence.
    nina, with no anchor, gets what carol gets wherever carol gets nothing
    as a team; the board rows say 403 for her themselves. sam, a supplier,
    acts for no anchor either: he gets what nina gets, except on the
    supplier's own pages, whose rows say so."""
    nina = carol if nina is None else nina
    sam = nina if sam is None else sam
    return dict(zip(ROLES, (anon, dave, erin, alice, bob, carol, root, nina, sam), strict=True))


def everyone(code: int = 200) -> dict[str, int]:
    return dict.fromkeys(ROLES, code)


def team(ok: int = 200) -> dict[str, int]:
    """Anchor team pages on shared data (groups): any team, and admins."""
    return expect(anon=302, dave=403, erin=403, alice=ok, bob=ok, carol=403, root=ok)


def team_a(ok: int = 200, bob: int = 404) -> dict[str, int]:
    """Anchor A's own objects (its resource, run, match, site): to another
    anchor's team they are not there (404), so ids confirm nothing."""
    return expect(anon=302, dave=403, erin=403, alice=ok, bob=bob, carol=403, root=ok)


def board(ok: int = 200) -> dict[str, int]:
    """Board pages (maps): boards, and anchor teams may look too, each at their
    own anchors' figures."""
    return expect(anon=302, dave=403, erin=403, alice=ok, bob=ok, carol=ok, root=ok, nina=403)


def board_only(ok: int = 200) -> dict[str, int]:
    """The matching app's joint board view: boards and admins only."""
    return expect(anon=302, dave=403, erin=403, alice=403, bob=403, carol=ok, root=ok, nina=403)


def supplier_own(ok: int = 200, sam: int | None = None) -> dict[str, int]:
    """A supplier's own pages: sam only (not even an admin, who acts for no
    supplier: 403); a pledge or match not his supplier's is not there (404)."""
    return expect(
        anon=302,
        dave=403,
        erin=403,
        alice=403,
        bob=403,
        carol=403,
        root=403,
        sam=ok if sam is None else sam,
    )


def own_group(ok: int = 200, others: int = 404) -> dict[str, int]:
    """group_a's self-service pages: its contact only; to anyone else signed in
    the group is not there (404), so the URL does not confirm it exists."""
    return expect(
        anon=302, dave=ok, erin=others, alice=others, bob=others, carol=others, root=others
    )


def offer_of_a(ok: int) -> dict[str, int]:
    """An offer to group_a: its contact answers it; other contacts are refused."""
    return expect(anon=302, dave=ok, erin=404, alice=403, bob=403, carol=403, root=403)


def contacts(ok: int = 200) -> dict[str, int]:
    """A group contact's own pages (offers, connections)."""
    return expect(anon=302, dave=ok, erin=ok, alice=403, bob=403, carol=403, root=403)


def signed_in(ok: int = 200) -> dict[str, int]:
    return expect(anon=302, dave=ok, erin=ok, alice=ok, bob=ok, carol=ok, root=ok)


def api_public(code: int = 200) -> dict[str, int]:
    return everyone(code)


def api_team(ok: int = 200) -> dict[str, int]:
    """DRF with session auth answers 403 (not 401) to anonymous callers."""
    return expect(anon=403, dave=403, erin=403, alice=ok, bob=ok, carol=403, root=ok)


def api_team_a(ok: int = 200, bob: int = 404) -> dict[str, int]:
    """Anchor A's objects through the API: another team finds nothing (404);
    creating for anchor A, or changing its public site, is refused (403)."""
    return expect(anon=403, dave=403, erin=403, alice=ok, bob=bob, carol=403, root=ok)


def admin_only(ok: int = 200) -> dict[str, int]:
    """Django admin: everyone else is sent to the admin sign-in."""
    return expect(anon=302, dave=302, erin=302, alice=302, bob=302, carol=302, root=ok)


@dataclass(frozen=True)
class Row:
    route: str  # the pattern, as the resolver spells it (see _routes)
    url: str  # with {placeholders} filled from the `world` fixture
    expected: dict[str, int]
    method: str = "get"
    body: dict[str, Any] = field(default_factory=dict)


def get_and_post(route: str, url: str, get: dict[str, int], post: dict[str, int], body=None):
    return [
        Row(route, url, get),
        Row(route, url, post, method="post", body=body or {}),
    ]


def post_only(route: str, url: str, get: dict[str, int], post: dict[str, int], body=None):
    """GET: 405 (or the redirect/403 of the role check that comes first)."""
    return get_and_post(route, url, get, post, body)


NOT_ALLOWED = 405
R = "(?P<pk>[^/.]+)"  # DRF router's lookup pattern

ROWS: list[Row] = [
    # --- Site ----------------------------------------------------------------------
    Row("", "/", everyone()),
    Row("healthz", "/healthz", everyone()),
    Row("accessibility/", "/accessibility/", everyone()),
    Row("accounts/login/", "/accounts/login/", everyone()),
    Row("sign-in/", "/sign-in/", everyone()),
    # Each role's start page after signing in: a redirect for everyone.
    Row("start/", "/start/", everyone(302)),
    Row(
        "accounts/logout/",
        "/accounts/logout/",
        everyone(302),
        method="post",
    ),
    Row("accounts/two-factor/", "/accounts/two-factor/", signed_in()),
    Row("api/schema/", "/api/schema/", everyone()),
    Row("api/docs/", "/api/docs/", everyone()),
    # --- Places API (open data) ------------------------------------------------
    Row("api/neighbourhoods/", "/api/neighbourhoods/", api_public()),
    Row("api/neighbourhoods/<str:code>/", "/api/neighbourhoods/{hood}/", api_public()),
    Row("api/postcodes/<str:postcode>/", "/api/postcodes/M5%204WT/", api_public()),
    # --- Partners API --------------------------------------------------------------
    Row("api/groups/", "/api/groups/", api_public()),
    Row("api/groups/<int:group_id>/", "/api/groups/{group_a}/", api_public()),
    Row(
        "api/groups/<int:group_id>/",
        "/api/groups/{pending}/",
        expect(anon=404, dave=404, erin=404, alice=200, bob=200, carol=404, root=200),
    ),
    Row("api/groups/<int:group_id>/verify/", "/api/groups/{pending}/verify/", api_team(405)),
    Row(
        "api/groups/<int:group_id>/verify/",
        "/api/groups/{pending}/verify/",
        api_team(200),
        method="post",
    ),
    Row(
        "api/groups/<int:group_id>/reject/",
        "/api/groups/{pending}/reject/",
        api_team(200),
        method="post",
        body={"reason": "Not a real group"},
    ),
    Row("api/sites/", "/api/sites/", api_public()),
    Row(
        "api/sites/",
        "/api/sites/",
        api_team_a(201, bob=403),
        method="post",
        body={"anchor": "{anchor_a}", "name": "Clinic", "latitude": 53.49, "longitude": -2.3},
    ),
    Row("api/sites/<int:site_id>/", "/api/sites/{site_a}/", api_public()),
    Row(
        "api/sites/<int:site_id>/",
        "/api/sites/{site_a}/",
        api_team_a(200, bob=403),
        method="patch",
        body={"name": "Renamed"},
    ),
    Row("api/^activities/$", "/api/activities/", api_public()),
    Row(f"api/^activities/{R}/$", "/api/activities/{activity_a}/", api_public()),
    Row("api/^needs/$", "/api/needs/", api_public()),
    Row(f"api/^needs/{R}/$", "/api/needs/{need_a}/", api_public()),
    Row("api/^themes/$", "/api/themes/", api_public()),
    Row("api/^themes/(?P<slug>[^/.]+)/$", "/api/themes/food/", api_public()),
    Row("api/^anchors/$", "/api/anchors/", api_public()),
    Row(f"api/^anchors/{R}/$", "/api/anchors/{anchor_a}/", api_public()),
    # --- Matching API ---------------------------------------------------------------
    Row("api/^resources/$", "/api/resources/", api_team()),
    Row(
        "api/^resources/$",
        "/api/resources/",
        api_team_a(201, bob=403),
        method="post",
        body={"anchor": "anchor-a", "kind": "time", "title": "Volunteer hours", "capacity": 40},
    ),
    Row(f"api/^resources/{R}/$", "/api/resources/{resource_a}/", api_team_a()),
    Row(
        f"api/^resources/{R}/$",
        "/api/resources/{resource_a}/",
        api_team_a(),
        method="patch",
        body={"title": "Renamed pot"},
    ),
    Row(
        f"api/^resources/{R}/$",
        "/api/resources/{spare_resource_a}/",
        api_team_a(204),
        method="delete",
    ),
    Row("api/^match-runs/$", "/api/match-runs/", api_team()),
    Row(
        "api/^match-runs/$",
        "/api/match-runs/",
        api_team_a(202, bob=403),
        method="post",
        body={"anchor": "anchor-a"},
    ),
    Row(f"api/^match-runs/{R}/$", "/api/match-runs/{run_a}/", api_team_a()),
    Row("api/^matches/$", "/api/matches/", api_team()),
    Row(f"api/^matches/{R}/$", "/api/matches/{match_a}/", api_team_a()),
    *[
        Row(
            f"api/^matches/{R}/{action}/$",
            f"/api/matches/{{{match}}}/{action}/",
            api_team_a(),
            method="post",
            body=body,
        )
        for action, match, body in [
            ("approve", "match_a", {}),
            ("decline", "match_a", {"reason": "Not this time"}),
            ("defer", "match_a", {}),
            ("start", "accepted_a", {}),
            (
                "complete",
                "active_a",
                {"people_reached": 30, "story": "It went well.", "blocks": ["partners"]},
            ),
            ("withdraw", "approved_a", {"reason": "The pot closed."}),
        ]
    ],
    # --- Open Referral UK (public directory data) ------------------------------------
    Row("openreferral/", "/openreferral/", everyone()),
    Row("openreferral/openapi.json", "/openreferral/openapi.json", everyone()),
    Row("openreferral/services", "/openreferral/services", everyone()),
    Row("openreferral/services/<str:id>", "/openreferral/services/{oruk_service}", everyone()),
    Row("openreferral/organizations", "/openreferral/organizations", everyone()),
    Row(
        "openreferral/organizations/<str:id>",
        "/openreferral/organizations/{oruk_organization}",
        everyone(),
    ),
    Row("openreferral/taxonomies", "/openreferral/taxonomies", everyone()),
    Row("openreferral/taxonomies/<str:id>", "/openreferral/taxonomies/{oruk_taxonomy}", everyone()),
    Row("openreferral/taxonomy_terms", "/openreferral/taxonomy_terms", everyone()),
    Row(
        "openreferral/taxonomy_terms/<str:id>",
        "/openreferral/taxonomy_terms/{oruk_term}",
        everyone(),
    ),
    # --- Registration (public) ---------------------------------------------------------
    Row("register/", "/register/", everyone()),
    Row("register/group/", "/register/group/", everyone()),
    Row("register/where/", "/register/where/", everyone(302)),
    Row("register/activities/", "/register/activities/", everyone(302)),
    Row("register/needs/", "/register/needs/", everyone(302)),
    Row("register/contact/", "/register/contact/", everyone(302)),
    Row("register/check/", "/register/check/", everyone(302)),
    Row("register/done/", "/register/done/", everyone(302)),
    Row("register/verify/new/", "/register/verify/new/", everyone()),
    Row("register/verified/", "/register/verified/", everyone()),
    # A bad link: 400 and a page saying so, whoever follows it.
    Row("register/verify/<str:token>/", "/register/verify/not-a-token/", everyone(400)),
    # --- Group self-service ---------------------------------------------------------------
    Row("group/sign-in/", "/group/sign-in/", everyone()),
    Row("group/sign-in/link/<str:token>/", "/group/sign-in/link/not-a-token/", everyone(400)),
    # Lists the groups whose contact you are: none, for anyone else.
    Row("group/", "/group/", signed_in()),
    Row("group/erased/", "/group/erased/", everyone()),
    Row("group/<int:group_id>/", "/group/{group_a}/", own_group()),
    *get_and_post(
        "group/<int:group_id>/edit/",
        "/group/{group_a}/edit/",
        own_group(),
        own_group(),
        body={"name": ""},
    ),
    *get_and_post(
        "group/<int:group_id>/activities/add/",
        "/group/{group_a}/activities/add/",
        own_group(),
        own_group(),
    ),
    *get_and_post(
        "group/<int:group_id>/activities/<int:activity_id>/edit/",
        "/group/{group_a}/activities/{activity_a}/edit/",
        own_group(),
        own_group(),
    ),
    *get_and_post(
        "group/<int:group_id>/activities/<int:activity_id>/remove/",
        "/group/{group_a}/activities/{activity_a}/remove/",
        own_group(),
        own_group(302),
    ),
    *get_and_post(
        "group/<int:group_id>/needs/add/",
        "/group/{group_a}/needs/add/",
        own_group(),
        own_group(),
    ),
    *get_and_post(
        "group/<int:group_id>/needs/<int:need_id>/edit/",
        "/group/{group_a}/needs/{need_a}/edit/",
        own_group(),
        own_group(),
    ),
    *get_and_post(
        "group/<int:group_id>/needs/<int:need_id>/remove/",
        "/group/{group_a}/needs/{need_a}/remove/",
        own_group(),
        own_group(302),
    ),
    *get_and_post(
        "group/<int:group_id>/consent/",
        "/group/{group_a}/consent/",
        own_group(),
        own_group(302),
    ),
    *get_and_post(
        "group/<int:group_id>/withdraw/",
        "/group/{group_a}/withdraw/",
        own_group(),
        own_group(302),
    ),
    Row("group/<int:group_id>/export.json", "/group/{group_a}/export.json", own_group()),
    *get_and_post(
        "group/<int:group_id>/erase/",
        "/group/{group_a}/erase/",
        own_group(),
        own_group(302),
    ),
    # --- Suppliers -------------------------------------------------------------------------
    # The team's list and invitation (an empty form answers with its errors).
    *get_and_post("team/suppliers/", "/team/suppliers/", team(), team()),
    # Anchor A's supplier and invitation: another team finds neither (404).
    # Removing asks first (GET), and only the POST removes.
    *get_and_post(
        "team/suppliers/<int:pk>/remove/",
        "/team/suppliers/{supplier_a}/remove/",
        team_a(bob=404),
        team_a(302, bob=404),
    ),
    *post_only(
        "team/suppliers/invitations/<int:pk>/resend/",
        "/team/suppliers/invitations/{invitation_a}/resend/",
        team(NOT_ALLOWED),
        team_a(302, bob=404),
    ),
    *post_only(
        "team/suppliers/invitations/<int:pk>/cancel/",
        "/team/suppliers/invitations/{invitation_a}/cancel/",
        team(NOT_ALLOWED),
        team_a(302, bob=404),
    ),
    # A bad invitation link: 400 and a page saying so, whoever follows it.
    *get_and_post(
        "supplier/join/<str:token>/", "/supplier/join/not-a-token/", everyone(400), everyone(400)
    ),
    Row("supplier/", "/supplier/", supplier_own()),
    *get_and_post(
        "supplier/resources/new/", "/supplier/resources/new/", supplier_own(), supplier_own()
    ),
    *get_and_post(
        "supplier/resources/<int:pk>/",
        "/supplier/resources/{pledge_a}/",
        supplier_own(),
        supplier_own(),
        body={"title": ""},
    ),
    # Anchor A's own resource, and another supplier's pledge: not sam's (404).
    Row("supplier/resources/<int:pk>/", "/supplier/resources/{resource_a}/", supplier_own(404)),
    Row(
        "supplier/resources/<int:pk>/",
        "/supplier/resources/{other_pledge_a}/",
        supplier_own(404),
    ),
    Row("supplier/matches/<int:pk>/", "/supplier/matches/{pledge_match_a}/", supplier_own()),
    # A match of anchor A's own resource, and a proposal under review: not sam's.
    Row("supplier/matches/<int:pk>/", "/supplier/matches/{active_a}/", supplier_own(404)),
    Row(
        "supplier/matches/<int:pk>/",
        "/supplier/matches/{pledge_proposal_a}/",
        supplier_own(404),
    ),
    # --- Offers and connections (group contacts) -------------------------------------------
    Row("group/offers/", "/group/offers/", contacts()),
    *post_only(
        "group/offers/<int:pk>/accept/",
        "/group/offers/{approved_a}/accept/",
        contacts(NOT_ALLOWED),
        offer_of_a(302),
    ),
    *get_and_post(
        "group/offers/<int:pk>/decline/",
        "/group/offers/{approved_a}/decline/",
        offer_of_a(200),
        offer_of_a(302),
        body={"reason": "We found another way."},
    ),
    # The group's rating of backing under way: its contact only; another
    # group's contact finds nothing (404).
    *get_and_post(
        "group/offers/<int:pk>/feedback/",
        "/group/offers/{accepted_a}/feedback/",
        offer_of_a(200),
        offer_of_a(302),
        body={"helped": "4", "listened": "5", "again": "yes", "comment": "Good."},
    ),
    *post_only(
        "group/offers/<int:pk>/feedback/withdraw-consent/",
        "/group/offers/{accepted_a}/feedback/withdraw-consent/",
        contacts(NOT_ALLOWED),
        offer_of_a(302),
    ),
    # The group's own report of what happened on backing under way: the
    # same doors as its rating.
    *get_and_post(
        "group/offers/<int:pk>/what-happened/",
        "/group/offers/{accepted_a}/what-happened/",
        offer_of_a(200),
        offer_of_a(302),
        body={"people_reached": "12", "story": "Twelve came.", "quote_consent": "on"},
    ),
    *post_only(
        "group/offers/<int:pk>/what-happened/withdraw-consent/",
        "/group/offers/{accepted_a}/what-happened/withdraw-consent/",
        contacts(NOT_ALLOWED),
        offer_of_a(302),
    ),
    Row("group/why-not/", "/group/why-not/", contacts()),
    Row("group/connections/", "/group/connections/", contacts()),
    *post_only(
        "group/connections/<int:pk>/",
        "/group/connections/{connection}/",
        contacts(NOT_ALLOWED),
        # The connection is between group_a and group_b: both contacts answer.
        contacts(302),
        body={"answer": "yes"},
    ),
    # --- Anchor team: groups, sites, import --------------------------------------------------
    Row("team/groups/queue/", "/team/groups/queue/", team()),
    Row("team/groups/", "/team/groups/", team()),
    Row("team/groups/<int:group_id>/", "/team/groups/{group_a}/", team()),
    *post_only(
        "team/groups/<int:group_id>/verify/",
        "/team/groups/{pending}/verify/",
        team(NOT_ALLOWED),
        team(302),
    ),
    *get_and_post(
        "team/groups/<int:group_id>/reject/",
        "/team/groups/{pending}/reject/",
        team(),
        team(302),
        body={"reason": "Not a real group"},
    ),
    *get_and_post(
        "team/groups/<int:group_id>/suspend/",
        "/team/groups/{group_a}/suspend/",
        team(),
        team(302),
        body={"reason": "Complaint"},
    ),
    # The yearly re-check. The team's queue lists the groups in its anchors'
    # areas; group_a is in anchor A's (which set none: every group) and not
    # in anchor B's, so bob finds nothing to act on (404). The contact's link
    # is for whoever holds it, signed in or not: a real one, and a forged one.
    Row("team/rechecks/", "/team/rechecks/", team()),
    *post_only(
        "team/rechecks/<int:group_id>/send/",
        "/team/rechecks/{group_a}/send/",
        team(NOT_ALLOWED),
        team_a(302),
    ),
    *post_only(
        "team/rechecks/<int:group_id>/checked/",
        "/team/rechecks/{group_a}/checked/",
        team(NOT_ALLOWED),
        team_a(302),
    ),
    *get_and_post(
        "group/check/<str:token>/",
        "/group/check/{recheck_a}/",
        everyone(),
        everyone(),
        body={"action": "confirm"},
    ),
    *get_and_post(
        "group/check/<str:token>/",
        "/group/check/not-a-token/",
        everyone(400),
        everyone(400),
        body={"action": "confirm"},
    ),
    Row("team/sites/", "/team/sites/", team()),
    Row("team/sites/new/", "/team/sites/new/", team()),
    *get_and_post(
        "team/sites/<int:site_id>/",
        "/team/sites/{site_a}/",
        team_a(),
        team_a(302),
        body={"name": "Renamed", "kind": "office", "latitude": "53.49", "longitude": "-2.3"},
    ),
    Row("team/import/", "/team/import/", team()),
    # Another anchor's import job is not there for bob (404): not even its existence.
    Row("team/import/<int:job_id>/", "/team/import/{import_a}/", team_a(bob=404)),
    # --- Anchor team: other funders' grants and outreach (grants app) ----------------------------
    Row("team/grants/import/", "/team/grants/import/", team()),
    Row("team/grants/import/<int:job_id>/", "/team/grants/import/{grants_a}/", team_a(bob=404)),
    Row("team/outreach/", "/team/outreach/", team()),
    Row("team/outreach.csv", "/team/outreach.csv", team()),
    # --- Anchor team: matching ----------------------------------------------------------------
    Row("team/matching/", "/team/matching/", team()),
    Row("team/matching/resources/", "/team/matching/resources/", team()),
    Row("team/matching/resources/new/", "/team/matching/resources/new/", team()),
    Row(
        "team/matching/resources/<int:pk>/",
        "/team/matching/resources/{resource_a}/",
        team_a(),
    ),
    Row("team/matching/runs/", "/team/matching/runs/", team()),
    *post_only(
        "team/matching/runs/start/",
        "/team/matching/runs/start/",
        team(NOT_ALLOWED),
        team(302),
    ),
    Row("team/matching/runs/<int:pk>/", "/team/matching/runs/{run_a}/", team_a()),
    Row(
        "team/matching/runs/<int:pk>/progress.json",
        "/team/matching/runs/{run_a}/progress.json",
        team_a(),
    ),
    Row("team/matching/matches/<int:pk>/", "/team/matching/matches/{match_a}/", team_a()),
    # Approve, defer and start are buttons (POST only; the method is checked
    # first, so anyone signed in gets 405); decline, complete and withdraw
    # ask for a reason or an outcome on a page of their own.
    *[
        row
        for action, match, body in [
            ("approve", "match_a", {}),
            ("defer", "match_a", {}),
            ("start", "accepted_a", {}),
        ]
        for row in post_only(
            f"team/matching/matches/<int:pk>/{action}/",
            f"/team/matching/matches/{{{match}}}/{action}/",
            team_a(NOT_ALLOWED, bob=NOT_ALLOWED),
            team_a(302),
            body=body,
        )
    ],
    *[
        row
        for action, match, body in [
            ("decline", "match_a", {"reason": "Not this time"}),
            (
                "complete",
                "active_a",
                {"people_reached": "30", "story": "It went well.", "blocks": "partners"},
            ),
            ("withdraw", "approved_a", {"reason": "The pot closed."}),
        ]
        for row in get_and_post(
            f"team/matching/matches/<int:pk>/{action}/",
            f"/team/matching/matches/{{{match}}}/{action}/",
            team_a(),
            team_a(302),
            body=body,
        )
    ],
    Row("team/matching/360giving/", "/team/matching/360giving/", team()),
    # --- Board ---------------------------------------------------------------------------------
    Row("board/matching/", "/board/matching/", board_only()),
    Row("board/map/", "/board/map/", board()),
    Row("board/map/frame/", "/board/map/frame/", board()),
    Row("board/map/download/", "/board/map/download/", board()),
    Row("board/", "/board/", board()),
    Row("board/report/", "/board/report/", board()),
    Row("board/charts/<slug:name>.png", "/board/charts/deciles.png", board()),
    Row("board/self-assessment/", "/board/self-assessment/", board()),
    *get_and_post(
        "board/self-assessment/<int:round_id>/",
        "/board/self-assessment/{round_a}/",
        # Anchor A's board and team take part; not another anchor's team (the
        # round is not theirs: 404), nor an admin (answers are anonymous).
        # An empty form is refused with 400.
        expect(anon=302, dave=403, erin=403, alice=200, bob=404, carol=200, root=403, nina=403),
        expect(anon=302, dave=403, erin=403, alice=400, bob=404, carol=400, root=403, nina=403),
    ),
    # Running rounds: the anchor team of the round's anchor (and admins); the
    # board takes part but does not run it. Another anchor's team does not
    # find anchor A's round (404); an empty form is refused with 400.
    Row("board/self-assessment/rounds/", "/board/self-assessment/rounds/", team()),
    *get_and_post(
        "board/self-assessment/rounds/new/",
        "/board/self-assessment/rounds/new/",
        team(),
        team(400),
    ),
    *get_and_post(
        "board/self-assessment/rounds/<int:round_id>/close/",
        "/board/self-assessment/rounds/{round_a}/close/",
        team_a(bob=404),
        team_a(302, bob=404),
    ),
    Row("board/self-assessment/results/", "/board/self-assessment/results/", board()),
    Row("board/self-assessment/results.json", "/board/self-assessment/results.json", board()),
    # --- Public directory and its map -----------------------------------------------------------
    Row("directory/", "/directory/", everyone()),
    Row("directory/<int:group_id>/", "/directory/{group_a}/", everyone()),
    Row("directory/<int:group_id>/", "/directory/{pending}/", everyone(404)),
    Row("directory/map/", "/directory/map/", everyone()),
    Row("directory/map/frame/", "/directory/map/frame/", everyone()),
    # --- Django admin: its own staff check guards every admin URL (see ADMIN_PREFIX) -----------
    Row("admin/", "/admin/", admin_only()),
    Row(
        "admin/partners/communitygroup/",
        "/admin/partners/communitygroup/",
        admin_only(),
    ),
    Row(
        "admin/partners/communitygroup/<path:object_id>/change/",
        "/admin/partners/communitygroup/{group_a}/change/",
        admin_only(),
    ),
    Row("admin/login/", "/admin/login/", expect(200, 200, 200, 200, 200, 200, 302)),
]

# Every admin URL passes Django admin's own staff check (admin_view); the rows
# above sample it rather than open 140 model pages 7 times.
ADMIN_PREFIX = "admin/"
# Pages behind a sign-in: anonymous callers are redirected to sign in.
SIGNED_IN = ("/team/", "/board/", "/group/")


def _routes(patterns: list[Any], prefix: str = "") -> list[str]:
    """Every pattern of the URL conf, as the concatenation of its parts."""
    routes = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            routes += _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            routes.append(prefix + str(pattern.pattern))
    return routes


def test_every_url_pattern_has_a_row():
    routes = {r for r in _routes(get_resolver().url_patterns) if not r.startswith(ADMIN_PREFIX)}
    listed = {row.route for row in ROWS}
    assert routes - listed == set(), "URL patterns with no row in the permission matrix"
    assert {r for r in listed - routes if not r.startswith(ADMIN_PREFIX)} == set(), "stale rows"


def test_every_api_operation_has_a_row(client, db):
    # The schema's paths and methods, against the rows' API requests.
    schema = client.get("/api/schema/?format=json").json()
    operations = {
        (method, path)
        for path, item in schema["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }
    # A path template matches a row's URL once its {parameter} is filled.
    covered = set()
    for method, path in operations:
        pattern = re.compile("^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(path)) + "$")
        for row in ROWS:
            if row.method == method and pattern.match(row.url.replace("{", "").replace("}", "")):
                covered.add((method, path))
    # PUT is PATCH with every field: the same permission class decides.
    covered |= {("put", path) for method, path in covered if method == "patch"}
    assert len(operations) >= 37  # places, partners and matching
    assert operations - covered == set()


def test_every_row_has_a_status_for_each_role():
    for row in ROWS:
        assert set(row.expected) == set(ROLES), row
        assert all(isinstance(code, int) for code in row.expected.values()), row


def _fill(value: Any, ids: dict[str, Any]) -> Any:
    if isinstance(value, str):
        # "{anchor_a}" alone is the id itself: a number, as the API's schema says.
        if value.startswith("{") and value.endswith("}") and value.count("{") == 1:
            return ids[value[1:-1]]
        return value.format(**ids)
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


# Who may see which marks (tests/security/conftest.py). Nobody but the admin
# acts for the other anchor; teams (and admins) see every group, so the
# hidden group only to them. Anything the anonymous public gets at the same
# URL is public (the directory, the anchors and sites of the open API).
MAY_SEE_OTHER_ANCHOR = {"root"}
MAY_SEE_HIDDEN_GROUP = {"alice", "bob", "root"}
# Another supplier of anchor A: its anchor's team and board, and admins.
MAY_SEE_OTHER_SUPPLIER = {"alice", "carol", "root"}


def _marks_barred(role: str) -> set[str]:
    barred = set()
    if role not in MAY_SEE_OTHER_ANCHOR:
        barred |= set(OTHER_ANCHOR.values())
    if role not in MAY_SEE_HIDDEN_GROUP:
        barred |= set(HIDDEN_GROUP.values())
    if role not in MAY_SEE_OTHER_SUPPLIER:
        barred |= set(OTHER_SUPPLIER.values())
    return barred


def _body(response: Any) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", errors="replace")


def test_the_marks_are_distinctive(client, world):
    # The control: the marks are really there for those who may see them, so
    # their absence elsewhere means something.
    personas, _ids = world
    client.force_login(personas.root)
    body = _body(client.get("/board/map/frame/"))
    assert OTHER_ANCHOR["site"] in body and OTHER_ANCHOR["name"] in body
    client.force_login(personas.alice)
    assert HIDDEN_GROUP["name"] in _body(client.get("/team/groups/"))


def _send(client, row: Row, ids: dict[str, Any]) -> Any:
    url, body = _fill(row.url, ids), _fill(row.body, ids)
    if row.method == "get":
        return client.get(url)
    if url.startswith("/api/"):
        return getattr(client, row.method)(
            url, data=json.dumps(body), content_type="application/json"
        )
    return getattr(client, row.method)(url, data=body)


@pytest.mark.parametrize("row", ROWS, ids=[f"{row.method.upper()} {row.url}" for row in ROWS])
def test_each_role_gets_the_expected_status(client, world, row):
    personas, ids = world
    got = {}
    leaks = {}
    public = ""
    for role in ROLES:
        client.logout()
        cache.clear()  # rate limits and cached maps start afresh for each role
        if role != "anon":
            client.force_login(getattr(personas, role))
        # Each role meets the same data: a POST by one is undone before the next.
        with transaction.atomic():
            response = _send(client, row, ids)
            transaction.set_rollback(True)
        got[role] = response.status_code
        body = _body(response)
        if role == "anon":
            public = body
        seen = {mark for mark in _marks_barred(role) if mark in body and mark not in public}
        if seen:
            leaks[role] = sorted(seen)
        if role == "anon" and response.status_code == 302 and row.url.startswith(SIGNED_IN):
            # Sent to sign in, and back here afterwards: not to some other page.
            assert response["Location"].startswith(("/accounts/login/", "/group/sign-in/"))
    wrong = {
        role: f"expected {row.expected[role]}, got {got[role]}"
        for role in ROLES
        if got[role] != row.expected[role]
    }
    assert not wrong, wrong
    assert not leaks, f"shown beyond what the public sees: {leaks}"
