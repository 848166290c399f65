"""Open Referral UK 3.0 API, mounted at /openreferral/ by config/urls.py.

Paths have no trailing slash, as in the ORUK openapi.json.
"""

from __future__ import annotations

from django.urls import path

from partners.openreferral import views

app_name = "openreferral"
urlpatterns = [
    path("", views.api_info, name="info"),
    path("openapi.json", views.openapi, name="openapi"),
    path("services", views.service_list, name="services"),
    path("services/<str:id>", views.service_detail, name="service"),
    path("organizations", views.organization_list, name="organizations"),
    path("organizations/<str:id>", views.organization_detail, name="organization"),
    path("taxonomies", views.taxonomy_list, name="taxonomies"),
    path("taxonomies/<str:id>", views.taxonomy_detail, name="taxonomy"),
    path("taxonomy_terms", views.taxonomy_term_list, name="taxonomy-terms"),
    path("taxonomy_terms/<str:id>", views.taxonomy_term_detail, name="taxonomy-term"),
]
