"""Top-level routes. Each app owns its pages (`<app>/urls.py`) and API
(`<app>/api_urls.py`); this file only mounts them."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config import views, views_auth

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("sign-in/", views.sign_in_choice, name="sign-in"),
    path("start/", views.start, name="start"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/two-factor/", views_auth.two_factor, name="two_factor"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view loads its script from a file, so the strict CSP holds.
    path(
        "api/docs/",
        # Our template: drf-spectacular's writes an inline <style>, which the CSP refuses.
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api/swagger_ui.html"),
        name="api-docs",
    ),
    path("api/", include("places.api_urls")),
    path("api/", include("partners.api_urls")),
    path("api/", include("matching.api_urls")),
    path("api/", include("maps.api_urls")),
    path("openreferral/", include("partners.openreferral.urls")),
    path("", include("places.urls")),
    path("", include("partners.urls")),
    path("", include("matching.urls")),
    path("", include("grants.urls")),
    path("", include("maps.urls")),
    path("", include("assessment.urls")),
    path("", include("board.urls")),
]

handler404 = "config.views.not_found"
