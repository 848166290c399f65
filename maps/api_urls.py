"""REST API routes of the maps app (mounted under /api/)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path  # noqa: F401

urlpatterns: list[URLPattern | URLResolver] = []
