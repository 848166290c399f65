"""With production settings every response carries the security headers.

Production settings are fixed at import, so the requests run in a fresh
interpreter with DJANGO_SETTINGS_MODULE=config.settings.prod, after a real
collectstatic (the manifest storage refuses to render without it).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.config.csp import csp_disallowed, csp_parse

ROOT = Path(__file__).resolve().parents[2]

PROBE = r"""
import json, django
django.setup()
from django.conf import settings
# Manifest storage as in production, minus whitenoise's gzip/brotli pass over
# every file (minutes on 2 cores): the headers do not depend on it.
settings.STORAGES = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}}
from django.core.management import call_command
call_command("collectstatic", "--noinput", verbosity=0)
call_command("migrate", verbosity=0)
from django.test import Client
client = Client()
out = {}
for path in ["/healthz", "/", "/accounts/login/", "/accessibility/", "/api/schema/"]:
    response = client.get(path, secure=True)
    out[path] = {
        "status": response.status_code,
        "headers": dict(response.headers),
        "cookies": {name: {"secure": bool(m["secure"]), "path": m["path"], "domain": m["domain"],
                           "httponly": bool(m["httponly"])} for name, m in response.cookies.items()},
    }
insecure = client.get("/accessibility/")
out["redirect"] = {"status": insecure.status_code, "location": insecure.headers.get("Location")}
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def production_responses(tmp_path_factory):
    static_root = tmp_path_factory.mktemp("static")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DEBUG"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="testserver",
        DATABASE_URL=f"sqlite:///{tmp_path_factory.mktemp('db') / 'prod.sqlite3'}",
        STATIC_ROOT=str(static_root),
    )
    env.pop("CELERY_BROKER_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


PAGES = ["/healthz", "/", "/accounts/login/", "/accessibility/", "/api/schema/"]


@pytest.mark.parametrize("path", PAGES)
def test_every_response_has_hsts_for_a_year_with_subdomains(production_responses, path):
    hsts = production_responses[path]["headers"]["Strict-Transport-Security"]
    max_age = int(hsts.split("max-age=")[1].split(";")[0])
    assert max_age >= 31_536_000
    assert "includeSubDomains" in hsts


@pytest.mark.parametrize("path", PAGES)
def test_every_response_has_nosniff_and_a_referrer_policy(production_responses, path):
    headers = production_responses[path]["headers"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("path", PAGES)
def test_every_response_has_a_csp_without_third_party_hosts(production_responses, path):
    # Source by source (tests/config/csp.py): a host with or without a scheme,
    # a wildcard, a bare scheme or 'unsafe-inline' fails it.
    policy = production_responses[path]["headers"]["Content-Security-Policy"]
    assert csp_disallowed(policy) == []
    assert csp_parse(policy)["default-src"] == ["'self'"]
    assert csp_parse(policy)["frame-ancestors"] == ["'self'"]


def test_cookies_are_host_prefixed_and_secure(production_responses):
    cookies = production_responses["/accounts/login/"]["cookies"]
    assert "__Host-csrftoken" in cookies
    csrf = cookies["__Host-csrftoken"]
    assert csrf["secure"] and csrf["path"] == "/" and not csrf["domain"]


def test_plain_http_is_redirected_to_https(production_responses):
    assert production_responses["redirect"]["status"] == 301
    assert production_responses["redirect"]["location"].startswith("https://")
