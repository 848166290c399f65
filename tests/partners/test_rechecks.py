"""The yearly re-check, with a frozen clock: a group checked on 3 March 2025
is e-mailed at 12 months, reminded at 12½, out of the directory, matching and
the API at 13 and in the team's queue; following the e-mailed link as sent
and confirming brings it back and starts the year again.

The clock: ``django.utils.timezone.now`` patched (unittest.mock), so pages,
selectors and services all see the same day; the sweep also takes ``now=``.
"""

from __future__ import annotations

import re
import runpy
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from unittest import mock
from urllib.parse import urlsplit

import pytest

from config.env import ConfigurationError
from matching.services.engine_inputs import engine_inputs_build
from partners.models import CommunityGroup
from partners.recheck_rules import months_after
from partners.services.rechecks import group_rechecks_send
from tests import factories as f
from tests.partners.test_selfservice_edit import edit_data

pytestmark = pytest.mark.django_db

CHECKED = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = CHECKED

    def months(self, months: int, days: int = 0) -> datetime:
        self.now = months_after(CHECKED, months) + timedelta(days=days)
        return self.now


@pytest.fixture
def clock():  # type: ignore[no-untyped-def]
    frozen = Clock()
    with mock.patch("django.utils.timezone.now", side_effect=lambda: frozen.now):
        yield frozen


@pytest.fixture
def group(personas, clock):  # type: ignore[no-untyped-def]
    """group_a, verified and last checked on 3 March 2025, with an open need
    that anchor A's pot could meet."""
    need = f.NeedFactory(activity=f.ActivityFactory(group=personas.group_a, themes=["food"]))
    f.ResourceFactory(anchor=personas.anchor_a)
    CommunityGroup.objects.filter(pk=personas.group_a.pk).update(last_checked_at=CHECKED)
    personas.group_a.refresh_from_db()
    personas.group_a.need = need
    return personas.group_a


@pytest.fixture
def sweep(django_capture_on_commit_callbacks, clock):  # type: ignore[no-untyped-def]
    """Run the daily sweep at the clock's time, and the outbox tasks it queued,
    as the worker would."""

    def sweeping():  # type: ignore[no-untyped-def]
        with django_capture_on_commit_callbacks(execute=True):
            return group_rechecks_send(now=clock.now)

    return sweeping


def link(message) -> str:  # type: ignore[no-untyped-def]
    return urlsplit(re.search(r"https?://\S+/group/check/\S+/", message.body).group(0)).path


def in_matching(group) -> bool:  # type: ignore[no-untyped-def]
    return group.need.pk in engine_inputs_build(anchor=None).need_facts


def test_at_eleven_months_nothing_is_sent(group, clock, sweep, mailoutbox):
    clock.months(11, days=27)
    assert sweep().first == 0
    assert mailoutbox == []


def test_at_twelve_months_the_contact_gets_the_link_once(group, clock, sweep, mailoutbox):
    clock.months(12)
    assert sweep().first == 0  # 12 months to the minute is not yet "before"
    clock.months(12, days=1)
    assert (sweep().first, sweep().first) == (1, 0)
    (message,) = mailoutbox
    assert message.to == [group.contact_email]
    assert message.subject == f"Are {group.name}'s details still right?"
    assert "Last checked 3 March 2025" in message.body
    assert "leaves the public directory and matching on 3 April 2026" in message.body
    assert link(message)


def test_at_twelve_and_a_half_months_the_reminder_goes_once(group, clock, sweep, mailoutbox):
    clock.months(12, days=1)
    sweep()
    clock.months(12, days=14)
    assert sweep().reminders == 0  # 12½ months is 12 months and 15 days
    clock.months(12, days=16)
    assert sweep().reminders == 1
    assert (sweep().first, sweep().reminders) == (0, 0)
    first, reminder = mailoutbox
    assert not first.subject.startswith("Reminder")
    assert reminder.subject.startswith("Reminder: ")
    assert link(reminder)


def test_a_group_found_long_overdue_gets_the_first_email_then_the_reminder_a_week_on(
    group, clock, sweep, mailoutbox
):
    clock.months(14)
    assert (sweep().first, sweep().reminders) == (1, 0)
    clock.months(14, days=7)
    assert sweep().reminders == 1
    assert len(mailoutbox) == 2


