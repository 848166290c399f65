"""HTML pages of the places app."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path  # noqa: F401

app_name = "places"
urlpatterns: list[URLPattern | URLResolver] = []
