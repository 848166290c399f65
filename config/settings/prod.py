"""Production: PostgreSQL, Redis, HTTPS behind a proxy. Every secret from the environment."""

from __future__ import annotations

import os

from config.env import ConfigurationError, env_bool, env_int

if not os.environ.get("DJANGO_SECRET_KEY", "").strip():
    raise ConfigurationError(
        "DJANGO_SECRET_KEY is not set: production refuses to start without a secret key. "
        "Set it to a long random string kept out of the repository."
    )
os.environ.setdefault("DEBUG", "0")

from config.settings.base import *  # noqa: F403

DEBUG = env_bool("DEBUG", default=False)

# HTTPS only, behind a proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)  # a year
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# __Host- cookies: Secure, path=/, no Domain; a sibling subdomain cannot plant them.
SESSION_COOKIE_NAME = "__Host-sessionid"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_NAME = "__Host-csrftoken"
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if DEBUG:
    raise ConfigurationError("DEBUG must be off with production settings (config.settings.prod).")
