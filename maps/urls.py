"""HTML pages of the maps app."""

from __future__ import annotations

from django.urls import path  # noqa: F401

app_name = "maps"
urlpatterns: list = []
