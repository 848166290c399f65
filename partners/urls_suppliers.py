"""Pages: an anchor's suppliers (the team's, under /team/) and joining as one."""

from __future__ import annotations

from django.urls import path

from partners import views_suppliers as views

urlpatterns = [
    path("team/suppliers/", views.suppliers, name="team-suppliers"),
    path("team/suppliers/<int:pk>/remove/", views.remove, name="team-supplier-remove"),
    path(
        "team/suppliers/invitations/<int:pk>/resend/",
        views.invitation_resend,
        name="team-supplier-invitation-resend",
    ),
    path(
        "team/suppliers/invitations/<int:pk>/cancel/",
        views.invitation_cancel,
        name="team-supplier-invitation-cancel",
    ),
    path("supplier/join/<str:token>/", views.join, name="supplier-join"),
]
