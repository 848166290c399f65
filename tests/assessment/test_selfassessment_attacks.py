"""The two attacks of issue 17 on the self-assessment's anonymity, run as an
attacker would. Both recovered every answer of one person on the code before
the fix (see the commit that added this file).

- Differencing: a board member saves the results at 3 respondents, waits
  for a 4th to answer, and computes 4 x mean4 - 3 x mean3 per statement.
- The operator: whoever holds SECRET_KEY and a copy of the database
  recomputes each user's respondent key (HMAC of round id and user id under
  the secret key, the scheme the code used) and looks for it in every
  column of every table.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from assessment.selectors import statement_list
from assessment.services import response_submit
from tests import factories as f

# The salt the self-assessment used for its respondent keys.
OLD_KEY_SALT = "backer.maps.selfassessment.respondent"


@pytest.fixture
def board(db):  # type: ignore[no-untyped-def]
    anchor = f.AnchorFactory(slug="attacked")
    return anchor, [f.member(anchor, "board", username=f"member{i}") for i in range(5)]


def scores_of(number: int) -> dict[int, tuple[int, str]]:
    """Person ``number``'s answers: a different score per statement, and a
    comment that says who wrote it."""
    return {
        s.pk: (1 + (number * 3 + i) % 5, f"Written by person {number}")
        for i, s in enumerate(statement_list())
    }


def means(client, round_):  # type: ignore[no-untyped-def]
    data = client.get(
        reverse("assessment:selfassessment-results-json"), {"round": round_.pk}
    ).json()
    return [s["mean"] for s in data["results"][0]["statements"]]


def test_differencing_the_results_around_one_answer_does_not_recover_it(client, board):  # type: ignore[no-untyped-def]
    anchor, people = board
    round_ = f.AssessmentRoundFactory(anchor=anchor)
    for number, person in enumerate(people[:3]):
        response_submit(round=round_, user=person, answers=scores_of(number))
    client.force_login(people[0])
    at_three = means(client, round_)

    response_submit(round=round_, user=people[3], answers=scores_of(3))
    at_four = means(client, round_)
    # The round closes; the attacker looks again.
    round_.closed_at = timezone.now()
    round_.save()
    after_close = means(client, round_)

    fourth = [score for score, _ in scores_of(3).values()]
    for before, after in [(at_three, at_four), (at_three, after_close), (at_four, after_close)]:
        if None in before or None in after:
            continue
        recovered = [round(4 * a - 3 * b, 6) for a, b in zip(after, before, strict=True)]
        assert recovered != fourth
    # And the way it is stopped: nothing is shown while the round is open.
    assert at_three == at_four == [None] * len(fourth)


def every_value_in_the_database() -> set[str]:
    """What a copy of the database holds: every value of every column of every table."""
    values: set[str] = set()
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (names from introspection)
            for row in cursor.fetchall():
                values.update(str(value) for value in row if value is not None)
    return values


def test_the_operator_cannot_recompute_who_answered_what(board):  # type: ignore[no-untyped-def]
    anchor, people = board
    round_ = f.AssessmentRoundFactory(
        anchor=anchor, opened_at=timezone.now() - datetime.timedelta(days=3)
    )
    for number, person in enumerate(people[:4]):
        response_submit(round=round_, user=person, answers=scores_of(number))

    stored = every_value_in_the_database()
    identified = [
        person.username
        for person in people
        if salted_hmac(OLD_KEY_SALT, f"{round_.pk}:{person.pk}", algorithm="sha256").hexdigest()
        in stored
    ]

    assert identified == []


def rows_in_stored_order(table: str, columns: str) -> dict[str, list[tuple[object, ...]]]:
    """A table's rows in each order the operator could use to line two tables up:
    primary key, and physical order (SQLite's rowid, PostgreSQL's ctid)."""
    physical = "rowid" if connection.vendor == "sqlite" else "ctid"
    orders = {}
    with connection.cursor() as cursor:
        for order in ("id", physical):
            cursor.execute(f'SELECT {columns} FROM "{table}" ORDER BY {order}')  # noqa: S608
            orders[order] = cursor.fetchall()
    return orders


def test_no_order_pairs_a_participation_with_its_answers(board):  # type: ignore[no-untyped-def]
    anchor, people = board
    round_ = f.AssessmentRoundFactory(anchor=anchor)
    for number, person in enumerate(people[:4]):
        response_submit(round=round_, user=person, answers=scores_of(number))
    per_person = len(statement_list())

    participations = rows_in_stored_order("maps_assessmentparticipation", "user_id")
    answers = rows_in_stored_order("maps_assessmentanswer", "comment")

    writer = {person.pk: f"Written by person {n}" for n, person in enumerate(people)}
    for p_order, users in participations.items():
        for a_order, comments in answers.items():
            # Line them up: the k-th participation with the k-th block of answers.
            paired = [
                {c for (c,) in comments[k * per_person : (k + 1) * per_person]} == {writer[u]}
                for k, (u,) in enumerate(users)
            ]
            assert not any(paired), (p_order, a_order)


def test_answers_and_participations_hold_no_time_and_no_other_link(board):  # type: ignore[no-untyped-def]
    with connection.cursor() as cursor:
        columns = {
            table: {c.name for c in connection.introspection.get_table_description(cursor, table)}
            for table in ("maps_assessmentanswer", "maps_assessmentparticipation")
        }

    assert columns == {
        "maps_assessmentanswer": {"id", "round_id", "statement_id", "score", "comment"},
        "maps_assessmentparticipation": {"id", "round_id", "user_id"},
    }
