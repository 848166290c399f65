"""HTML pages of the maps app."""

from __future__ import annotations

from django.urls import path

from maps import views_map

app_name = "maps"
urlpatterns = [
    path("board/map/", views_map.board_map_view, name="board-map"),
    path("board/map/frame/", views_map.board_map_frame_view, name="board-map-frame"),
    path("board/map/download/", views_map.board_map_download_view, name="board-map-download"),
    path("directory/map/", views_map.directory_map_view, name="directory-map"),
    path("directory/map/frame/", views_map.directory_map_frame_view, name="directory-map-frame"),
]
