"""REST API routes of the partners app (mounted under /api/)."""

from __future__ import annotations

from django.urls import include, path

urlpatterns = [
    path("", include("partners.api_urls_core")),
]
