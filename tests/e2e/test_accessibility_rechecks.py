"""axe-core finds no WCAG 2.2 A/AA violation on the yearly re-check pages:
the contact's link page, its thank-you and used-link pages, the team's
"due for a check" queue before and after marking a group checked; and the
public directory shows each group's "Last checked" date in the browser.
Screenshots of each state go to $RECHECK_SHOTS when it is set."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from partners.models import CommunityGroup
from partners.services.rechecks import recheck_token_make
from tests import factories as f

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LONG_AGO = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)  # over 13 months before the test's today


@pytest.fixture
def stale(personas):
    """group_a (with an activity and a need) last checked over 13 months ago."""
    cache.clear()
    activity = f.ActivityFactory(group=personas.group_a, title="Lunch club", themes=["food"])
    f.NeedFactory(activity=activity)
    CommunityGroup.objects.filter(pk=personas.group_a.pk).update(last_checked_at=LONG_AGO)
    personas.group_a.refresh_from_db()
    yield personas.group_a
    cache.clear()


def shoot(audit, name: str) -> None:  # type: ignore[no-untyped-def]
    if folder := os.environ.get("RECHECK_SHOTS"):
        audit.page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def test_the_contacts_link_pages_have_no_violations(audit, stale):
    path = f"/group/check/{recheck_token_make(group=stale)}/"
    audit.visit(path, label="check")
    assert "These are still right" in audit.page.content()
    shoot(audit, "contact-check")
    audit.submit(
        "confirmed", selector="main form", button="button[value=confirm]", expect_errors=False
    )
    assert "details are checked" in audit.page.content()
    shoot(audit, "contact-confirmed")
    audit.visit(path, status=410, label="used link")
    shoot(audit, "contact-used-link")
    audit.assert_clean()


def test_the_team_queue_has_no_violations(audit, personas, stale):
    audit.sign_in(personas.alice)
    audit.visit("/team/rechecks/", label="queue")
    assert "Out since" in audit.page.content()
    shoot(audit, "team-queue")
    audit.submit(
        "marked checked",
        selector="main form[action$='/checked/']",
        expect_errors=False,
        clear=False,
    )
    assert "is marked as checked today" in audit.page.content()
    shoot(audit, "team-marked")
    audit.assert_clean()


def test_the_directory_shows_when_each_group_was_last_checked(audit, personas):
    cache.clear()
    when = timezone.localtime(timezone.now() - timedelta(days=40))
    CommunityGroup.objects.filter(pk=personas.group_b.pk).update(last_checked_at=when)
    words = f"Last checked {when.day} {when:%B %Y}"  # "Last checked 3 March 2026"
    audit.visit("/directory/")
    entry = audit.page.locator("article", has_text=personas.group_b.name)
    assert words in entry.inner_text()
    audit.visit(f"/directory/{personas.group_b.pk}/")
    assert words in audit.page.locator("main").inner_text()
    shoot(audit, "directory-detail")
    audit.assert_clean()
