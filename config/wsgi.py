"""WSGI entry point for gunicorn: `gunicorn config.wsgi`."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")

application = get_wsgi_application()

# Import every view now, when the worker starts, not on its first request:
# the map and chart views pull in folium, geopandas and matplotlib (several
# seconds), which a board member's first dashboard load would otherwise pay.
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018
