"""Board dashboard, report and charts (maps/views_board.py)."""

from __future__ import annotations

from django.urls import path

from maps import views_board as views

urlpatterns = [
    path("board/", views.dashboard_view, name="board"),
    path("board/report/", views.report_view, name="board-report"),
    path("board/charts/<slug:name>.png", views.chart_view, name="board-chart"),
]
