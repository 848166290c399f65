"""REST API for groups, activities, needs, themes, anchors and sites."""

from __future__ import annotations

from django.urls import path
from rest_framework.routers import SimpleRouter

from partners.apis import activities, catalogue, groups

router = SimpleRouter()
router.register("activities", activities.ActivityViewSet, basename="api-activity")
router.register("needs", activities.NeedViewSet, basename="api-need")
router.register("themes", catalogue.ThemeViewSet, basename="api-theme")
router.register("anchors", catalogue.AnchorViewSet, basename="api-anchor")

urlpatterns = [
    path("groups/", groups.GroupListApi.as_view(), name="api-groups"),
    path("groups/<int:group_id>/", groups.GroupDetailApi.as_view(), name="api-group-detail"),
    path("groups/<int:group_id>/verify/", groups.GroupVerifyApi.as_view(), name="api-group-verify"),
    path("groups/<int:group_id>/reject/", groups.GroupRejectApi.as_view(), name="api-group-reject"),
    path("sites/", catalogue.SiteListCreateApi.as_view(), name="api-sites"),
    path("sites/<int:site_id>/", catalogue.SiteDetailApi.as_view(), name="api-site-detail"),
    *router.urls,
]
