"""Pages: data in and out (imports of groups)."""

from __future__ import annotations

from django.urls import path

from partners import views_data

urlpatterns = [
    path("team/import/", views_data.groups_import, name="groups-import"),
    path("team/import/<int:job_id>/", views_data.import_job_detail, name="import-job"),
]
