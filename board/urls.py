"""The board's pages: dashboard, printable report and charts (board/views.py).
The board map is the maps app's (maps/urls.py), the self-assessment the
assessment app's; all sit under /board/."""

from __future__ import annotations

from django.urls import path

from board import views

app_name = "board"
urlpatterns = [
    path("board/", views.dashboard_view, name="board"),
    path("board/report/", views.report_view, name="board-report"),
    path("board/charts/<slug:name>.png", views.chart_view, name="board-chart"),
]
