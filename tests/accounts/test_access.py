"""accounts.access: which anchors a user acts for as a team, sees as a board,
and which groups they answer for. The personas: alice is anchor A's team,
bob anchor B's, carol sits on A's board, dave is group_a's contact, root is
an admin; nina is in the anchor team group with no membership at all."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from accounts import access
from accounts.roles import ANCHOR_TEAM, BOARD
from partners.models import AnchorMembership, MembershipRole
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def nina(personas):
    return f.UserFactory(username="nina", roles=[ANCHOR_TEAM])


def test_the_membership_roles_are_partners_own():
    assert access.TEAM_MEMBERSHIP == MembershipRole.TEAM
    assert access.BOARD_MEMBERSHIP == MembershipRole.BOARD


def test_a_team_acts_for_its_own_anchor_only(personas):
    assert access.anchors_for_team(user=personas.alice) == {personas.anchor_a.pk}
    assert access.anchors_for_team(user=personas.bob) == {personas.anchor_b.pk}
    assert access.anchor_team_may(user=personas.alice, anchor_id=personas.anchor_a.pk)
    assert not access.anchor_team_may(user=personas.alice, anchor_id=personas.anchor_b.pk)


def test_the_team_role_without_a_membership_grants_nothing(nina):
    assert access.anchors_for_team(user=nina) == frozenset()
    assert access.anchors_for_board(user=nina) == frozenset()
    assert not access.is_anchor_team(user=nina)
    assert not access.can_see_contacts(user=nina)


def test_a_membership_without_the_role_grants_nothing(personas):
    stray = f.UserFactory(username="stray")
    AnchorMembership.objects.create(user=stray, anchor=personas.anchor_a, role="team")
    assert access.anchors_for_team(user=stray) == frozenset()


def test_a_board_member_sees_only_the_anchors_of_their_seats(personas):
    assert access.anchors_for_board(user=personas.carol) == {personas.anchor_a.pk}
    assert access.anchors_for_team(user=personas.carol) == frozenset()


def test_a_team_may_look_at_its_own_anchors_board_pages(personas):
    assert access.anchors_for_board(user=personas.bob) == {personas.anchor_b.pk}
    assert access.anchors_as_board_member(user=personas.bob) == frozenset()


def test_a_partnership_board_sees_each_of_its_anchors(personas):
    both = f.member(personas.anchor_a, BOARD, username="pat")
    AnchorMembership.objects.create(user=both, anchor=personas.anchor_b, role="board")
    assert access.anchors_for_board(user=both) == {personas.anchor_a.pk, personas.anchor_b.pk}


def test_an_admin_acts_for_every_anchor_but_is_no_member(personas):
    every = {personas.anchor_a.pk, personas.anchor_b.pk}
    assert access.anchors_for_team(user=personas.root) == every
    assert access.anchors_for_board(user=personas.root) == every
    assert access.anchor_memberships(user=personas.root) == frozenset()


def test_a_contact_answers_for_their_own_groups_only(personas):
    assert access.groups_for_contact(user=personas.dave) == {personas.group_a.pk}
    assert access.groups_for_contact(user=personas.alice) == frozenset()
    assert access.can_see_contacts(user=personas.dave, group=personas.group_a)
    assert not access.can_see_contacts(user=personas.dave, group=personas.group_b)


def test_the_anonymous_get_nothing(personas):
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert access.anchors_for_team(user=anonymous) == frozenset()
    assert access.anchors_for_board(user=anonymous) == frozenset()
    assert access.groups_for_contact(user=anonymous) == frozenset()


def _top_level_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in tree.body:  # module level only: a call-time import is allowed
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
    return names


@pytest.mark.parametrize("package", ["config", "accounts"])
def test_the_bottom_layer_imports_no_app_above_it(package):
    # DESIGN.md: (config, accounts) <- places <- partners <- matching <- maps.
    above = {"places", "partners", "matching", "maps", "assessment"}
    offenders = {
        str(path.relative_to(ROOT)): sorted(_top_level_imports(path) & above)
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts and "settings" not in path.parts
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_a_team_user_with_no_anchor_is_offered_no_team_page(client, nina):
    client.force_login(nina)
    html = client.get("/directory/").content.decode()
    for page in ("/team/groups/queue/", "/team/import/", "/board/map/", "/team/matching/"):
        assert f'href="{page}"' not in html
