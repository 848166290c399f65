"""HTML pages of the matching app: the team's pages under /team/matching/,
the group's under /group/, the board's joint view under /board/matching/,
a supplier's under /supplier/."""

from __future__ import annotations

from django.urls import path

from matching import (
    views_board,
    views_group,
    views_review,
    views_supplier,
    views_team,
    views_voice,
)

app_name = "matching"
urlpatterns = [
    path("team/matching/", views_review.queue, name="queue"),
    path("team/matching/resources/", views_team.resources, name="resources"),
    path("team/matching/resources/new/", views_team.resource_new, name="resource_new"),
    path("team/matching/resources/<int:pk>/", views_team.resource_edit, name="resource_edit"),
    path("team/matching/runs/", views_team.runs, name="runs"),
    path("team/matching/runs/start/", views_team.run_start, name="run_start"),
    path("team/matching/runs/<int:pk>/", views_team.run_detail, name="run"),
    path(
        "team/matching/runs/<int:pk>/progress.json",
        views_team.run_progress_json,
        name="run_progress",
    ),
    path("team/matching/matches/<int:pk>/", views_review.match_detail, name="match"),
    path("team/matching/matches/<int:pk>/approve/", views_review.match_approve, name="approve"),
    path("team/matching/matches/<int:pk>/defer/", views_review.match_defer, name="defer"),
    path("team/matching/matches/<int:pk>/decline/", views_review.match_decline, name="decline"),
    path("team/matching/matches/<int:pk>/start/", views_review.match_activate, name="activate"),
    path("team/matching/matches/<int:pk>/complete/", views_review.match_complete, name="complete"),
    path("team/matching/matches/<int:pk>/withdraw/", views_review.match_withdraw, name="withdraw"),
    path("team/matching/360giving/", views_review.export_360giving, name="export_360giving"),
    path("group/offers/", views_group.offers, name="offers"),
    path("group/offers/<int:pk>/accept/", views_group.offer_accept, name="offer_accept"),
    path("group/offers/<int:pk>/decline/", views_group.offer_decline, name="offer_decline"),
    path("group/offers/<int:pk>/feedback/", views_voice.feedback, name="feedback"),
    path(
        "group/offers/<int:pk>/feedback/withdraw-consent/",
        views_voice.feedback_consent_withdraw,
        name="feedback_consent_withdraw",
    ),
    path("group/offers/<int:pk>/what-happened/", views_voice.report, name="report"),
    path(
        "group/offers/<int:pk>/what-happened/withdraw-consent/",
        views_voice.report_consent_withdraw,
        name="report_consent_withdraw",
    ),
    path("group/why-not/", views_group.why_not, name="why_not"),
    path("group/connections/", views_group.connections, name="connections"),
    path("group/connections/<int:pk>/", views_group.connection_answer, name="connection_answer"),
    path("board/matching/", views_board.board, name="board"),
    path("supplier/", views_supplier.home, name="supplier-home"),
    path("supplier/resources/new/", views_supplier.resource_new, name="supplier-resource-new"),
    path(
        "supplier/resources/<int:pk>/", views_supplier.resource_edit, name="supplier-resource-edit"
    ),
    path("supplier/matches/<int:pk>/", views_supplier.match_detail, name="supplier-match"),
]
