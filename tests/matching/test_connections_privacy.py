"""Connections share nothing before both say yes (issue 17): what each side's
page shows before, between and after the two yeses, after a change of mind,
and after a group leaves or is erased; suggestions asked for through the
outbox when a group is verified or changes its activities."""

from __future__ import annotations

import pytest

from config.models import OutboxMessage
from matching.errors import IllegalTransition
from matching.models import GroupConnection
from matching.services.connections import (
    connection_opt_in,
    connections_refresh_for_group,
    connections_suggest,
)
from matching.tasks import connections_refresh_after_change
from partners.models import VerificationStatus
from partners.services.followups import CONNECTIONS_REFRESH
from partners.services.registration import ActivityInput
from partners.services.review import group_verify
from partners.services.selfservice import activity_update, group_erase, group_withdraw
from tests import factories as f

PAGE = "/group/connections/"


@pytest.fixture
def pair(personas):  # type: ignore[no-untyped-def]
    """group_a (Ordsall Lunch Club, listed, meets in public, food) and
    group_b (unlisted, meets at home, cost of living) about 700 m apart."""
    a, b = personas.group_a, personas.group_b
    a.latitude, a.longitude = 53.480, -2.30
    a.save()
    b.neighbourhood.name = "Quiet Close Estate"
    b.neighbourhood.point_lat, b.neighbourhood.point_lon = 53.4863, -2.30
    b.neighbourhood.save()
    # The home itself, 1 km further north: never used, not even for a distance.
    b.latitude, b.longitude = 53.4953, -2.30
    b.name = "Harriet's Kitchen Table"
    b.meets_at_home, b.consent_public = True, False
    b.address = "12 Private Road"
    b.contact_name, b.contact_phone = "Harriet Homeworker", "07700 900123"
    b.save()
    f.ActivityFactory(group=a, title="Ordsall lunches", themes=["food"])
    f.ActivityFactory(
        group=b,
        title="Harriet's money chats",
        description="In my front room at 12 Private Road",
        themes=["poverty-and-cost-of-living"],
    )
    connections_suggest()
    personas.connection = GroupConnection.objects.get()
    return personas


def secrets_of(group):  # type: ignore[no-untyped-def]
    strings = [group.contact_name, group.contact_email, group.contact_phone]
    if group.neighbourhood:
        strings.append(group.neighbourhood.name)
    strings += [a.title for a in group.activities.all()]
    strings += [a.description for a in group.activities.all() if a.description]
    if group.address:
        strings.append(group.address)
    return strings


def page(client, user) -> str:  # type: ignore[no-untyped-def]
    client.force_login(user)
    response = client.get(PAGE)
    assert response.status_code == 200
    return response.content.decode().replace("&#x27;", "'")


def answer(client, user, pk, value):  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client.post(f"{PAGE}{pk}/", {"answer": value})


def assert_nothing_of(group, html, *, name_allowed=False):  # type: ignore[no-untyped-def]
    for secret in secrets_of(group):
        assert secret not in html, secret
    if not name_allowed:
        assert group.name not in html


def test_before_any_yes_each_side_sees_what_the_other_does_and_how_far_only(client, pair):  # type: ignore[no-untyped-def]
    dave_sees = page(client, pair.dave)
    erin_sees = page(client, pair.erin)

    # group_b is unlisted and meets at home: neither name nor anything else.
    assert_nothing_of(pair.group_b, dave_sees)
    assert "working on poverty and cost of living (weekly)" in dave_sees
    assert "less than 1 km away" in dave_sees
    # group_a is listed and meets in public: its public name, nothing more.
    assert pair.group_a.name in erin_sees
    assert_nothing_of(pair.group_a, erin_sees, name_allowed=True)
    assert "working on food" in erin_sees


def test_the_distance_to_a_group_meeting_at_home_is_from_its_neighbourhood(pair):  # type: ignore[no-untyped-def]
    # 700 m to the neighbourhood's point; the home is 1.7 km away.
    assert pair.connection.distance_m == pytest.approx(706, abs=20)


@pytest.mark.parametrize("first", ["dave", "erin"])
def test_one_yes_passes_nothing_either_way(client, pair, first):  # type: ignore[no-untyped-def]
    answer(client, getattr(pair, first), pair.connection.pk, "yes")

    assert_nothing_of(pair.group_b, page(client, pair.dave))
    assert_nothing_of(pair.group_a, page(client, pair.erin), name_allowed=True)


def test_two_yeses_pass_the_contacts_both_ways(client, pair):  # type: ignore[no-untyped-def]
    answer(client, pair.dave, pair.connection.pk, "yes")
    answer(client, pair.erin, pair.connection.pk, "yes")

    dave_sees, erin_sees = page(client, pair.dave), page(client, pair.erin)

    assert pair.group_b.contact_email in dave_sees
    assert pair.group_b.name in dave_sees
    assert pair.group_a.contact_email in erin_sees
    # Still never the home's address or the neighbourhood.
    assert pair.group_b.address not in dave_sees
    assert "Quiet Close Estate" not in dave_sees


