"""Activities and needs: read-only here (groups edit their own through the
self-service pages). Visible when their group is visible to the user."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.permissions import AllowAny

from accounts.access import is_anchor_team
from partners.apis.common import READ_ERRORS, ApiPagination, ListFiltersOnly
from partners.apis.filters import ActivityFilter, NeedFilter
from partners.models import Activity, Need
from partners.selectors import activity_list, need_list
from partners.serializers import NeedSerializer, PublicActivitySerializer, TeamActivitySerializer

# One documented shape for every role: the team's differs only in that "where"
# is never withheld, so it fits the public shape ("where" may be null). Two
# alternatives under "oneOf" would both match every body, which oneOf forbids.
_ACTIVITY = PublicActivitySerializer
_ACTIVITIES = PublicActivitySerializer(many=True)


@extend_schema_view(
    list=extend_schema(responses={200: _ACTIVITIES, **READ_ERRORS}),
    retrieve=extend_schema(responses={200: _ACTIVITY, **READ_ERRORS}),
)
class ActivityViewSet(ListFiltersOnly, viewsets.ReadOnlyModelViewSet[Activity]):
    permission_classes = [AllowAny]
    pagination_class = ApiPagination
    filterset_class = ActivityFilter
    queryset = Activity.objects.none()

    def get_queryset(self) -> Any:
        return activity_list(user=self.request.user)

    def get_serializer_class(self) -> Any:
        if is_anchor_team(user=self.request.user):
            return TeamActivitySerializer
        return PublicActivitySerializer


@extend_schema_view(
    list=extend_schema(responses={200: NeedSerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(responses={200: NeedSerializer, **READ_ERRORS}),
)
class NeedViewSet(ListFiltersOnly, viewsets.ReadOnlyModelViewSet[Need]):
    """Anchor teams see every group's needs; everyone else the needs of
    public groups (needs carry no personal fields)."""

    permission_classes = [AllowAny]
    pagination_class = ApiPagination
    filterset_class = NeedFilter
    serializer_class = NeedSerializer
    queryset = Need.objects.none()

    def get_queryset(self) -> Any:
        return need_list(user=self.request.user)
