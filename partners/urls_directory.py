"""Pages: the public directory (under /directory/)."""

from __future__ import annotations

from django.urls import path

from partners import views_directory as views

urlpatterns = [
    path("directory/", views.directory_search_view, name="directory"),
    path("directory/<int:group_id>/", views.directory_detail_view, name="directory-detail"),
]
