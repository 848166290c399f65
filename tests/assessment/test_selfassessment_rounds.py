"""Running the self-assessment: the anchor team opens a round with a title
and a closing date, sees how many have taken part (never who), and closes
it. Another anchor's team cannot touch it; the board takes part only."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from assessment import selectors, services
from assessment.models import AssessmentRound
from config.exceptions import ApplicationError
from tests import factories as f

pytestmark = pytest.mark.django_db

ROUNDS = reverse("assessment:selfassessment-rounds")
NEW = reverse("assessment:selfassessment-round-new")


def close_url(round: AssessmentRound) -> str:
    return reverse("assessment:selfassessment-round-close", args=[round.pk])


def in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def open_as(client, user, **data):
    client.force_login(user)
    return client.post(NEW, data)


def test_the_team_opens_a_round_that_closes_at_the_end_of_its_closing_date(client, personas):
    closes_on = in_days(14)
    response = open_as(
        client,
        personas.alice,
        anchor="anchor-a",
        title="  Autumn   2026 ",
        closes_on=closes_on.strftime("%d/%m/%Y"),
    )
    assert response.status_code == 302 and response["Location"] == ROUNDS
    round = AssessmentRound.objects.get(anchor=personas.anchor_a)
    assert round.title == "Autumn 2026"
    assert round.opened_at <= timezone.now()
    assert timezone.localtime(round.closed_at) == timezone.make_aware(
        datetime.datetime.combine(closes_on + datetime.timedelta(days=1), datetime.time.min)
    )
    assert round.last_day == closes_on
    assert selectors.round_is_open(round=round)
    page = client.get(ROUNDS).content.decode()
    assert "Autumn 2026" in page and closes_on.strftime("%-d %B %Y") in page
    # The board can now take part.
    client.force_login(personas.carol)
    index = client.get(reverse("assessment:selfassessment")).content.decode()
    assert reverse("assessment:selfassessment-respond", args=[round.pk]) in index


@pytest.mark.parametrize("typed", ["31 March 2099", "31 Mar 2099", "2099-03-31", "31/03/2099"])
def test_closing_dates_are_read_as_people_type_them(client, personas, typed):
    response = open_as(client, personas.alice, anchor="anchor-a", title="Spring", closes_on=typed)
    assert response.status_code == 302
    assert AssessmentRound.objects.get().last_day == datetime.date(2099, 3, 31)


def test_an_empty_form_gets_an_error_summary_and_inline_errors(client, personas):
    response = open_as(client, personas.alice, anchor="anchor-a", title="", closes_on="")
    assert response.status_code == 400
    body = response.content.decode()
    assert 'class="error-summary"' in body
    for message in ("Enter a title for the round", "Enter the closing date"):
        assert (
            f'<a href="#id_{"title" if "title" in message else "closes_on"}">{message}</a>' in body
        )
        assert body.count(message) == 2  # in the summary and beside the field
    assert not AssessmentRound.objects.exists()


@pytest.mark.parametrize(
    ("closes_on", "message"),
    [
        ("31/02/2027", "Enter the closing date as a real date, for example 31 March 2027"),
        ("next Tuesday", "Enter the closing date as a real date, for example 31 March 2027"),
        ("yesterday", "Enter the closing date as a real date, for example 31 March 2027"),
    ],
)
def test_a_date_that_is_not_one_is_refused_and_what_was_typed_is_kept(
    client, personas, closes_on, message
):
    response = open_as(
        client, personas.alice, anchor="anchor-a", title="Autumn 2026", closes_on=closes_on
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert 'value="Autumn 2026"' in body and f'value="{closes_on}"' in body


def test_a_closing_date_in_the_past_is_refused(client, personas):
    yesterday = in_days(-1).isoformat()
    response = open_as(client, personas.alice, anchor="anchor-a", title="Late", closes_on=yesterday)
    assert response.status_code == 400
    assert "The closing date must be today or in the future" in response.content.decode()


def test_an_anchor_has_one_open_round_at_a_time(client, personas):
    f.AssessmentRoundFactory(anchor=personas.anchor_a, title="Summer")
    response = open_as(
        client, personas.alice, anchor="anchor-a", title="Autumn", closes_on=in_days(5).isoformat()
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "already has an open round, “Summer”. Close it before opening a new one." in body
    assert '<a href="#id_anchor">' in body  # the summary links to a field
    assert AssessmentRound.objects.count() == 1


def test_another_anchors_team_cannot_open_its_rounds(client, personas):
    response = open_as(
        client, personas.bob, anchor="anchor-a", title="Sneaky", closes_on=in_days(5).isoformat()
    )
    assert response.status_code == 400
    assert "Choose one of the anchors your team runs" in response.content.decode()
    assert not AssessmentRound.objects.exists()
    with pytest.raises(ApplicationError, match="Only this anchor's team"):
        services.round_open(
            anchor=personas.anchor_a, user=personas.bob, title="Sneaky", closes_on=in_days(5)
        )


@pytest.mark.parametrize("page", [ROUNDS, NEW])
def test_the_board_takes_part_but_does_not_run_rounds(client, personas, page):
    client.force_login(personas.carol)
    response = client.get(page)
    assert response.status_code == 403
    assert "The anchor team runs the self-assessment" in response.content.decode()


def test_the_team_sees_how_many_have_taken_part_and_never_who(client, personas):
    round = f.AssessmentRoundFactory(anchor=personas.anchor_a, title="Autumn")
    statements = selectors.statement_list()
    names = ["margaret-board", "oluwaseun-board"]
    for name in names:
        member = f.member(personas.anchor_a, "board", username=name)
        services.response_submit(
            round=round, user=member, answers={s.pk: (4, "") for s in statements}
        )
    client.force_login(personas.alice)
    page = client.get(ROUNDS).content.decode()
    assert '<dd data-field="respondents">2</dd>' in page
    for name in [*names, "carol"]:
        assert name not in page
    confirm = client.get(close_url(round)).content.decode()
    assert "2 people have taken part so far" in confirm
    assert "its results will never be shown" in confirm  # fewer than MIN_RESPONDENTS


def test_the_team_closes_the_open_round_and_nobody_can_take_part_after(client, personas):
    round = f.AssessmentRoundFactory(anchor=personas.anchor_a, title="Autumn")
    client.force_login(personas.alice)
    assert client.get(close_url(round)).status_code == 200
    response = client.post(close_url(round))
    assert response.status_code == 302 and response["Location"] == ROUNDS
    round.refresh_from_db()
    assert not selectors.round_is_open(round=round)
    assert round.closed_at <= timezone.now()
    # A second click (or a second tab) changes nothing and says so.
    again = client.post(close_url(round), follow=True)
    assert "“Autumn” is not open." in again.content.decode()
    client.force_login(personas.carol)
    respond = client.get(reverse("assessment:selfassessment-respond", args=[round.pk]), follow=True)
    assert "That round is closed." in respond.content.decode()


def test_closing_twice_at_once_closes_it_once(personas):
    round = f.AssessmentRoundFactory(anchor=personas.anchor_a)
    stale = AssessmentRound.objects.get(pk=round.pk)
    assert services.round_close(round=round, user=personas.alice) is True
    first = AssessmentRound.objects.get(pk=round.pk).closed_at
    assert services.round_close(round=stale, user=personas.alice) is False
    assert AssessmentRound.objects.get(pk=round.pk).closed_at == first


def test_another_anchors_team_cannot_close_its_round(client, personas):
    round = f.AssessmentRoundFactory(anchor=personas.anchor_a)
    client.force_login(personas.bob)
    assert client.get(close_url(round)).status_code == 404
    assert client.post(close_url(round)).status_code == 404
    round.refresh_from_db()
    assert round.closed_at is None
    with pytest.raises(ApplicationError, match="Only this anchor's team"):
        services.round_close(round=round, user=personas.bob)


def test_after_closing_the_team_can_open_the_next_round(client, personas):
    round = f.AssessmentRoundFactory(anchor=personas.anchor_a, title="Spring")
    client.force_login(personas.alice)
    client.post(close_url(round))
    response = open_as(
        client, personas.alice, anchor="anchor-a", title="Autumn", closes_on=in_days(7).isoformat()
    )
    assert response.status_code == 302
    page = client.get(ROUNDS).content.decode()
    page = page[page.index("<h1") :]  # after the messages ("“Spring” is closed.")
    assert page.index("Autumn") < page.index("Other rounds") < page.index("Spring")


def test_the_navigation_offers_it_to_the_team_only(client, personas):
    client.force_login(personas.alice)
    assert ROUNDS in client.get(reverse("assessment:selfassessment")).content.decode()
    client.force_login(personas.carol)
    assert ROUNDS not in client.get(reverse("assessment:selfassessment")).content.decode()