def test_a_change_of_mind_after_both_yeses_closes_it_for_both(client, pair):  # type: ignore[no-untyped-def]
    answer(client, pair.dave, pair.connection.pk, "yes")
    answer(client, pair.erin, pair.connection.pk, "yes")

    answer(client, pair.erin, pair.connection.pk, "no")

    dave_sees, erin_sees = page(client, pair.dave), page(client, pair.erin)
    assert_nothing_of(pair.group_b, dave_sees)
    assert_nothing_of(pair.group_a, erin_sees, name_allowed=True)
    assert "This suggestion is closed" in dave_sees
    answer(client, pair.dave, pair.connection.pk, "yes")
    assert_nothing_of(pair.group_b, page(client, pair.dave))


def test_a_yes_withdrawn_before_the_other_yes_passes_nothing(client, pair):  # type: ignore[no-untyped-def]
    answer(client, pair.erin, pair.connection.pk, "yes")
    answer(client, pair.erin, pair.connection.pk, "no")

    answer(client, pair.dave, pair.connection.pk, "yes")

    assert_nothing_of(pair.group_b, page(client, pair.dave))
    assert_nothing_of(pair.group_a, page(client, pair.erin), name_allowed=True)


@pytest.mark.parametrize("leave", [group_withdraw, group_erase])
def test_a_group_that_leaves_after_its_yes_passes_nothing_later(client, pair, leave):  # type: ignore[no-untyped-def]
    """Issue 17: erin's group opted in, then left; dave said yes later and
    was given erin's contact name, e-mail and phone."""
    before = [*secrets_of(pair.group_b), pair.group_b.name]
    answer(client, pair.erin, pair.connection.pk, "yes")
    leave(group=pair.group_b)

    answer(client, pair.dave, pair.connection.pk, "yes")  # refused: closed

    dave_sees = page(client, pair.dave)
    for secret in before:
        assert secret not in dave_sees
    assert "This suggestion is closed" in dave_sees


@pytest.mark.parametrize("leave", [group_withdraw, group_erase])
def test_leaving_asks_the_outbox_to_close_its_suggestions(pair, leave):  # type: ignore[no-untyped-def]
    leave(group=pair.group_b)

    message = OutboxMessage.objects.filter(task_name=CONNECTIONS_REFRESH).get()
    connections_refresh_after_change(**message.kwargs)

    pair.connection.refresh_from_db()
    assert pair.connection.declined_at is not None
    with pytest.raises(IllegalTransition):
        connection_opt_in(connection_id=pair.connection.pk, by=pair.dave)


def test_verifying_a_group_asks_for_its_suggestions_through_the_outbox(pair):  # type: ignore[no-untyped-def]
    newcomer = f.CommunityGroupFactory(
        status=VerificationStatus.PENDING, latitude=53.481, longitude=-2.30
    )
    f.ActivityFactory(group=newcomer, themes=["food"])
    team = f.member(f.AnchorFactory(), "team")

    group_verify(group=newcomer, by=team)

    messages = OutboxMessage.objects.filter(task_name=CONNECTIONS_REFRESH)
    assert list(messages.values_list("kwargs", flat=True)) == [{"group_id": newcomer.pk}]
    assert connections_refresh_after_change(group_id=newcomer.pk) == 2
    assert connections_refresh_after_change(group_id=newcomer.pk) == 0  # at least once: harmless
    assert GroupConnection.objects.count() == 3


def test_changing_activities_asks_for_suggestions_through_the_outbox(pair):  # type: ignore[no-untyped-def]
    walkers = f.CommunityGroupFactory(latitude=53.482, longitude=-2.30)
    activity = f.ActivityFactory(group=walkers, themes=["carers"])
    # No shared or complementary theme with either group yet.
    assert connections_refresh_for_group(group_id=walkers.pk) == 0

    activity_update(
        activity=activity,
        data=ActivityInput(key="a", title="Walks", theme_slugs=("food",)),
    )

    messages = OutboxMessage.objects.filter(task_name=CONNECTIONS_REFRESH)
    assert list(messages.values_list("kwargs", flat=True)) == [{"group_id": walkers.pk}]
    assert connections_refresh_after_change(group_id=walkers.pk) == 2


def test_a_yes_to_a_group_that_has_left_is_refused_at_once(pair):  # type: ignore[no-untyped-def]
    # Before the outbox has closed anything: the service checks for itself.
    group_withdraw(group=pair.group_b)

    with pytest.raises(IllegalTransition, match="closed"):
        connection_opt_in(connection_id=pair.connection.pk, by=pair.dave)


def test_the_page_passes_nothing_once_a_group_is_gone_even_with_both_yeses_stored(client, pair):  # type: ignore[no-untyped-def]
    # Both yeses given while both were members; then group_b is suspended and
    # nothing has closed the suggestion yet: the page must still check.
    connection_opt_in(connection_id=pair.connection.pk, by=pair.dave)
    connection_opt_in(connection_id=pair.connection.pk, by=pair.erin)
    assert pair.group_b.contact_email in page(client, pair.dave)
    type(pair.group_b).objects.filter(pk=pair.group_b.pk).update(
        status=VerificationStatus.SUSPENDED
    )

    assert_nothing_of(pair.group_b, page(client, pair.dave))
    assert_nothing_of(pair.group_a, page(client, pair.erin), name_allowed=True)
