"""REST API for groups, activities, needs, themes, anchors and sites."""

from __future__ import annotations

urlpatterns: list = []
