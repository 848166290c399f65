"""Login throttling keys on user name + address, in tiers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory

from config.security import lockout_cooloff
from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3


def attempt(client, username, password, address):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


@pytest.mark.django_db
def test_repeated_failures_lock_out_that_user_name_from_that_address(client, axes_on):
    UserFactory(username="alice")
    for _ in range(2):
        assert attempt(client, "alice", "wrong", "203.0.113.9").status_code == 200
    assert attempt(client, "alice", "wrong", "203.0.113.9").status_code == 429
    locked = attempt(client, "alice", PASSWORD, "203.0.113.9")
    assert locked.status_code == 429
    assert "Too many attempts" in locked.content.decode()


@pytest.mark.django_db
def test_a_stranger_elsewhere_cannot_lock_the_named_user_out(client, axes_on):
    UserFactory(username="alice")
    for _ in range(5):
        attempt(client, "alice", "wrong", "198.51.100.66")
    response = attempt(client, "alice", PASSWORD, "203.0.113.9")
    assert response.status_code == 302, "alice, from her own address, still signs in"


@pytest.mark.django_db
def test_the_cooloff_grows_in_tiers_with_persistent_guessing():
    factory = RequestFactory()

    def cooloff_after(failures: int) -> timedelta:
        AccessAttempt.objects.update_or_create(
            username="alice",
            ip_address="203.0.113.9",
            defaults={
                "failures_since_start": failures,
                "user_agent": "",
                "get_data": "",
                "post_data": "",
                "http_accept": "",
                "path_info": "/accounts/login/",
            },
        )
        request = factory.post("/accounts/login/", {"username": "alice"}, REMOTE_ADDR="203.0.113.9")
        return lockout_cooloff(request)

    assert cooloff_after(5) == timedelta(minutes=15)
    assert cooloff_after(12) == timedelta(hours=1)
    assert cooloff_after(25) == timedelta(hours=24)


@pytest.mark.django_db
@pytest.mark.parametrize("address", ["", "unix:/run/gunicorn.sock"])
def test_a_sign_in_without_a_readable_address_is_counted_not_a_server_error(
    client, axes_on, address
):
    """django-axes stores the address as PostgreSQL ``inet``: the rate limits'
    placeholder "unknown" for such a request once made every sign-in a 500."""
    UserFactory(username="alice")
    for _ in range(2):
        assert attempt(client, "alice", "wrong", address).status_code == 200
    assert attempt(client, "alice", "wrong", address).status_code == 429
    assert AccessAttempt.objects.filter(username="alice", ip_address=None).exists()