def test_at_thirteen_months_it_leaves_the_directory_matching_and_api_for_the_team_queue(
    client, group, clock, sweep, personas
):
    clock.months(12, days=30)
    assert in_matching(group)
    assert group.name in client.get("/directory/").content.decode()
    queue = _queue(client, personas.alice)
    assert group.name in queue and "Due: leaves on 3 April 2026" in queue  # due, still live
    client.logout()

    clock.months(13, days=1)
    assert not in_matching(group)
    assert group.name not in client.get("/directory/").content.decode()
    assert client.get(f"/directory/{group.pk}/").status_code == 404
    assert client.get(f"/api/groups/{group.pk}/").status_code == 404
    assert group.name not in client.get("/api/groups/").content.decode()
    queue = _queue(client, personas.alice)
    assert group.name in queue
    assert "Out since 3 April 2026" in queue
    assert "Last checked" in queue and "3 March 2025" in queue


def _queue(client, user) -> str:  # type: ignore[no-untyped-def]
    client.force_login(user)
    response = client.get("/team/rechecks/")
    assert response.status_code == 200
    return response.content.decode()


def test_confirming_through_the_link_as_sent_brings_the_group_back(
    client, group, clock, sweep, mailoutbox, django_capture_on_commit_callbacks
):
    clock.months(12, days=1)
    sweep()
    path = link(mailoutbox[0])
    clock.months(13, days=3)
    assert not in_matching(group)

    page = client.get(path)
    assert page.status_code == 200
    body = page.content.decode()
    for words in ("These are still right", "Update them", group.name, "Last checked 3 March 2025"):
        assert words in body
    # Private details stay off a page anyone holding the e-mail can open.
    for secret in (group.contact_name, group.contact_email, group.contact_phone):
        assert secret not in body
    assert CommunityGroup.objects.get(pk=group.pk).last_checked_at == CHECKED  # GET changes nothing

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(path, {"action": "confirm"})
    assert confirmed.status_code == 200
    assert "details are checked" in confirmed.content.decode()
    assert "Checked 6 April 2026" in confirmed.content.decode()
    assert "_auth_user_id" not in client.session  # confirming signs nobody in
    group.refresh_from_db()
    assert group.last_checked_at == clock.now
    assert in_matching(group)
    directory = client.get(f"/directory/{group.pk}/").content.decode()
    assert "Last checked 6 April 2026" in directory

    # The year starts again: nothing more now, the next e-mail a year on.
    assert (sweep().first, sweep().reminders) == (0, 0)
    clock.months(13 + 12, days=4)
    assert sweep().first == 1
    assert len(mailoutbox) == 2


def test_update_them_emails_a_sign_in_link_whose_edit_page_save_is_the_check(
    client, group, clock, sweep, mailoutbox, personas, django_capture_on_commit_callbacks
):
    """The re-check link lives for weeks and may be forwarded: it never signs
    anyone in. "Update them" sends the usual 30-minute sign-in link to the
    group's contact address; the edit page's save records the check."""
    clock.months(12, days=1)
    sweep()
    path = link(mailoutbox[0])
    clock.months(12, days=20)
    with django_capture_on_commit_callbacks(execute=True):  # the outbox, as a worker
        response = client.post(path, {"action": "update"})
    assert response.status_code == 200
    assert "Check your email" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert group.contact_name not in response.content.decode()
    sign_in = mailoutbox[-1]
    assert sign_in.to == [group.contact_email.lower()]
    signed = re.search(r"https?://\S+/group/sign-in/link/\S+/", sign_in.body)
    assert signed is not None
    assert client.post(urlsplit(signed.group(0)).path).status_code == 302
    assert int(client.session["_auth_user_id"]) == personas.dave.pk
    edit_path = f"/group/{group.pk}/edit/"
    edit = client.get(edit_path)
    assert edit.status_code == 200
    assert group.contact_name in edit.content.decode()  # signed in: their own details
    assert CommunityGroup.objects.get(pk=group.pk).last_checked_at == CHECKED
    f.registration_place()
    form = edit_data(description="We cook lunch on Tuesdays now.", meets_at_home="no")
    saved = client.post(edit_path, form)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    group.refresh_from_db()
    assert group.last_checked_at == clock.now
    assert group.description == "We cook lunch on Tuesdays now."


