"""Pages: data in and out (CSV import of groups)."""

from __future__ import annotations

from django.urls import path

from partners import views_data

urlpatterns = [
    path("team/import/", views_data.groups_import, name="groups-import"),
]
