"""Groups: list, detail, and the anchor team's verify / reject.

The role decides the serializer: anchor teams (and a group's own contact,
on its detail) get TeamGroupSerializer; the public, the board and everyone
else PublicGroupSerializer, which never carries personal fields.
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import can_see_contacts, is_anchor_team
from accounts.permissions import IsAnchorTeam
from config.paging import Listing
from partners.apis.common import READ_ERRORS, WRITE_ERRORS, ApiPagination
from partners.apis.filters import GroupFilter
from partners.models import CommunityGroup
from partners.selectors import (
    group_get,
    group_list_lean,
    group_visible_to,
)
from partners.serializers import (
    GroupRejectInputSerializer,
    PublicGroupSerializer,
    TeamGroupSerializer,
)
from partners.services.review import group_reject, group_verify


class PublicGroupClosedShape(OpenApiSerializerExtension):
    """PublicGroup admits no other property. A team's body carries the public
    fields too, so without this it matched both shapes of "oneOf" (which must
    match exactly one); it also puts in the schema that the public shape has
    nothing more, contacts least of all."""

    target_class = "partners.serializers.PublicGroupSerializer"

    def map_serializer(self, auto_schema: Any, direction: Any) -> Any:
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        return {**schema, "additionalProperties": False}


def _group_schema(many: bool = False) -> PolymorphicProxySerializer:
    return PolymorphicProxySerializer(
        component_name="Group",
        serializers=[PublicGroupSerializer, TeamGroupSerializer],
        resource_type_field_name=None,
        many=many,
    )


class GroupListApi(generics.ListAPIView[CommunityGroup]):
    """Groups: public ones for everyone; every group for anchor teams."""

    permission_classes = [AllowAny]
    pagination_class = ApiPagination
    filterset_class = GroupFilter
    queryset = CommunityGroup.objects.none()  # for the schema; real rows in get_queryset

    def get_queryset(self) -> Any:
        return group_visible_to(user=self.request.user)

    def paginate_queryset(self, queryset: Any) -> Any:
        # The page: only the columns the role's serializer shows, with the
        # theme slugs the group's row keeps; the public's as plain rows. The
        # count: the filtered groups, without the page's neighbourhood join.
        serializer = self.get_serializer_class()
        rows = group_list_lean(
            queryset=queryset,
            columns=serializer.columns(),
            rows=serializer is PublicGroupSerializer,
        )
        return super().paginate_queryset(Listing(rows, counted=queryset))  # type: ignore[arg-type]

    def get_serializer_class(self) -> Any:
        if is_anchor_team(user=self.request.user):
            return TeamGroupSerializer
        return PublicGroupSerializer

    @extend_schema(
        operation_id="groups_list",
        responses={200: _group_schema(many=True), **READ_ERRORS},
        description="Anchor teams receive contact and review fields "
        "(TeamGroup); everyone else PublicGroup, with no personal data.",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class GroupDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(operation_id="groups_retrieve", responses={200: _group_schema(), **READ_ERRORS})
    def get(self, request: Request, group_id: int) -> Response:
        group = get_object_or_404(group_visible_to(user=request.user), pk=group_id)
        group = group_get(group_id=group.pk)
        serializer_class = (
            TeamGroupSerializer
            if can_see_contacts(user=request.user, group=group)
            else PublicGroupSerializer
        )
        return Response(serializer_class(group).data)


class GroupVerifyApi(APIView):
    permission_classes = [IsAnchorTeam]

    @extend_schema(
        operation_id="groups_verify",
        request=None,
        responses={200: TeamGroupSerializer, **WRITE_ERRORS},
        description="Pending -> verified. 400 if the group is not pending.",
    )
    def post(self, request: Request, group_id: int) -> Response:
        group = group_verify(group=group_get(group_id=group_id), by=request.user)
        return Response(TeamGroupSerializer(group_get(group_id=group.pk)).data)


class GroupRejectApi(APIView):
    permission_classes = [IsAnchorTeam]

    @extend_schema(
        operation_id="groups_reject",
        request=GroupRejectInputSerializer,
        responses={
            200: TeamGroupSerializer,
            **WRITE_ERRORS,
            400: OpenApiResponse(
                READ_ERRORS[400].response, description="No reason, or the group is not pending."
            ),
        },
    )
    def post(self, request: Request, group_id: int) -> Response:
        group = group_get(group_id=group_id)
        data = GroupRejectInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        group = group_reject(group=group, by=request.user, reason=data.validated_data["reason"])
        return Response(TeamGroupSerializer(group_get(group_id=group.pk)).data, status.HTTP_200_OK)
