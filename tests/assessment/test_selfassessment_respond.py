"""Taking part in a self-assessment round: the form, its errors, and who may."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from assessment.models import AssessmentAnswer, AssessmentParticipation
from assessment.selectors import statement_list
from tests import factories as f


@pytest.fixture
def round_(personas):  # type: ignore[no-untyped-def]
    return f.AssessmentRoundFactory(anchor=personas.anchor_a, title="Autumn 2026")


def url(round_) -> str:  # type: ignore[no-untyped-def]
    return reverse("assessment:selfassessment-respond", args=[round_.pk])


def full_answers(score: str = "4") -> dict[str, str]:
    data = {}
    for statement in statement_list():
        data[f"score_{statement.pk}"] = score
        data[f"comment_{statement.pk}"] = ""
    return data


def test_each_statement_is_a_radio_group_with_a_legend(client, personas, round_):  # type: ignore[no-untyped-def]
    client.force_login(personas.carol)

    content = client.get(url(round_)).content.decode()

    statements = statement_list()
    assert content.count("<fieldset") == len(statements)
    assert content.count('type="radio"') == 5 * len(statements)
    assert f"<legend>{statements[0].text}</legend>" in content
    assert "Intentionality" in content and "System leadership" in content
    assert "style=" not in content and "<script>" not in content


def test_answers_are_recorded_and_the_person_thanked(client, personas, round_):  # type: ignore[no-untyped-def]
    client.force_login(personas.carol)
    data = full_answers("5")
    first = statement_list()[0]
    data[f"comment_{first.pk}"] = "  We have a plan but few know it.  "

    response = client.post(url(round_), data, follow=True)

    assert response.redirect_chain[-1][0] == reverse("assessment:selfassessment")
    assert "recorded anonymously" in response.content.decode()
    assert AssessmentParticipation.objects.filter(round=round_).count() == 1
    assert (
        AssessmentAnswer.objects.get(statement=first).comment == "We have a plan but few know it."
    )
    assert set(AssessmentAnswer.objects.values_list("score", flat=True)) == {5}


def test_it_lists_missing_scores_in_an_error_summary_and_keeps_what_was_typed(
    client, personas, round_
):  # type: ignore[no-untyped-def]
    client.force_login(personas.carol)
    statements = statement_list()
    data = full_answers("2")
    del data[f"score_{statements[1].pk}"]
    data[f"comment_{statements[0].pk}"] = "Keep this comment"

    response = client.post(url(round_), data)

    content = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in content
    assert f'href="#id_score_{statements[1].pk}_0"' in content
    assert f'id="id_score_{statements[1].pk}_0"' in content
    assert f"Choose a score for “{statements[1].text}”" in content
    assert "Keep this comment" in content
    assert (
        f'name="score_{statements[0].pk}" value="2" id="id_score_{statements[0].pk}_1" checked'
        in content
    )
    assert content.startswith("<!DOCTYPE html>") and "<title>Error:" in content
    assert AssessmentParticipation.objects.count() == 0


def test_a_score_out_of_range_is_refused_with_a_reason(client, personas, round_):  # type: ignore[no-untyped-def]
    client.force_login(personas.carol)
    data = full_answers()
    data[f"score_{statement_list()[0].pk}"] = "9"

    response = client.post(url(round_), data)

    assert response.status_code == 400
    assert "Choose a score from 1 to 5" in response.content.decode()


def test_a_second_visit_is_turned_away_politely(client, personas, round_):  # type: ignore[no-untyped-def]
    client.force_login(personas.carol)
    client.post(url(round_), full_answers())

    again = client.post(url(round_), full_answers("1"), follow=True)

    assert "already taken part" in again.content.decode()
    assert AssessmentParticipation.objects.count() == 1
    assert set(AssessmentAnswer.objects.values_list("score", flat=True)) == {4}


def test_a_closed_round_takes_no_answers(client, personas):  # type: ignore[no-untyped-def]
    now = timezone.now()
    closed = f.AssessmentRoundFactory(
        anchor=personas.anchor_a,
        opened_at=now - datetime.timedelta(days=60),
        closed_at=now - datetime.timedelta(days=30),
    )
    client.force_login(personas.carol)

    response = client.post(url(closed), full_answers(), follow=True)

    assert "That round is closed" in response.content.decode()
    assert AssessmentParticipation.objects.count() == 0


def test_the_anchor_team_may_take_part(client, personas, round_):  # type: ignore[no-untyped-def]
    client.force_login(personas.alice)

    assert client.post(url(round_), full_answers()).status_code == 302
    assert AssessmentParticipation.objects.count() == 1


def test_another_anchors_board_cannot_see_the_round(client, personas, round_):  # type: ignore[no-untyped-def]
    client.force_login(personas.bob)

    assert client.get(url(round_)).status_code == 404


def test_an_admin_who_is_not_a_member_reads_results_but_does_not_answer(client, personas, round_):  # type: ignore[no-untyped-def]
    client.force_login(personas.root)

    assert client.get(url(round_)).status_code == 403
    assert client.get(reverse("assessment:selfassessment")).status_code == 200


def test_the_index_lists_rounds_and_offers_to_take_part(client, personas, round_):  # type: ignore[no-untyped-def]
    client.force_login(personas.carol)

    content = client.get(reverse("assessment:selfassessment")).content.decode()

    assert "Autumn 2026" in content
    assert url(round_) in content
