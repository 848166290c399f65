"""The production settings themselves throttle sign-in: django-axes on, 5
failures per user name and address, then cool-offs of 15 minutes, 1 hour and
24 hours.

The suite runs with config.settings.test (axes off for force_login), so
nothing else would notice production settings that switched axes off or
raised the limit. They are read in a fresh interpreter with the production
environment's defaults (no AXES_* variables set).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = r"""
import json, django
django.setup()
from django.conf import settings
from django.utils.module_loading import import_string
from config.security import LOCKOUT_TIERS
cooloff = settings.AXES_COOLOFF_TIME
print(json.dumps({
    "enabled": settings.AXES_ENABLED,
    "limit": settings.AXES_FAILURE_LIMIT,
    "parameters": settings.AXES_LOCKOUT_PARAMETERS,
    "reset_on_success": settings.AXES_RESET_ON_SUCCESS,
    "cooloff_callable": cooloff if isinstance(cooloff, str) else None,
    "client_ip": settings.AXES_CLIENT_IP_CALLABLE,
    "tiers": [[n, t.total_seconds()] for n, t in LOCKOUT_TIERS],
    "backend_first": settings.AUTHENTICATION_BACKENDS[0],
    "middleware_last": settings.MIDDLEWARE[-1],
    "apps": "axes" in settings.INSTALLED_APPS,
}))
"""


@pytest.fixture(scope="module")
def prod():
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DEBUG", "AXES_", "BACKER_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="backer.example.org",
    )
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_axes_is_on_in_production(prod):
    assert prod["enabled"] is True
    assert prod["apps"]
    assert prod["backend_first"] == "axes.backends.AxesStandaloneBackend"
    assert prod["middleware_last"] == "axes.middleware.AxesMiddleware"


def test_the_limit_is_5_failures_per_user_name_and_address(prod):
    assert prod["limit"] == 5
    assert prod["parameters"] == [["username", "ip_address"]]
    assert prod["reset_on_success"] is True
    assert prod["client_ip"] == "config.clientaddr.axes_client_address"


def test_the_cooloff_grows_in_tiers_of_15_minutes_1_hour_and_24_hours(prod):
    assert prod["cooloff_callable"] == "config.security.lockout_cooloff"
    assert prod["tiers"] == [
        [20, timedelta(hours=24).total_seconds()],
        [10, timedelta(hours=1).total_seconds()],
        [0, timedelta(minutes=15).total_seconds()],
    ]
