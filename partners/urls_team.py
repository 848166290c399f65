"""Pages: anchor team (under /team/)."""

from __future__ import annotations

from django.urls import path

from partners import views_team as views

urlpatterns = [
    path("team/groups/queue/", views.GroupQueueView.as_view(), name="team-queue"),
    path("team/groups/", views.GroupListView.as_view(), name="team-groups"),
    path("team/groups/<int:group_id>/", views.GroupDetailView.as_view(), name="team-group-detail"),
    path(
        "team/groups/<int:group_id>/verify/",
        views.GroupVerifyView.as_view(),
        name="team-group-verify",
    ),
    path(
        "team/groups/<int:group_id>/reject/",
        views.GroupReasonView.as_view(action="reject"),
        name="team-group-reject",
    ),
    path(
        "team/groups/<int:group_id>/suspend/",
        views.GroupReasonView.as_view(action="suspend"),
        name="team-group-suspend",
    ),
    path("team/sites/", views.SiteListView.as_view(), name="team-sites"),
    path("team/sites/new/", views.SiteFormView.as_view(), name="team-site-create"),
    path("team/sites/<int:site_id>/", views.SiteFormView.as_view(), name="team-site-edit"),
]
