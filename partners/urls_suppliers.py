"""Pages: an anchor's suppliers (the team's, under /team/) and joining as one."""

from __future__ import annotations

from django.urls import path

from partners import views_suppliers as views

urlpatterns = [
    path("team/suppliers/", views.suppliers, name="team-suppliers"),
    path("supplier/join/<str:token>/", views.join, name="supplier-join"),
]