def test_used_expired_and_forged_links_say_so_and_offer_a_new_one(
    client, group, clock, sweep, mailoutbox, settings
):
    clock.months(12, days=1)
    sweep()
    path = link(mailoutbox[0])
    client.post(path, {"action": "confirm"})
    forged = path[:-6] + "AAAAA/"
    for url, status, words in [
        (path, 410, "This link has already been used"),
        (forged, 400, "This link does not work"),
    ]:
        for response in (client.get(url), client.post(url, {"action": "confirm"})):
            assert response.status_code == status
            body = response.content.decode()
            assert words in body
            assert 'href="/group/sign-in/"' in body  # the way to a new link
            assert "/accounts/login" not in body
    settings.BACKER_RECHECK_LINK_MAX_AGE = -1
    clock.months(24, days=2)
    assert sweep().first == 1
    expired = client.get(link(mailoutbox[-1]))
    assert expired.status_code == 410
    assert "This link has expired" in expired.content.decode()


def test_the_contacts_own_page_says_when_it_was_checked_and_why_it_is_out(
    client, group, clock, personas
):
    clock.months(6)
    client.force_login(personas.dave)  # at the clock's time: sessions end when idle
    page = client.get(f"/group/{group.pk}/").content.decode()
    assert "Last checked</dt><dd>3 March 2025" in page
    assert "Not at present" not in page
    clock.months(13, days=1)
    client.force_login(personas.dave)
    page = client.get(f"/group/{group.pk}/").content.decode()
    assert "Not at present: the details have not been checked for over 13 months" in page


# --- How long the link works: BACKER_RECHECK_LINK_DAYS -------------------------------------


BASE_SETTINGS = str(Path(__file__).resolve().parents[2] / "config" / "settings" / "base.py")


def test_the_link_lifetime_is_read_from_the_environment_in_days(monkeypatch):
    monkeypatch.setenv("DEBUG", "1")  # base settings start without a secret key
    monkeypatch.setenv("BACKER_RECHECK_LINK_DAYS", "10")
    assert runpy.run_path(BASE_SETTINGS)["BACKER_RECHECK_LINK_MAX_AGE"] == 10 * 86400
    monkeypatch.delenv("BACKER_RECHECK_LINK_DAYS")
    assert runpy.run_path(BASE_SETTINGS)["BACKER_RECHECK_LINK_MAX_AGE"] == 60 * 86400
    monkeypatch.setenv("BACKER_RECHECK_LINK_DAYS", "0")
    with pytest.raises(ConfigurationError, match="BACKER_RECHECK_LINK_DAYS must be at least 1"):
        runpy.run_path(BASE_SETTINGS)


@pytest.fixture
def signing_clock(clock):  # type: ignore[no-untyped-def]
    """The links' signatures dated by the same frozen clock: django.core.signing
    reads time.time(), not django.utils.timezone.now()."""
    frozen = SimpleNamespace(time=lambda: clock.now.timestamp())
    with mock.patch("django.core.signing.time", frozen):
        yield clock


def test_a_link_older_than_the_days_set_is_refused(
    client, group, signing_clock, sweep, mailoutbox, settings
):
    settings.BACKER_RECHECK_LINK_MAX_AGE = 10 * 86400  # BACKER_RECHECK_LINK_DAYS=10
    signing_clock.months(12, days=1)
    sweep()
    path = link(mailoutbox[0])
    assert "The link works for 10 days." in mailoutbox[0].body

    signing_clock.months(12, days=11)  # 10 days on: still good
    assert client.get(path).status_code == 200
    signing_clock.months(12, days=11)
    signing_clock.now += timedelta(seconds=1)  # a second older than 10 days: refused
    expired = client.post(path, {"action": "confirm"})

    assert expired.status_code == 410
    assert "This link has expired" in expired.content.decode()
    group.refresh_from_db()
    assert group.last_checked_at == CHECKED
