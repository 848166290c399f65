"""REST API routes of the places app (mounted under /api/)."""

from __future__ import annotations

from django.urls import path

from places import apis

urlpatterns = [
    path("neighbourhoods/", apis.NeighbourhoodListApi.as_view(), name="neighbourhood-list"),
    path(
        "neighbourhoods/<str:code>/",
        apis.NeighbourhoodDetailApi.as_view(),
        name="neighbourhood-detail",
    ),
    path("postcodes/<str:postcode>/", apis.PostcodeLookupApi.as_view(), name="postcode-lookup"),
]
