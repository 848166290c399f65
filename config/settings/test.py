"""Settings for the test suite: fast, isolated, no network."""

from __future__ import annotations

import os
from collections.abc import MutableMapping

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-not-secret")


def xdist_broker_url(url: str, worker: str) -> str:
    """Under pytest-xdist (`make test` runs `-n auto`), worker gwN uses Redis
    database (n + N) mod 16 of the configured redis://host:port/n: a real worker
    started by one process's test must never take another's messages, nor a purge
    empty another's queue. gw0 keeps the configured database."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if not worker.startswith("gw") or parts.scheme not in {"redis", "rediss"}:
        return url
    base = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(base + int(worker[2:])) % 16}"))


def own_broker_per_xdist_worker(environ: MutableMapping[str, str]) -> None:
    """Move the run's broker to this xdist worker's database, once: a process
    the tests start inherits the moved address (and the one it was moved from),
    and a broker a test sets on purpose (a dead one) is left as it is."""
    broker, worker = environ.get("CELERY_BROKER_URL"), environ.get("PYTEST_XDIST_WORKER")
    if not broker or not worker:
        return
    if broker == environ.setdefault("BACKER_TEST_BROKER_BEFORE_XDIST", broker):
        environ["CELERY_BROKER_URL"] = xdist_broker_url(broker, worker)


# Before base.py reads it: Celery also reads the variable itself.
own_broker_per_xdist_worker(os.environ)

from config.settings.base import *  # noqa: E402, F403
from config.settings.base import DATABASES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
BACKER_GEOCODER = "local"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# pytest-django creates (and drops) its own database: test_<name> on
# PostgreSQL, in memory on SQLite. Never the developer's data.
DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"]["TEST"] = {"NAME": None}
# Tests run task bodies in-process, even in CI where CELERY_BROKER_URL points at
# Redis; the tests marked `redis` switch a real worker on for themselves.
CELERY_TASK_ALWAYS_EAGER = True
# Off: a sweep inside any test's request would run other tests' messages.
BACKER_OUTBOX_SWEEP_IN_PROCESS = False
# Most tests sign in with force_login; the security tests switch these on.
AXES_ENABLED = False
BACKER_REQUIRE_2FA = False
