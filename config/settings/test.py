"""Settings for the test suite: fast, isolated, no network."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-not-secret")

from config.settings.base import *  # noqa: F403
from config.settings.base import DATABASES

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
