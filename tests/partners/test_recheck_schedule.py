"""The re-check e-mails go out on their own: beat runs the daily task in
production, and without a broker (the demo) the web process runs it itself,
at most once an hour. Either way a second run sends nothing twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from partners.models import CommunityGroup
from partners.tasks import send_rechecks

pytestmark = pytest.mark.django_db


@pytest.fixture
def due(personas):  # type: ignore[no-untyped-def]
    cache.clear()
    when = timezone.now() - timedelta(days=370)
    CommunityGroup.objects.filter(pk=personas.group_a.pk).update(last_checked_at=when)
    yield personas.group_a
    cache.clear()


def test_beat_runs_the_registered_task_daily():
    entry = settings.CELERY_BEAT_SCHEDULE["partners-rechecks"]
    assert entry["task"] == "partners.send_rechecks"
    assert entry["task"] in current_app.tasks
    assert settings.BACKER_IN_PROCESS_PERIODIC == {"partners.send_rechecks": 3600}


def test_the_task_sends_what_is_due_once(due, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert send_rechecks.apply().get() == {"first": 1, "reminders": 0}
        assert send_rechecks.apply().get() == {"first": 0, "reminders": 0}
    (message,) = mailoutbox
    assert message.to == [due.contact_email]


def test_without_a_broker_the_web_process_runs_it_once_an_hour(
    client, due, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.BACKER_OUTBOX_SWEEP_IN_PROCESS = True
    with django_capture_on_commit_callbacks(execute=True):
        client.get("/")
    assert len(mailoutbox) == 1
    # Due again (say, after a check a year ago); within the hour nothing runs.
    CommunityGroup.objects.filter(pk=due.pk).update(
        last_checked_at=timezone.now() - timedelta(days=370), recheck_sent_at=None
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.get("/")
    assert len(mailoutbox) == 1
    cache.clear()  # the hour has passed
    with django_capture_on_commit_callbacks(execute=True):
        client.get("/")
    assert len(mailoutbox) == 2


def test_with_a_broker_the_web_process_leaves_it_to_beat(client, due, mailoutbox, settings):
    settings.BACKER_OUTBOX_SWEEP_IN_PROCESS = False
    client.get("/")
    assert mailoutbox == []
