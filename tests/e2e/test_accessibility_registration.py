"""axe-core finds no WCAG 2.2 A/AA violation on any page of online
registration: each question page, each of its error states, the "add
another" lists, the check page and the confirmation."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests import factories as f

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def place(db):
    cache.clear()
    yield f.registration_place()
    cache.clear()


def test_every_registration_page_and_error_state_has_no_violations(audit, place):
    answers = f.registration_answers()
    audit.visit("/register/")

    audit.visit("/register/group/")
    audit.submit("group: empty")
    audit.submit("group: bad website", answers={**answers["group"], "website": "not a web address"})
    audit.submit("group: answered", answers=answers["group"], expect_errors=False)

    assert audit.page.url.endswith("/register/where/")
    audit.check("where")
    audit.submit("where: empty")
    audit.submit("where: not a postcode", answers={**answers["where"], "postcode": "NOT A CODE"})
    audit.submit("where: unknown postcode", answers={**answers["where"], "postcode": "M5 9ZZ"})
    audit.submit("where: answered", answers=answers["where"], expect_errors=False)

    assert audit.page.url.endswith("/register/activities/")
    audit.check("activities")
    activity = {k: v for k, v in answers["activities"].items() if k != "action"}
    audit.submit("activities: empty")
    audit.submit(
        "activities: not a number",
        answers={**activity, "people_reached_per_month": "forty"},
    )
    audit.submit(
        "activities: one added",
        answers=activity,
        button="button[value=add]",
        expect_errors=False,
    )
    # The "add another" page: a list with a remove button per activity.
    audit.submit(
        "activities: another added",
        answers={**activity, "title": "Thursday walk"},
        button="button[value=add]",
        expect_errors=False,
    )
    audit.submit(
        "activities: a third added",
        answers={**activity, "title": "Saturday garden"},
        button="button[value=add]",
        expect_errors=False,
    )
    audit.submit(
        "activities: one removed",
        selector="main form:has(button[name=remove])",
        expect_errors=False,
    )
    audit.submit("activities: done", button="button[value=continue]", expect_errors=False)

    assert audit.page.url.endswith("/register/needs/")
    audit.check("needs")
    need = {k: v for k, v in answers["needs"].items() if k != "action"}
    audit.submit("needs: empty")
    # Two activities: the need asks which one, with radios.
    audit.page.check("#id_activity_0")
    audit.submit("needs: space without capacity", answers={**need, "kind": "space", "amount": "2"})
    audit.submit("needs: bad amount", answers={**need, "amount": "lots"})
    audit.submit("needs: one added", answers=need, button="button[value=add]", expect_errors=False)
    audit.submit("needs: done", button="button[value=continue]", expect_errors=False)

    assert audit.page.url.endswith("/register/contact/")
    audit.check("contact")
    audit.submit("contact: empty")
    audit.submit(
        "contact: bad email and phone",
        answers={**answers["contact"], "contact_email": "pat", "contact_phone": "call me"},
    )
    audit.submit("contact: answered", answers=answers["contact"], expect_errors=False)

    assert audit.page.url.endswith("/register/check/")
    audit.check("check your answers")
    audit.submit("sent", selector="main form", expect_errors=False)
    assert audit.page.url.endswith("/register/done/")
    audit.check("check your email")
    audit.assert_clean()
