"""config.settings.prod for the production browser journey, with ONE change:
static files are hashed into a manifest (ManifestStaticFilesStorage, what
broke `static("")`) but not also pre-compressed. Pre-compressing 49 MB with
brotli takes over four minutes on the CI machine and changes nothing the
journey can see: whitenoise serves the same hashed files, uncompressed."""

from __future__ import annotations

from config.settings.prod import *  # noqa: F403
from config.settings.prod import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
