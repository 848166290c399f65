"""Themes, anchors and sites. Anyone may read them (they describe
institutions, not people); only an anchor's own team may write its sites."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import anchor_team_may
from accounts.permissions import CanManageSite
from partners.apis.common import READ_ERRORS, WRITE_ERRORS, ApiPagination
from partners.apis.filters import SiteFilter
from partners.models import Anchor, Site, Theme
from partners.selectors import site_list
from partners.serializers import (
    AnchorSerializer,
    SiteInputSerializer,
    SiteSerializer,
    SiteUpdateInputSerializer,
    ThemeSerializer,
)
from partners.services.sites import site_create, site_update


@extend_schema_view(
    list=extend_schema(responses={200: ThemeSerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(responses={200: ThemeSerializer, **READ_ERRORS}),
)
class ThemeViewSet(viewsets.ReadOnlyModelViewSet[Theme]):
    permission_classes = [AllowAny]
    serializer_class = ThemeSerializer
    pagination_class = ApiPagination
    filter_backends: list[Any] = []
    lookup_field = "slug"
    queryset = Theme.objects.filter(active=True)


@extend_schema_view(
    list=extend_schema(responses={200: AnchorSerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(responses={200: AnchorSerializer, **READ_ERRORS}),
)
class AnchorViewSet(viewsets.ReadOnlyModelViewSet[Anchor]):
    permission_classes = [AllowAny]
    serializer_class = AnchorSerializer
    pagination_class = ApiPagination
    filter_backends: list[Any] = []
    queryset = Anchor.objects.order_by("name")


class SiteListCreateApi(generics.ListAPIView[Site]):
    permission_classes = [CanManageSite]
    serializer_class = SiteSerializer
    pagination_class = ApiPagination
    filterset_class = SiteFilter
    queryset = Site.objects.none()

    def get_queryset(self) -> Any:
        return site_list()

    @extend_schema(
        operation_id="sites_list",
        # Anyone may read sites: signing in is optional here.
        # OpenAPI security requirement objects, which drf-spectacular passes on
        # as they are; its type hint names only a list of scheme names.
        auth=[{"cookieAuth": []}, {}],  # type: ignore[list-item]
        responses={200: SiteSerializer(many=True), **READ_ERRORS},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="sites_create",
        request=SiteInputSerializer,
        responses={201: SiteSerializer, **WRITE_ERRORS},
        description="Anchor teams, for their own anchor only (403 for another's). "
        "A postcode is geocoded; or give latitude and longitude.",
    )
    def post(self, request: Request) -> Response:
        data = SiteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        anchor = values.pop("anchor")
        if not anchor_team_may(user=request.user, anchor_id=anchor.pk):
            raise PermissionDenied("You can only add sites to your own anchor.")
        site = site_create(anchor=anchor, by=request.user, **values)
        return Response(SiteSerializer(site).data, status=status.HTTP_201_CREATED)


class SiteDetailApi(APIView):
    permission_classes = [CanManageSite]

    def _site(self, request: Request, site_id: int) -> Site:
        site = get_object_or_404(site_list(), pk=site_id)
        self.check_object_permissions(request, site)
        return site

    @extend_schema(
        operation_id="sites_retrieve",
        # Anyone may read sites: signing in is optional here.
        # OpenAPI security requirement objects, which drf-spectacular passes on
        # as they are; its type hint names only a list of scheme names.
        auth=[{"cookieAuth": []}, {}],  # type: ignore[list-item]
        responses={200: SiteSerializer, **READ_ERRORS},
    )
    def get(self, request: Request, site_id: int) -> Response:
        return Response(SiteSerializer(self._site(request, site_id)).data)

    def _update(self, request: Request, site_id: int, *, partial: bool) -> Response:
        site = self._site(request, site_id)
        if not isinstance(request.data, dict):
            # A JSON list or number is not a site: 400 with the reason, not a 500.
            raise ValidationError({"non_field_errors": ["Send the site as a JSON object."]})
        current = {
            "name": site.name,
            "kind": site.kind,
            "postcode": site.postcode,
            "latitude": site.latitude,
            "longitude": site.longitude,
        }
        payload = {**current, **request.data} if partial else request.data
        if partial and ("latitude" in request.data or "longitude" in request.data):
            # A new point typed in replaces the postcode it was geocoded from.
            payload.setdefault("postcode", "")
            if "postcode" not in request.data:
                payload["postcode"] = ""
        data = SiteUpdateInputSerializer(data=payload)
        data.is_valid(raise_exception=True)
        site = site_update(site=site, by=request.user, **data.validated_data)
        return Response(SiteSerializer(site).data)

    @extend_schema(
        operation_id="sites_update",
        request=SiteUpdateInputSerializer,
        responses={200: SiteSerializer, **WRITE_ERRORS},
    )
    def put(self, request: Request, site_id: int) -> Response:
        return self._update(request, site_id, partial=False)

    @extend_schema(
        operation_id="sites_partial_update",
        request=SiteUpdateInputSerializer(partial=True),
        responses={200: SiteSerializer, **WRITE_ERRORS},
    )
    def patch(self, request: Request, site_id: int) -> Response:
        return self._update(request, site_id, partial=True)
