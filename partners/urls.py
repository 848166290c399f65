"""HTML pages of the partners app, one module per area of work."""

from __future__ import annotations

from django.urls import include, path

app_name = "partners"
urlpatterns = [
    path("", include("partners.urls_registration")),
    path("", include("partners.urls_team")),
    path("", include("partners.urls_directory")),
    path("", include("partners.urls_data")),
    path("", include("partners.urls_suppliers")),
    path("", include("partners.urls_rechecks")),
]
