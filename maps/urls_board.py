"""Board dashboard, report, charts and self-assessment pages
(maps/views_board.py), and running the self-assessment's rounds
(maps/views_rounds.py)."""

from __future__ import annotations

from django.urls import path

from maps import views_board as views
from maps import views_rounds

urlpatterns = [
    path("board/", views.dashboard_view, name="board"),
    path("board/report/", views.report_view, name="board-report"),
    path("board/charts/<slug:name>.png", views.chart_view, name="board-chart"),
    path("board/self-assessment/", views.selfassessment_index_view, name="selfassessment"),
    path(
        "board/self-assessment/<int:round_id>/",
        views.selfassessment_respond_view,
        name="selfassessment-respond",
    ),
    path(
        "board/self-assessment/rounds/",
        views_rounds.rounds_view,
        name="selfassessment-rounds",
    ),
    path(
        "board/self-assessment/rounds/new/",
        views_rounds.round_new_view,
        name="selfassessment-round-new",
    ),
    path(
        "board/self-assessment/rounds/<int:round_id>/close/",
        views_rounds.round_close_view,
        name="selfassessment-round-close",
    ),
    path(
        "board/self-assessment/results/",
        views.selfassessment_results_view,
        name="selfassessment-results",
    ),
    path(
        "board/self-assessment/results.json",
        views.selfassessment_results_json_view,
        name="selfassessment-results-json",
    ),
]
