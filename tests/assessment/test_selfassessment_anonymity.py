"""The self-assessment's anonymity: nothing stored or shown says who said what."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from assessment.models import AssessmentAnswer, AssessmentParticipation
from assessment.results import MIN_RESPONDENTS, round_results
from assessment.selectors import statement_list
from assessment.services import response_submit
from config.exceptions import ApplicationError
from tests import factories as f

ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth"]


def answer_all(round_, user, comment=""):  # type: ignore[no-untyped-def]
    response_submit(round=round_, user=user, answers={s.pk: (3, comment) for s in statement_list()})


def close(round_):  # type: ignore[no-untyped-def]
    round_.closed_at = timezone.now()
    round_.save()


@pytest.fixture
def leaders(db):  # type: ignore[no-untyped-def]
    anchor = f.AnchorFactory(slug="anon")
    users = [
        f.member(
            anchor,
            "board",
            username=f"leader{i}",
            first_name=f"Firstname{i}",
            last_name=f"Surname{i}",
            email=f"leader{i}@nhs.example",
        )
        for i in range(6)
    ]
    return anchor, users


def test_an_answer_stores_no_reference_to_its_respondent(leaders):  # type: ignore[no-untyped-def]
    anchor, users = leaders
    round_ = f.AssessmentRoundFactory(anchor=anchor)
    answer_all(round_, users[0])

    related = {field.related_model for field in AssessmentAnswer._meta.get_fields()}
    stored = " ".join(
        str(value) for answer in AssessmentAnswer.objects.all() for value in vars(answer).values()
    )
    assert related == {None, round_.__class__, AssessmentAnswer.statement.field.related_model}
    assert users[0].username not in stored
    assert users[0].email not in stored
    # Who took part is recorded, apart, so that nobody answers twice.
    assert AssessmentParticipation.objects.get().user == users[0]


def test_one_person_cannot_answer_a_round_twice(leaders):  # type: ignore[no-untyped-def]
    anchor, users = leaders
    round_ = f.AssessmentRoundFactory(anchor=anchor)
    answer_all(round_, users[0])

    with pytest.raises(ApplicationError, match="already taken part"):
        answer_all(round_, users[0])
    assert AssessmentParticipation.objects.count() == 1


def test_a_single_respondents_comments_are_not_shown_below_the_threshold(client, leaders):  # type: ignore[no-untyped-def]
    anchor, users = leaders
    round_ = f.AssessmentRoundFactory(anchor=anchor)
    for user in users[: MIN_RESPONDENTS - 1]:
        answer_all(round_, user, comment=f"Only {user.username} would say this")
    close(round_)
    client.force_login(users[-1])

    page = client.get(reverse("assessment:selfassessment-results"), {"round": round_.pk})
    data = client.get(
        reverse("assessment:selfassessment-results-json"), {"round": round_.pk}
    ).json()
    results = round_results(round=round_)

    assert "would say this" not in page.content.decode()
    assert "would say this" not in json.dumps(data)
    assert all(s.comments == () for s in results.statements)
    assert f"at least {MIN_RESPONDENTS} people" in page.content.decode()


def test_results_pages_and_json_name_no_respondent(client, leaders):  # type: ignore[no-untyped-def]
    anchor, users = leaders
    round_ = f.AssessmentRoundFactory(anchor=anchor)
    for i, user in enumerate(users[:4]):
        answer_all(round_, user, comment=f"Comment number {i}")
    close(round_)
    viewer = f.member(anchor, "board", username="viewer")
    client.force_login(viewer)

    pages = [
        client.get(reverse("assessment:selfassessment-results"), {"round": round_.pk}),
        client.get(reverse("assessment:selfassessment-results-json"), {"round": round_.pk}),
        client.get(reverse("board:board")),
        client.get(reverse("board:board-report")),
        client.get(reverse("assessment:selfassessment")),
    ]

    assert "Comment number 0" in pages[0].content.decode()
    assert "Comment number 0" in json.dumps(pages[1].json())
    for response in pages:
        content = response.content.decode()
        assert response.status_code == 200
        for user in users:
            for secret in (user.username, user.first_name, user.last_name, user.email):
                assert secret not in content


def test_the_json_holds_figures_and_comments_only(client, leaders):  # type: ignore[no-untyped-def]
    anchor, users = leaders
    round_ = f.AssessmentRoundFactory(anchor=anchor)
    for user in users[:3]:
        answer_all(round_, user, comment="Fine")
    close(round_)
    client.force_login(users[3])

    data = client.get(
        reverse("assessment:selfassessment-results-json"), {"round": round_.pk}
    ).json()

    result = data["results"][0]
    assert set(result) == {
        "round",
        "title",
        "anchor",
        "respondents",
        "minimum_respondents",
        "open",
        "shown",
        "mean_step",
        "previous_round",
        "blocks",
        "statements",
    }
    assert set(result["statements"][0]) == {"block", "text", "mean", "comments"}
    assert result["respondents"] == 3


def test_comments_come_in_alphabetical_order_unrelated_to_who_answered_when(leaders):  # type: ignore[no-untyped-def]
    anchor, users = leaders
    round_ = f.AssessmentRoundFactory(anchor=anchor)
    for ordinal, user in zip(ORDINALS, users, strict=True):
        answer_all(round_, user, comment=f"The {ordinal} answer")
    close(round_)
    statements = statement_list()

    once = round_results(round=round_).statements
    again = round_results(round=round_).statements

    assert [s.comments for s in once] == [s.comments for s in again]
    submitted = [f"The {ordinal} answer" for ordinal in ORDINALS]
    assert all(list(s.comments) == sorted(submitted) for s in once)
    assert len(statements) == len(once)
    assert AssessmentAnswer.objects.exclude(comment="").count() == 6 * len(statements)


def test_an_open_rounds_pages_show_no_figure_or_comment_however_many_answered(client, leaders):  # type: ignore[no-untyped-def]
    anchor, users = leaders
    round_ = f.AssessmentRoundFactory(anchor=anchor)
    for user in users[:5]:
        answer_all(round_, user, comment=f"Said by {user.username}")
    client.force_login(users[5])

    pages = [
        client.get(reverse("assessment:selfassessment-results"), {"round": round_.pk}),
        client.get(reverse("board:board")),
    ]
    data = client.get(
        reverse("assessment:selfassessment-results-json"), {"round": round_.pk}
    ).json()

    for page in pages:
        content = page.content.decode()
        assert "This round is still open" in content
        assert "Said by" not in content
        assert "Mean score per building block" not in content
    assert data["results"][0]["open"] is True
    assert all(s["mean"] is None and s["comments"] == [] for s in data["results"][0]["statements"])
