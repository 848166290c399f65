"""REST API routes of the matching app (mounted under /api/)."""

from __future__ import annotations

from django.urls import path  # noqa: F401

urlpatterns: list = []
