"""With the broker unreachable a registration still succeeds, and once the
broker is back its verification e-mail is sent exactly once."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache

from config.models import OutboxMessage
from config.outbox import outbox_sweep
from partners.models import CommunityGroup
from tests import factories as f
from tests.celery_helpers import DEAD_BROKER, live_broker_url, real_worker, using_broker


def register(client) -> object:
    answers = f.registration_answers()
    for step in ("group", "where", "activities", "needs", "contact"):
        assert client.post(f"/register/{step}/", answers[step]).status_code == 302
    return client.post("/register/check/", {}, follow=True)


@pytest.fixture
def place(db):
    cache.clear()
    return f.registration_place()


@pytest.mark.django_db(transaction=True)
def test_a_registration_is_saved_and_confirmed_while_the_broker_is_down(client, place):
    with using_broker(DEAD_BROKER):
        response = register(client)
    assert response.status_code == 200
    assert "Check your email" in response.content.decode()
    assert CommunityGroup.objects.filter(name="Ordsall Lunch Club").exists()
    assert mail.outbox == []
    message = OutboxMessage.objects.get(task_name="partners.send_verification_email")
    assert message.published_at is None and message.done_at is None


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_when_the_broker_is_back_the_email_goes_out_exactly_once(client, place):
    with using_broker(DEAD_BROKER):
        register(client)
    group = CommunityGroup.objects.get(name="Ordsall Lunch Club")
    with using_broker(live_broker_url()), real_worker():
        assert outbox_sweep(older_than=timedelta(0)) == 1
        assert outbox_sweep(older_than=timedelta(0)) == 0
        deadline = time.monotonic() + 20
        while OutboxMessage.objects.filter(done_at__isnull=True).exists():
            assert time.monotonic() < deadline, "the worker never sent the e-mail"
            time.sleep(0.1)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [group.contact_email]
    assert "/register/verify/" in mail.outbox[0].body
