"""Settings shared by every environment, read only from the environment.

See README.md ("Configuration") for the table of variables. Values that have
a safe default for a laptop (SQLite, tasks in-process, e-mail to the console)
default to it; values that must never default in production (the secret key)
fail loudly when missing.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from celery.schedules import crontab

from config.clientaddr import trusted_proxies_parse
from config.env import (
    ConfigurationError,
    env_bool,
    env_int,
    env_list,
    env_rate,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ConfigurationError(
            "DJANGO_SECRET_KEY is not set. Set it to a long random string "
            "(for example: python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DEBUG=1 on a development machine."
        )
    # Development only: DEBUG is on, so this key never signs anything that matters.
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "config",
    "accounts",
    "places",
    "partners",
    "matching",
    "grants",
    "maps",
    "assessment",
    "board",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # /api/ only: 413 for oversized bodies, 400 for undeclared query parameters, as JSON.
    "config.apiguard.ApiGuardMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "config.security.SessionLimitsMiddleware",
    "config.security.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "config.periodic.InProcessPeriodicMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns lock-outs into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.roles",
            ],
        },
    },
]

# Every form field renders through one template (config/forms.py).
FORM_RENDERER = "config.forms.BackerFormRenderer"

# --- Database -------------------------------------------------------------
# DATABASE_URL, e.g. postgres://user:pass@host:5432/backer. Unset: a SQLite
# file in the project, so `make demo` needs no server.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# PostgreSQL through Django's backend with a health check that skips its
# round trip for a connection checked moments ago (config/pgbackend).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "config.pgbackend"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ---------------------------------------------------------------------
# CACHE_URL, e.g. redis://127.0.0.1:6379/1: shared by every process, which the
# registration rate limit and the map cache need in production. Unset: memory.
CACHE_URL = env_str("CACHE_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "backer"}
    )
}

# --- Auth -------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out user name + address before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
# Each role's own start page (config/views.py, start).
LOGIN_REDIRECT_URL = "start"
LOGOUT_REDIRECT_URL = "home"

# Lock-outs by user name AND address together, in tiers (config/security.py):
# a stranger elsewhere cannot lock a named user out. 429 with our own page.
AXES_ENABLED = env_bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = "config.security.lockout_cooloff"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# The same client address as the rate limits (config/clientaddr.py).
AXES_CLIENT_IP_CALLABLE = "config.clientaddr.axes_client_address"
# Two-factor sign-in for anchor team, board and admin users (TOTP).
BACKER_REQUIRE_2FA = env_bool("BACKER_REQUIRE_2FA", default=True)
OTP_TOTP_ISSUER = "Backer"
# Idle sessions end after 30 minutes; every session after 12 hours.
BACKER_SESSION_IDLE_SECONDS = env_int("BACKER_SESSION_IDLE_SECONDS", 30 * 60)
BACKER_SESSION_MAX_SECONDS = env_int("BACKER_SESSION_MAX_SECONDS", 12 * 60 * 60)
SESSION_COOKIE_AGE = BACKER_SESSION_MAX_SECONDS
SESSION_COOKIE_SAMESITE = "Lax"

# --- Internationalisation ---------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [
    BASE_DIR / "config" / "static",
    # Leaflet and its plugins from the npm registry (package.json; `make install`
    # runs `npm install`), served from our own origin: never copied into the repo.
    ("vendor/leaflet", BASE_DIR / "node_modules" / "leaflet" / "dist"),
    ("vendor/leaflet.markercluster", BASE_DIR / "node_modules" / "leaflet.markercluster" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- E-mail -------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# With django.core.mail.backends.filebased.EmailBackend: the folder it writes to.
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH") or None
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Backer <no-reply@backer.invalid>")

# --- Celery ---------------------------------------------------------------------
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
# Unset CELERY_BROKER_URL: tasks run in-process (eagerly) so a laptop needs no
# Redis. In production, Redis with `maxmemory-policy noeviction`.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or None
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
# A task is acknowledged only after it finishes, so a worker that dies mid-task
# leaves it on the queue for another worker; tasks are idempotent for this.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 300)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 360)
# Redis redelivers an unacknowledged task after this; no countdown may exceed it.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# No broker means no beat: the web process retries pending outbox messages
# itself, at most once a minute (config/periodic.py, InProcessPeriodicMiddleware).
BACKER_OUTBOX_SWEEP_IN_PROCESS = env_bool(
    "BACKER_OUTBOX_SWEEP_IN_PROCESS", default=CELERY_TASK_ALWAYS_EAGER
)
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "outbox-sweep": {"task": "config.outbox_sweep", "schedule": 60.0},
    # Nightly matching for every anchor (02:30); also publishes runs left
    # queued while the broker was down (matching/services/runs.py).
    "matching-nightly": {
        "task": "matching.tasks.nightly_matching_task",
        "schedule": crontab(hour=2, minute=30),
    },
    # Keeps the default board maps and figures warm (board.tasks; the name is
    # the one it had in maps): builds only what the data version lacks.
    "maps-rebuild": {"task": "maps.tasks.rebuild_board_maps", "schedule": 300.0},
    # The groups' yearly re-check e-mails (partners.services.rechecks): daily,
    # in the morning so a contact reads it the same day.
    "partners-rechecks": {
        "task": "partners.send_rechecks",
        "schedule": crontab(hour=9, minute=0),
    },
}
# Without a broker there is no beat: the web process runs these itself, at
# most once per period in seconds (config/periodic.py). The demo's re-checks.
BACKER_IN_PROCESS_PERIODIC: dict[str, int] = {"partners.send_rechecks": 3600}
# How long the re-check's e-mailed link works (partners.services.rechecks),
# in days: long enough to outlast the reminder (at 12 and a half months) and
# a holiday. The check it records spends it sooner.
BACKER_RECHECK_LINK_MAX_AGE = env_int("BACKER_RECHECK_LINK_DAYS", 60, minimum=1) * 24 * 3600

# --- REST framework ---------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    # django-filter's, skipping the FilterSet when no filter is asked (config/filtering.py).
    "DEFAULT_FILTER_BACKENDS": ["config.filtering.FilterBackend"],
    # Page numbers, with counts that stay cheap at national scale (config/paging.py).
    "DEFAULT_PAGINATION_CLASS": "config.paging.BoundedPageNumberPagination",
    "PAGE_SIZE": 50,
    # DRF's JSON, written by orjson (config/renderers.py).
    "DEFAULT_RENDERER_CLASSES": [
        "config.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "EXCEPTION_HANDLER": "config.exceptions.api_exception_handler",
    # JSON nested too deeply is a 400, not Python's RecursionError (a 500).
    "DEFAULT_PARSER_CLASSES": [
        "config.apiguard.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
SPECTACULAR_SETTINGS = {
    # 413 and 415 documented on every operation that takes a body (config/apischema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.apischema.document_body_errors",
    ],
    "TITLE": "Backer API",
    "DESCRIPTION": "Community partner mapping and backer-matching for anchor institutions.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and ReDoc from our own static files (drf-spectacular-sidecar):
    # hospital networks often block CDNs.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One named enum per set of choices, shared by every serializer using it.
    "ENUM_NAME_OVERRIDES": {
        "NeedKindEnum": "partners.models.NeedKind",
        "GroupKindEnum": "partners.models.GroupKind",
        "AnchorKindEnum": "partners.models.AnchorKind",
        "SiteKindEnum": "partners.models.SiteKind",
        "VerificationStatusEnum": "partners.models.VerificationStatus",
    },
}

# --- Content-Security-Policy (django-csp 4) -----------------------------------------
# Strict everywhere: our own origin only, no inline script. The map frame view
# relaxes it for itself alone (maps/views.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'self'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}
X_FRAME_OPTIONS = "SAMEORIGIN"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- Backer -------------------------------------------------------------------------
# A tile service under the maps: off unless both are set (maps/tiles.py checks
# them; the map frame's CSP then allows that one host for images).
BACKER_MAP_TILES_URL = env_str("BACKER_MAP_TILES_URL")
BACKER_MAP_TILES_ATTRIBUTION = env_str("BACKER_MAP_TILES_ATTRIBUTION")
# The base of links in e-mails, which are sent without a request.
BACKER_SITE_URL = env_str("BACKER_SITE_URL", "http://127.0.0.1:8000")
# A match run with at least this many candidate (need, resource) pairs is
# fanned out over the workers as a Celery chord of BACKER_MATCH_CHUNKS chunks
# (it needs a broker and CELERY_RESULT_BACKEND); 0: never. England's 100,000
# needs x 5,000 resources make 1.7 million pairs; a city's, tens of thousands.
BACKER_MATCH_FANOUT_EDGES = env_int("BACKER_MATCH_FANOUT_EDGES", 500_000)
BACKER_MATCH_CHUNKS = env_int("BACKER_MATCH_CHUNKS", 4)
# "Why not us?": a run of one anchor stores an out-of-reach reason only for a
# need one of its offers misses by at most this many metres (a run over every
# anchor, for all). Otherwise each anchor's run would store a row for every
# need of England (matching/engine/reach.py).
BACKER_WHY_NOT_REACH_MARGIN_M = env_int("BACKER_WHY_NOT_REACH_MARGIN_M", 25_000)
# Geocoder: "local" (the Postcode table) or "postcodes_io" (HTTP, then the table).
BACKER_GEOCODER = env_str("BACKER_GEOCODER", "local")
BACKER_POSTCODES_IO_URL = env_str("BACKER_POSTCODES_IO_URL", "https://api.postcodes.io")
BACKER_POSTCODES_IO_TIMEOUT = env_int("BACKER_POSTCODES_IO_TIMEOUT", 5)

# --- Client address and rate limits ----------------------------------------------
# BACKER_TRUSTED_PROXIES: how far X-Forwarded-For is believed (config/clientaddr.py):
# unset/0 none, a count of proxies, or a comma list of their networks. The old
# BACKER_TRUST_X_FORWARDED_FOR=1 (deprecated) means one proxy.
BACKER_TRUSTED_PROXIES = env_str(
    "BACKER_TRUSTED_PROXIES", "1" if env_bool("BACKER_TRUST_X_FORWARDED_FOR") else ""
)
try:
    trusted_proxies_parse(BACKER_TRUSTED_PROXIES)
except ValueError as exc:
    raise ConfigurationError(str(exc)) from None
# Per client address: finished registrations, registration page posts, e-mailed links.
BACKER_REGISTRATION_RATE = env_rate("BACKER_REGISTRATION_RATE", "5/h")
BACKER_REGISTRATION_PAGE_RATE = env_rate("BACKER_REGISTRATION_PAGE_RATE", "120/h")
BACKER_LINK_RATE = env_rate("BACKER_LINK_RATE", "10/h")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
