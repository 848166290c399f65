"""The leadership self-assessment's pages (assessment/views.py), and running
its rounds (assessment/views_rounds.py). Under /board/, beside the board's
other pages."""

from __future__ import annotations

from django.urls import path

from assessment import views, views_rounds

app_name = "assessment"
urlpatterns = [
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
