"""The board map is scoped to the user's own anchors: carol (anchor A's
board) never sees anchor B's name, sites, lines or figures on the page, the
frame or the download, whatever the query says; ?anchor=<B> is not there
(404). nina, in the anchor team group with no membership, gets nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.roles import ANCHOR_TEAM
from matching.models import MatchStatus
from tests import factories as f

pytestmark = pytest.mark.django_db

BOARD_PAGES = ("maps:board-map", "maps:board-map-frame", "maps:board-map-download")
# Anchor B's distinctive marks: its name, its site, and its one match's amount.
B_MARKS = ("Zephyrine Harbour Trust", "Quillbrook Clinic", "7,319")


@pytest.fixture
def two_anchors(personas):
    anchor_b = personas.anchor_b
    anchor_b.name = "Zephyrine Harbour Trust"
    anchor_b.save()
    site_a = f.SiteFactory(anchor=personas.anchor_a, name="Ordsall Health Hub")
    site_b = f.SiteFactory(anchor=anchor_b, name="Quillbrook Clinic", latitude=53.49)
    for anchor, site, group, amount in [
        (personas.anchor_a, site_a, personas.group_a, 20_000),
        (anchor_b, site_b, personas.group_b, 731_900),  # £7,319
    ]:
        need = f.NeedFactory(activity=f.ActivityFactory(group=group, themes=["food"]))
        f.MatchFactory(
            need=need,
            resource=f.ResourceFactory(anchor=anchor, radius_site=site),
            amount=amount,
            status=MatchStatus.ACTIVE,
        )
    return personas


@pytest.mark.parametrize("name", BOARD_PAGES)
@pytest.mark.parametrize("query", ["", "?period=12m", "?anchor=", "?level=msoa"])
def test_a_one_anchor_board_member_sees_nothing_of_another_anchor(client, two_anchors, name, query):
    client.force_login(two_anchors.carol)
    response = client.get(reverse(name) + query)
    assert response.status_code == 200
    body = response.content.decode()
    for mark in B_MARKS:
        assert mark not in body, f"{mark!r} of anchor B on {name}{query}"


@pytest.mark.parametrize("name", BOARD_PAGES)
def test_another_anchors_slug_is_not_there(client, two_anchors, name):
    client.force_login(two_anchors.carol)
    response = client.get(reverse(name), {"anchor": "anchor-b"})
    assert response.status_code == 404
    assert "anchor-b" not in response.content.decode()


def test_the_anchor_filter_offers_only_the_users_own_anchors(client, two_anchors):
    client.force_login(two_anchors.carol)
    form = client.get(reverse("maps:board-map")).context["form"]
    assert [slug for slug, _ in form.fields["anchor"].choices] == ["anchor-a"]


def test_the_own_anchors_site_line_and_amount_are_drawn(client, two_anchors):
    # The control: what the other anchor's board would see is really drawn.
    client.force_login(two_anchors.carol)
    frame = client.get(reverse("maps:board-map-frame")).content.decode()
    assert "Ordsall Health Hub" in frame
    client.force_login(two_anchors.bob)
    frame = client.get(reverse("maps:board-map-frame")).content.decode()
    assert "Quillbrook Clinic" in frame and "Ordsall Health Hub" not in frame


def test_an_admin_sees_every_anchor(client, two_anchors):
    client.force_login(two_anchors.root)
    frame = client.get(reverse("maps:board-map-frame")).content.decode()
    assert "Quillbrook Clinic" in frame and "Ordsall Health Hub" in frame


@pytest.mark.parametrize(
    "url", ["/board/map/", "/board/map/frame/", "/board/", "/team/import/", "/team/groups/queue/"]
)
def test_a_team_user_with_no_membership_gets_nothing(client, two_anchors, url):
    nina = f.UserFactory(username="nina", roles=[ANCHOR_TEAM])
    client.force_login(nina)
    response = client.get(url)
    assert response.status_code == 403
    body = response.content.decode()
    for mark in (*B_MARKS, "Ordsall Health Hub", "Salford Royal Test Trust"):
        assert mark not in body
