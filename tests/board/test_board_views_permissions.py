"""Who may see the board pages, what each sees, and that no personal data
reaches them (a scan of every page and JSON answer)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from assessment.selectors import statement_list
from assessment.services import response_submit
from matching.models import MatchStatus
from partners.models import NeedKind
from tests import factories as f

BOARD_PAGES = [
    "board:board",
    "board:board-report",
    "assessment:selfassessment",
    "assessment:selfassessment-results",
    "assessment:selfassessment-results-json",
]


def back(anchor, group, *, amount=25_000):  # type: ignore[no-untyped-def]
    need = f.NeedFactory(activity=f.ActivityFactory(group=group), amount=amount)
    return f.MatchFactory(
        need=need,
        resource=f.ResourceFactory(anchor=anchor, kind=NeedKind.SEED_FUNDING),
        amount=amount,
        status=MatchStatus.ACTIVE,
    )


@pytest.fixture
def cast(personas):  # type: ignore[no-untyped-def]
    """The personas, with backing from both anchors, a group meeting at home,
    and a self-assessment round of anchor A answered by three people."""
    home = f.CommunityGroupFactory(
        name="Kitchen Table Knitters",
        meets_at_home=True,
        address="12 Private Road",
        postcode="M6 8HD",
        contact_name="Harriet Homeworker",
        contact_email="harriet@example.org",
        contact_phone="07700 900123",
    )
    back(personas.anchor_a, personas.group_a, amount=25_000)
    back(personas.anchor_a, home, amount=12_300)
    back(personas.anchor_b, personas.group_b, amount=77_700)
    round_ = f.AssessmentRoundFactory(anchor=personas.anchor_a, title="Spring review")
    statements = statement_list()
    respondents = (
        personas.alice,
        personas.carol,
        f.member(personas.anchor_a, "board", username="fay"),
    )
    for number, user in enumerate(respondents):
        response_submit(
            round=round_,
            user=user,
            answers={s.pk: (4, f"Room to improve, view {number}") for s in statements},
        )
    # Closed, so its results (with comments) are on the pages scanned below.
    round_.closed_at = timezone.now()
    round_.save()
    personas.home = home
    personas.round = round_
    return personas


def personal_strings(cast) -> list[str]:  # type: ignore[no-untyped-def]
    strings = []
    for group in (cast.group_a, cast.group_b, cast.home):
        strings += [group.contact_name, group.contact_email, group.contact_phone]
    strings += [cast.home.address, cast.home.postcode, f"{cast.home.latitude:.4f}"]
    for user in (cast.alice, cast.bob, cast.carol, cast.dave, cast.erin):
        strings += [user.email]
    return [s for s in strings if s]


USERNAMES = re.compile(r"\b(alice|bob|carol|dave|erin|fay)\b", re.IGNORECASE)


@pytest.mark.parametrize("name", BOARD_PAGES)
def test_anonymous_people_are_sent_to_sign_in(client, cast, name):  # type: ignore[no-untyped-def]
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", BOARD_PAGES)
@pytest.mark.parametrize("who", ["dave", "erin"])
def test_group_contacts_are_refused(client, cast, name, who):  # type: ignore[no-untyped-def]
    client.force_login(getattr(cast, who))

    response = client.get(reverse(name))

    assert response.status_code == 403


def test_a_user_with_the_board_group_but_no_membership_is_refused(client, db):  # type: ignore[no-untyped-def]
    client.force_login(f.UserFactory(roles=["board"]))

    assert client.get(reverse("board:board")).status_code == 403


@pytest.mark.parametrize("who", ["carol", "alice", "root"])
@pytest.mark.parametrize("name", BOARD_PAGES)
def test_the_board_the_team_and_admins_see_the_pages(client, cast, name, who):  # type: ignore[no-untyped-def]
    client.force_login(getattr(cast, who))

    response = client.get(reverse(name))

    assert response.status_code == 200


@pytest.mark.parametrize("who", ["carol", "alice", "root"])
@pytest.mark.parametrize("name", BOARD_PAGES)
def test_no_personal_data_reaches_any_board_page(client, cast, name, who):  # type: ignore[no-untyped-def]
    client.force_login(getattr(cast, who))

    content = client.get(reverse(name)).content.decode()

    for secret in personal_strings(cast):
        assert secret not in content, f"{secret!r} leaked into {name}"
    assert USERNAMES.findall(content) == []


def test_the_board_sees_its_own_anchor_only(client, cast):  # type: ignore[no-untyped-def]
    client.force_login(cast.carol)

    content = client.get(reverse("board:board")).content.decode()

    assert (
        'data-figure="pounds_awarded">£373<' in content
    )  # 250 + 123: anchor A's seed funding only
    assert "£777" not in content
    assert "£1,150" not in content


def test_an_admin_sees_every_anchor_together(client, cast):  # type: ignore[no-untyped-def]
    client.force_login(cast.root)

    response = client.get(reverse("board:board"))

    assert response.context["headline"].pence_awarded == 25_000 + 12_300 + 77_700


def test_a_member_of_two_boards_gets_the_joint_view_and_can_pick_one(client, cast):  # type: ignore[no-untyped-def]
    both = f.member(cast.anchor_a, "board", username="gita")
    f.pm.AnchorMembership.objects.create(user=both, anchor=cast.anchor_b, role="board")
    client.force_login(both)

    joint = client.get(reverse("board:board"))
    only_b = client.get(reverse("board:board"), {"anchor": "anchor-b"})

    assert joint.context["headline"].pence_awarded == 25_000 + 12_300 + 77_700
    assert only_b.context["headline"].pence_awarded == 77_700
    assert "All my anchors" in joint.content.decode()


def test_an_anchor_the_member_does_not_sit_on_cannot_be_chosen(client, cast):  # type: ignore[no-untyped-def]
    client.force_login(cast.bob)

    response = client.get(reverse("board:board"), {"anchor": "anchor-a"})

    content = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_anchor"' in content
    assert response.context["headline"].pence_awarded == 77_700


def test_the_board_cannot_see_another_anchors_self_assessment(client, cast):  # type: ignore[no-untyped-def]
    client.force_login(cast.bob)

    results = client.get(reverse("assessment:selfassessment-results"), {"round": cast.round.pk})
    radar = client.get(reverse("board:board-chart", args=["radar"]), {"round": cast.round.pk})

    assert results.status_code == 404
    assert radar.status_code == 404
