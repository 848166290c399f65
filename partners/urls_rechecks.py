"""Pages: the yearly re-check (the contact's link, the team's queue)."""

from __future__ import annotations

from django.urls import path

from partners import views_rechecks as views

urlpatterns = [
    path("group/check/<str:token>/", views.recheck_link, name="recheck"),
    path("team/rechecks/", views.RecheckQueueView.as_view(), name="team-rechecks"),
    path(
        "team/rechecks/<int:group_id>/send/",
        views.RecheckResendView.as_view(),
        name="team-recheck-send",
    ),
    path(
        "team/rechecks/<int:group_id>/checked/",
        views.RecheckMarkView.as_view(),
        name="team-recheck-checked",
    ),
]
