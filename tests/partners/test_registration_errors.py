"""Every error state of every registration page: a message in the error
summary linking to the field, the same message inline, and what was typed
kept in the form."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from partners.models import CommunityGroup
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def place():  # type: ignore[no-untyped-def]
    cache.clear()
    return f.registration_place()


def reach(client, step):  # type: ignore[no-untyped-def]
    """Answer every page before ``step`` correctly."""
    answers = f.registration_answers()
    for earlier in ("group", "where", "activities", "needs", "contact"):
        if earlier == step:
            return answers
        assert client.post(f"/register/{earlier}/", answers[earlier]).status_code == 302
    return answers


def summary_links(html: str) -> list[tuple[str, str]]:
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    assert summary, "no error summary"
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary.group(0))


def assert_error(html: str, anchor: str, message: str) -> None:
    """In the summary, linking to an element that exists, and inline."""
    assert (anchor, message) in summary_links(html)
    assert f'id="{anchor}"' in html
    assert re.search(
        r'class="error-message" id="[^"]+_error"><span class="visually-hidden">Error:</span> '
        + re.escape(message),
        html,
    ), f"no inline error {message!r}"


def post(client, step, data):  # type: ignore[no-untyped-def]
    response = client.post(f"/register/{step}/", data)
    assert response.status_code == 200
    return response.content.decode()


def test_group_page_asks_for_every_required_answer(client):
    html = post(client, "group", {})
    assert_error(html, "id_name", "Enter the name of your group")
    assert_error(html, "id_description", "Tell us briefly what your group does")
    assert_error(html, "id_kind_0", "Select what kind of group it is")  # first radio
    assert "<title>Error: " in html


def test_group_page_keeps_what_was_typed(client):
    html = post(client, "group", {"name": "Ordsall <Lunch> Club", "website": "not a web address"})
    assert_error(html, "id_website", "Enter a web address, like https://www.example.org")
    assert 'value="Ordsall &lt;Lunch&gt; Club"' in html
    assert 'value="not a web address"' in html
    assert 'aria-describedby="id_website_error"' in html


def test_where_page_requires_a_postcode_and_an_answer_about_homes(client):
    reach(client, "where")
    html = post(client, "where", {})
    assert_error(html, "id_postcode", "Enter the postcode where the group meets")
    assert_error(html, "id_meets_at_home_0", "Select yes if the group meets at a private home")


def test_where_page_refuses_an_invalid_postcode(client):
    reach(client, "where")
    html = post(client, "where", {"postcode": "QQ1 1QQ", "meets_at_home": "yes"})
    assert_error(html, "id_postcode", "Enter a real postcode, like M5 4WT")
    assert 'value="QQ1 1QQ"' in html
    assert re.search(r'value="yes"[^>]*checked', html)


def test_where_page_explains_an_unknown_postcode(client):
    reach(client, "where")
    html = post(client, "where", {"postcode": "M5 9ZZ", "meets_at_home": "no"})
    assert_error(
        html,
        "id_postcode",
        "We could not find the postcode M5 9ZZ. Check it, or enter a nearby one.",
    )


def test_activities_page_with_nothing_added_asks_for_an_activity(client):
    reach(client, "activities")
    html = post(client, "activities", {"action": "continue"})
    assert_error(html, "id_title", "Enter the name of the activity")
    assert_error(html, "id_themes_0", "Select at least one theme")
    assert_error(html, "id_frequency_0", "Select how often it happens")
    assert_error(
        html, "id_people_reached_per_month", "Enter about how many people it reaches in a month"
    )


def test_activities_page_needs_a_theme_and_keeps_the_rest(client):
    answers = reach(client, "activities")
    data = {**answers["activities"], "themes": [], "people_reached_per_month": "-3"}
    html = post(client, "activities", data)
    assert_error(html, "id_themes_0", "Select at least one theme")
    assert_error(html, "id_people_reached_per_month", "The number of people cannot be negative")
    assert 'value="Tuesday lunch club"' in html
    assert re.search(r'value="weekly"[^>]*checked', html)


def test_activities_page_refuses_a_number_that_is_not_a_number(client):
    answers = reach(client, "activities")
    html = post(client, "activities", {**answers["activities"], "people_reached_per_month": "lots"})
    assert_error(
        html, "id_people_reached_per_month", "Enter the number of people as a whole number, like 40"
    )
    assert 'value="lots"' in html


def test_activities_page_keeps_the_themes_ticked(client):
    answers = reach(client, "activities")
    html = post(client, "activities", {**answers["activities"], "title": ""})
    assert_error(html, "id_title", "Enter the name of the activity")
    assert re.search(r'value="food"[^>]*checked', html)


def test_needs_page_with_nothing_asked_for(client):
    reach(client, "needs")
    html = post(client, "needs", {"action": "continue"})
    assert_error(html, "id_kind_0", "Select the kind of backing that would help")
    assert_error(html, "id_amount", "Enter how much would help")


@pytest.mark.parametrize(
    ("kind", "amount", "message"),
    [
        ("seed_funding", "a lot", "Enter the amount in pounds as a number, like 250 or 250.50"),
        ("seed_funding", "-50", "The amount must be more than £0"),
        ("seed_funding", "0", "The amount must be more than £0"),
        ("seed_funding", "12.345", "Enter the amount in pounds as a number, like 250 or 250.50"),
        ("time", "six", "Enter the number of hours a month as a whole number, like 4"),
        ("time", "-6", "The number of hours a month must be more than 0"),
        ("connections", "2.5", "Enter the number of introductions as a whole number, like 4"),
    ],
)
def test_needs_page_refuses_bad_amounts(client, kind, amount, message):
    answers = reach(client, "needs")
    html = post(client, "needs", {**answers["needs"], "kind": kind, "amount": amount})
    assert_error(html, "id_amount", message)
    assert f'value="{amount}"' in html


def test_needs_page_asks_how_many_people_a_room_must_hold(client):
    answers = reach(client, "needs")
    html = post(client, "needs", {**answers["needs"], "kind": "space", "amount": "2"})
    assert_error(html, "id_space_capacity", "Enter how many people the room must hold")
    html = post(
        client, "needs", {**answers["needs"], "kind": "space", "amount": "2", "space_capacity": "x"}
    )
    assert_error(html, "id_space_capacity", "Enter the number of people as a whole number, like 4")


def test_contact_page_requires_a_name_and_an_email_address(client):
    reach(client, "contact")
    html = post(client, "contact", {})
    assert_error(html, "id_contact_name", "Enter your name")
    assert_error(html, "id_contact_email", "Enter your email address")


def test_contact_page_refuses_an_invalid_email_and_phone(client):
    reach(client, "contact")
    data = {
        "contact_name": "Pat",
        "contact_email": "pat@",
        "contact_phone": "call me",
        "consent_public": "on",
    }
    html = post(client, "contact", data)
    assert_error(
        html,
        "id_contact_email",
        "Enter an email address in the correct format, like name@example.com",
    )
    assert_error(html, "id_contact_phone", "Enter a phone number, like 0161 496 0000")
    assert 'value="pat@"' in html and 'value="Pat"' in html
    assert re.search(r'<input[^>]*name="consent_public"[^>]*checked', html)  # the tick is kept


def test_errors_create_nothing(client):
    reach(client, "contact")
    post(client, "contact", {})
    assert client.post("/register/check/", {})["Location"] == "/register/contact/"
    assert not CommunityGroup.objects.exists()


def test_hints_and_errors_are_linked_to_their_inputs(client):
    reach(client, "where")
    html = post(client, "where", {"postcode": "nonsense", "meets_at_home": "no"})
    assert re.search(r'<input[^>]*aria-describedby="id_postcode_helptext id_postcode_error"', html)
    assert 'id="id_postcode_helptext"' in html and 'id="id_postcode_error"' in html
    assert re.search(
        r'<input[^>]*aria-invalid="true"[^>]*name="postcode"|name="postcode"[^>]*aria-invalid="true"',
        html,
    )
    assert "<legend>Does the group meet at a private home?</legend>" in html
