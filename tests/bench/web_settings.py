"""config.settings.prod for bench_web.py, with ONE change: static file URLs
are not looked up in a manifest, so the bench needs no collectstatic (minutes
of hashing and compressing). No request of the bench is for a static file;
the pages only name them."""

from __future__ import annotations

from config.settings.prod import *  # noqa: F403
from config.settings.prod import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
