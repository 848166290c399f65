"""A whole registration with the keyboard alone (Tab and Shift+Tab to move,
arrows and Space to choose, Enter to submit; never the mouse), and again
with JavaScript switched off. Both end at "Check your email" with the group
saved. Both run under the pages' real Content-Security-Policy."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from partners.models import CommunityGroup
from tests import factories as f
from tests.e2e.a11y import fill_form

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MAX_TABS = 80  # more stops than any registration page has


@pytest.fixture
def place(db):
    cache.clear()
    yield f.registration_place()
    cache.clear()


def focused(page: Any, selector: str) -> bool:
    return page.evaluate("s => document.activeElement.matches(s)", selector)


def tab_to(page: Any, selector: str, *, key: str = "Tab") -> None:
    """Press Tab (or Shift+Tab) until the element matching ``selector`` has focus."""
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        if focused(page, selector):
            return
    where = page.evaluate("() => document.activeElement.outerHTML.slice(0, 200)")
    raise AssertionError(f"{key} never reached {selector}; focus is on {where}")


def type_into(page: Any, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def choose(page: Any, name: str, value: str) -> None:
    """Tab into a radio group, arrow to the option, and Space to be sure."""
    tab_to(page, f"input[type=radio][name='{name}']")
    for _ in range(12):
        if focused(page, f"[value='{value}']"):
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    assert page.is_checked(f"input[name='{name}'][value='{value}']")


def tick(page: Any, selector: str) -> None:
    tab_to(page, selector)
    page.keyboard.press("Space")
    assert page.is_checked(selector)


def press_button(page: Any, selector: str) -> None:
    tab_to(page, selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def on_page(page: Any, path: str, heading: str) -> None:
    assert page.url.endswith(path), page.url
    assert heading in page.locator("h1").inner_text()


def watch_console(page: Any) -> list[str]:
    """Script errors, and anything the Content-Security-Policy refused."""
    errors: list[str] = []
    page.on(
        "console",
        lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def test_a_group_registers_with_the_keyboard_alone(live_server, plain_page, place):
    page = plain_page
    errors = watch_console(page)
    page.goto(live_server.url + "/register/")
    press_button(page, "a.button[href='/register/group/']")

    on_page(page, "/register/group/", "About your group")
    type_into(page, "#id_name", "Ordsal Lunch Club")
    type_into(page, "#id_description", "A hot lunch and company for older neighbours.")
    # A typo noticed late: Shift+Tab back to the name and correct it.
    tab_to(page, "#id_name", key="Shift+Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type("Ordsall Lunch Club")
    choose(page, "kind", "unregistered")
    press_button(page, "main form button[type=submit]")

    on_page(page, "/register/where/", "Where your group meets")
    # Enter on an empty question page: the error summary, then fix it.
    press_button(page, "main form button[type=submit]")
    assert page.locator(".error-summary").is_visible()
    type_into(page, "#id_postcode", "m5 4wt")
    choose(page, "meets_at_home", "no")
    type_into(page, "#id_address", "St Clement's hall")
    press_button(page, "main form button[type=submit]")

    on_page(page, "/register/activities/", "What your group already does")
    type_into(page, "#id_title", "Tuesday lunch club")
    tick(page, "input[name=themes][value=loneliness-and-isolation]")
    tick(page, "input[name=themes][value=food]")
    choose(page, "frequency", "weekly")
    type_into(page, "#id_people_reached_per_month", "40")
    press_button(page, "button[value=continue]")

    on_page(page, "/register/needs/", "What backing would help")
    choose(page, "kind", "seed_funding")
    type_into(page, "#id_amount", "250.50")
    type_into(page, "#id_why", "To replace the cooker.")
    press_button(page, "button[value=continue]")

    on_page(page, "/register/contact/", "Your contact details")
    type_into(page, "#id_contact_name", "Pat Example")
    type_into(page, "#id_contact_email", "pat@example.org")
    tick(page, "#id_consent_public")
    press_button(page, "main form button[type=submit]")

    on_page(page, "/register/check/", "Check your answers")
    press_button(page, "main form button[type=submit]")

    on_page(page, "/register/done/", "Check your email")
    group = CommunityGroup.objects.get(name="Ordsall Lunch Club")
    assert group.contact_email == "pat@example.org"
    assert group.consent_public is True
    assert group.activities.get().needs.get().amount == 25_050
    assert errors == []


def test_a_group_registers_with_javascript_off(live_server, no_js_page, place):
    page = no_js_page
    answers = f.registration_answers()
    page.goto(live_server.url + "/register/")
    page.click("a.button[href='/register/group/']")

    for step, button in (
        ("group", "main form button[type=submit]"),
        ("where", "main form button[type=submit]"),
        ("activities", "button[value=continue]"),
        ("needs", "button[value=continue]"),
        ("contact", "main form button[type=submit]"),
    ):
        assert page.url.endswith(f"/register/{step}/"), page.url
        typed = {k: v for k, v in answers[step].items() if k != "action"}
        if step == "where":
            # A wrong postcode first: the page comes back with the message and
            # with everything else that was typed still there.
            fill_form(page.locator("main form"), {**typed, "postcode": "NOT A CODE"})
            page.click(button)
            expect(page.locator(".error-summary a[href='#id_postcode']")).to_be_visible()
            assert page.input_value("#id_address") == typed["address"]
            assert page.is_checked("input[name=meets_at_home][value=no]")
            assert page.input_value("#id_postcode") == "NOT A CODE"
        fill_form(page.locator("main form").last, typed)
        page.click(button)

    assert page.url.endswith("/register/check/"), page.url
    page.click("main form button[type=submit]")
    assert page.url.endswith("/register/done/"), page.url
    assert "Check your email" in page.locator("h1").inner_text()
    assert CommunityGroup.objects.filter(name="Ordsall Lunch Club").exists()
