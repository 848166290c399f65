"""REST API routes of the matching app (mounted under /api/)."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from matching.apis import MatchRunViewSet, MatchViewSet, ResourceViewSet

router = SimpleRouter()
router.register("resources", ResourceViewSet, basename="resource")
router.register("match-runs", MatchRunViewSet, basename="match-run")
router.register("matches", MatchViewSet, basename="match")
urlpatterns = router.urls
