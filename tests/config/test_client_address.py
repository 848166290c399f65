"""One client address (config/clientaddr.py) for the rate limits and django-axes.

Behind the reverse proxy production assumes, every request comes from the
proxy; X-Forwarded-For is believed only from the proxies BACKER_TRUSTED_PROXIES
names, so two clients behind one proxy are two clients, and a stranger
talking to us directly cannot pick an address by writing the header.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.test import RequestFactory

from config.clientaddr import client_address, trusted_proxies_parse
from config.env import ConfigurationError
from tests import factories as f
from tests.factories import UserFactory

PROXY = "10.0.0.5"


def address(remote: str, forwarded: str | None = None) -> str:
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **headers))


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.BACKER_TRUSTED_PROXIES = ""
    assert address("203.0.113.9", "198.51.100.1") == "203.0.113.9"


def test_the_header_from_a_trusted_peer_is_used(settings):
    settings.BACKER_TRUSTED_PROXIES = "10.0.0.0/8"
    assert address(PROXY, "198.51.100.1") == "198.51.100.1"


def test_the_header_from_an_untrusted_peer_is_ignored(settings):
    settings.BACKER_TRUSTED_PROXIES = "10.0.0.0/8"
    assert address("203.0.113.9", "198.51.100.1") == "203.0.113.9"


def test_entries_the_client_wrote_before_our_proxies_are_ignored(settings):
    settings.BACKER_TRUSTED_PROXIES = "10.0.0.0/8, 192.0.2.10"
    # client wrote "1.2.3.4"; the CDN 192.0.2.10 saw 198.51.100.1; our proxy saw the CDN.
    assert address(PROXY, "1.2.3.4, 198.51.100.1, 192.0.2.10") == "198.51.100.1"


def test_a_count_of_proxies_takes_that_many_hops_from_the_right(settings):
    settings.BACKER_TRUSTED_PROXIES = "2"
    assert address(PROXY, "1.2.3.4, 198.51.100.1, 10.0.0.9") == "198.51.100.1"
    settings.BACKER_TRUSTED_PROXIES = "1"
    assert address(PROXY, "1.2.3.4, 198.51.100.1") == "198.51.100.1"
    # A request without the header did not pass our proxy: its peer is the client.
    assert address("203.0.113.9") == "203.0.113.9"


def test_a_malformed_forwarded_entry_is_never_the_key(settings):
    settings.BACKER_TRUSTED_PROXIES = "10.0.0.0/8"
    assert address(PROXY, "not-an-address") == PROXY


@pytest.mark.parametrize("bad", ["ten", "10.0.0.0/33", "1, 10.0.0.0/8"])
def test_a_bad_trusted_proxies_value_is_refused(bad):
    with pytest.raises(ValueError, match="BACKER_TRUSTED_PROXIES"):
        trusted_proxies_parse(bad)


@contextmanager
def base_settings(**env: str | None) -> Iterator[ModuleType]:
    """config.settings.base as read from this environment; restored afterwards."""
    import config.settings.base as base

    try:
        with mock.patch.dict(os.environ):
            for name, value in env.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            yield importlib.reload(base)
    finally:
        importlib.reload(base)


def test_the_documented_settings_are_read_from_the_environment():
    with base_settings(
        BACKER_REGISTRATION_RATE="7/h",
        BACKER_REGISTRATION_PAGE_RATE="99/m",
        BACKER_LINK_RATE="3/d",
        BACKER_TRUSTED_PROXIES="10.0.0.0/8",
    ) as base:
        assert base.BACKER_REGISTRATION_RATE == "7/h"
        assert base.BACKER_REGISTRATION_PAGE_RATE == "99/m"
        assert base.BACKER_LINK_RATE == "3/d"
        assert base.BACKER_TRUSTED_PROXIES == "10.0.0.0/8"
        assert base.AXES_CLIENT_IP_CALLABLE == "config.clientaddr.axes_client_address"


def test_the_deprecated_trust_flag_means_one_proxy():
    with base_settings(BACKER_TRUSTED_PROXIES=None, BACKER_TRUST_X_FORWARDED_FOR="1") as base:
        assert base.BACKER_TRUSTED_PROXIES == "1"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BACKER_LINK_RATE", "ten/h"),
        ("BACKER_REGISTRATION_RATE", "0/h"),
        ("BACKER_TRUSTED_PROXIES", "x"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(name, value):
    with pytest.raises(ConfigurationError, match=name), base_settings(**{name: value}):
        pass


@pytest.fixture
def fresh_limits():  # type: ignore[no-untyped-def]
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
def test_two_clients_behind_one_proxy_get_separate_limits(client, settings, fresh_limits):
    settings.BACKER_TRUSTED_PROXIES = "10.0.0.0/8"
    settings.BACKER_LINK_RATE = "2/h"

    def ask(forwarded: str) -> int:
        return client.post(
            "/group/sign-in/",
            {"email": "pat@example.org"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=forwarded,
        ).status_code

    assert [ask("198.51.100.1") for _ in range(3)] == [200, 200, 429]
    assert ask("198.51.100.2") == 200, "another client behind the same proxy has its own limit"


@pytest.mark.django_db
def test_the_link_rate_setting_changes_the_limit(client, settings, fresh_limits):
    settings.BACKER_LINK_RATE = "4/h"
    codes = [
        client.post("/group/sign-in/", {"email": "pat@example.org"}).status_code for _ in range(5)
    ]
    assert codes == [200, 200, 200, 200, 429]


@pytest.mark.django_db
def test_the_registration_page_rate_setting_changes_the_limit(client, settings, fresh_limits):
    f.registration_place()
    settings.BACKER_REGISTRATION_PAGE_RATE = "2/h"
    answers = f.registration_answers()
    codes = [client.post("/register/group/", answers["group"]).status_code for _ in range(3)]
    assert codes == [302, 302, 429]


@pytest.mark.django_db
def test_axes_locks_out_the_forwarded_client_not_the_proxy(client, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.BACKER_TRUSTED_PROXIES = "10.0.0.0/8"
    UserFactory(username="alice")

    def sign_in(password: str, forwarded: str) -> int:
        return client.post(
            "/accounts/login/",
            {"username": "alice", "password": password},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=forwarded,
        ).status_code

    for _ in range(3):
        sign_in("wrong", "198.51.100.66")
    assert sign_in("wrong", "198.51.100.66") == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.66"}
    # alice, behind the same proxy from her own address, still signs in.
    assert sign_in("correct horse battery staple", "203.0.113.9") == 302
