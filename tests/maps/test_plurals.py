"""Counts read as English: "1 local authority", never "1 local authorities"."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from config.words import plural
from matching.models import MatchStatus
from tests import factories as f

pytestmark = pytest.mark.django_db

# A count of one followed by a plural noun, as the pages wrote them.
ONE_MANY = re.compile(
    r"\b1 (local authorities|neighbourhoods|matches|hours|areas|middle layer areas|people)\b"
)


def test_plural_picks_the_noun():
    assert plural(1, "local authority", "local authorities") == "1 local authority"
    assert plural(2, "local authority", "local authorities") == "2 local authorities"
    assert plural(1_200, "hour", "hours") == "1,200 hours"


@pytest.mark.parametrize("level", ["neighbourhood", "msoa", "la"])
def test_one_of_everything_is_singular_on_the_board_pages(client, level):
    hood = f.NeighbourhoodFactory(imd_decile=1, msoa_name="Salford 001")
    anchor = f.AnchorFactory(slug="one-of-each")
    group = f.CommunityGroupFactory(neighbourhood=hood)
    need = f.NeedFactory(activity=f.ActivityFactory(group=group), kind="expertise", amount=1)
    f.MatchFactory(
        need=need,
        resource=f.ResourceFactory(anchor=anchor, kind="expertise"),
        amount=1,
        status=MatchStatus.ACTIVE,
    )
    client.force_login(f.UserFactory(username="one-root", is_staff=True, is_superuser=True))

    pages = [
        client.get(reverse("maps:board-map"), {"level": level}).content.decode(),
        client.get(reverse("board:board"), {"level": level}).content.decode(),
        client.get(reverse("board:board-report"), {"level": level}).content.decode(),
    ]

    for body in pages:
        assert ONE_MANY.findall(body) == []
    if level == "la":
        assert "1 local authority made of 1 neighbourhood" in pages[0]
    assert "1 match taken up" in pages[0]
    assert "1 hour given" in pages[0]
