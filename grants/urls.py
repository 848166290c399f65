"""Pages of the grants app: the team's 360Giving upload and outreach list."""

from __future__ import annotations

from django.urls import path

from grants import views

app_name = "grants"
urlpatterns = [
    path("team/grants/import/", views.grants_import_page, name="import"),
    path("team/grants/import/<int:job_id>/", views.grants_import_job, name="import-job"),
    path("team/outreach/", views.outreach_page, name="outreach"),
    path("team/outreach.csv", views.outreach_csv, name="outreach-csv"),
]
