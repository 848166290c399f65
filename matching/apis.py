"""REST API of the matching app: resources, match runs, matches and their review.

Teams act only for their own anchors (accounts.access): lists show only
those, and another anchor's object answers 404, so ids cannot be probed. Errors share one shape, ``{"message", "extra"}``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

import django_filters
from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from accounts.access import anchors_for_team, is_admin
from accounts.permissions import IsAnchorTeam
from config.exceptions import ErrorSerializer
from matching.errors import ApplicationError, api_exception_handler
from matching.models import Match, MatchRun, MatchStatus, Resource, RunStatus
from matching.selectors import match_list_lean
from matching.serializers import (
    MatchRunCreateSerializer,
    MatchRunSerializer,
    MatchSerializer,
    NoteInput,
    OutcomeInput,
    ReasonInput,
    ResourceSerializer,
)
from matching.services import review
from matching.services.resources import resource_create, resource_update
from matching.services.runs import match_run_start
from partners.apis.common import ListFiltersOnly
from partners.apis.filters import IdFilter, StrictBooleanFilter, known_anchor
from partners.models import NeedKind, Theme
from places.models import Neighbourhood

if TYPE_CHECKING:
    # APIView's own type for permission_classes (djangorestframework-stubs).
    from rest_framework.permissions import _PermissionClass

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="The input is not valid."),
    403: OpenApiResponse(ErrorSerializer, description="Not an anchor team member."),
    404: OpenApiResponse(ErrorSerializer, description="No such object among your anchors'."),
}
CONFLICT = {
    409: OpenApiResponse(
        ErrorSerializer, description="The match changed state or the resource is full."
    )
}


class TeamApiMixin(ListFiltersOnly):
    permission_classes: Sequence[_PermissionClass] = [IsAnchorTeam]

    def get_exception_handler(self) -> Any:
        return api_exception_handler

    def own_anchors(self) -> frozenset[int]:
        """Lists and details alike hold only these anchors' objects: another
        anchor's object is not found (404), never forbidden with its owner."""
        return anchors_for_team(user=self.request.user)  # type: ignore[attr-defined]


class ResourceFilter(django_filters.FilterSet):
    anchor = django_filters.CharFilter(
        field_name="anchor__slug", help_text="Anchor slug.", validators=[known_anchor()]
    )
    kind = django_filters.ChoiceFilter(choices=NeedKind.choices)
    active = StrictBooleanFilter()

    class Meta:
        model = Resource
        fields = ["anchor", "kind", "active"]


@extend_schema_view(
    list=extend_schema(
        summary="Your anchors' resources", responses={200: ResourceSerializer, **ERRORS}
    ),
    retrieve=extend_schema(summary="One resource", responses={200: ResourceSerializer, **ERRORS}),
    create=extend_schema(summary="Offer a resource", responses={201: ResourceSerializer, **ERRORS}),
    update=extend_schema(
        summary="Change a resource", responses={200: ResourceSerializer, **ERRORS}
    ),
    partial_update=extend_schema(
        summary="Change part of a resource", responses={200: ResourceSerializer, **ERRORS}
    ),
    destroy=extend_schema(
        summary="Delete a resource never matched", responses={204: None, **ERRORS, **CONFLICT}
    ),
)
class ResourceViewSet(TeamApiMixin, viewsets.ModelViewSet[Resource]):
    serializer_class = ResourceSerializer
    filterset_class = ResourceFilter

    def get_queryset(self) -> QuerySet[Resource]:
        # Of the neighbourhoods, only their codes: never the boundaries.
        qs = Resource.objects.select_related("anchor", "supplier").prefetch_related(
            Prefetch("themes", queryset=Theme.objects.only("id", "slug")),
            Prefetch("eligible_neighbourhoods", queryset=Neighbourhood.objects.only("id", "code")),
            Prefetch("floor_neighbourhoods", queryset=Neighbourhood.objects.only("id", "code")),
        )
        return qs.filter(anchor_id__in=self.own_anchors())

    def perform_create(self, serializer: BaseSerializer[Resource]) -> None:
        serializer = cast(ResourceSerializer, serializer)  # serializer_class
        anchor = serializer.validated_data["anchor"]
        serializer.instance = resource_create(
            anchor=anchor, by=self.request.user, **serializer.service_kwargs()
        )

    def perform_update(self, serializer: BaseSerializer[Resource]) -> None:
        serializer = cast(ResourceSerializer, serializer)  # serializer_class
        resource = serializer.instance
        assert resource is not None  # an update always has its object
        new_anchor = serializer.validated_data.get("anchor")
        if new_anchor is not None and new_anchor.pk != resource.anchor_id:
            raise ApplicationError("A resource cannot move to another anchor.")
        serializer.instance = resource_update(
            resource=resource, by=self.request.user, **serializer.service_kwargs()
        )

    def perform_destroy(self, instance: Resource) -> None:
        if instance.matches.exists():
            raise ApplicationError(
                "This resource has matches, so it is kept for the record. Close it instead.",
                extra={"resource_id": instance.pk},
            )
        instance.delete()


class MatchRunFilter(django_filters.FilterSet):
    anchor = django_filters.CharFilter(
        field_name="anchor__slug", help_text="Anchor slug.", validators=[known_anchor()]
    )
    status = django_filters.ChoiceFilter(choices=RunStatus.choices)

    class Meta:
        model = MatchRun
        fields = ["anchor", "status"]


@extend_schema_view(
    list=extend_schema(
        summary="Your anchors' match runs", responses={200: MatchRunSerializer, **ERRORS}
    ),
    retrieve=extend_schema(
        summary="One run, with its progress", responses={200: MatchRunSerializer, **ERRORS}
    ),
    create=extend_schema(
        summary="Start a match run",
        request=MatchRunCreateSerializer,
        responses={202: MatchRunSerializer, **ERRORS},
    ),
)
class MatchRunViewSet(
    TeamApiMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[MatchRun],
):
    serializer_class = MatchRunSerializer
    filterset_class = MatchRunFilter

    def get_queryset(self) -> QuerySet[MatchRun]:
        qs = MatchRun.objects.select_related("anchor")
        if is_admin(user=self.request.user):
            return qs  # including runs over every anchor (anchor_id NULL)
        return qs.filter(anchor_id__in=self.own_anchors())

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = MatchRunCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run = match_run_start(anchor=data.validated_data["anchor"], by=request.user)
        run.refresh_from_db()
        return Response(MatchRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class MatchFilter(django_filters.FilterSet):
    anchor = django_filters.CharFilter(
        field_name="resource__anchor__slug", help_text="Anchor slug.", validators=[known_anchor()]
    )
    status = django_filters.ChoiceFilter(choices=MatchStatus.choices)
    kind = django_filters.ChoiceFilter(field_name="resource__kind", choices=NeedKind.choices)
    run = IdFilter(field_name="run_id")

    class Meta:
        model = Match
        fields = ["anchor", "status", "kind", "run"]


_F = TypeVar("_F", bound=Callable[..., Any])


def _action_schema(summary: str, request: Any = None) -> Callable[[_F], _F]:
    return extend_schema(
        summary=summary, request=request, responses={200: MatchSerializer, **ERRORS, **CONFLICT}
    )


@extend_schema_view(
    list=extend_schema(summary="Your anchors' matches", responses={200: MatchSerializer, **ERRORS}),
    retrieve=extend_schema(summary="One match", responses={200: MatchSerializer, **ERRORS}),
)
class MatchViewSet(TeamApiMixin, viewsets.ReadOnlyModelViewSet[Match]):
    serializer_class = MatchSerializer
    filterset_class = MatchFilter

    def get_queryset(self) -> QuerySet[Match]:
        # The list as plain rows (no model instance); one match as a model.
        rows = MatchSerializer.row_columns() if self.action == "list" else None
        return match_list_lean(anchor_ids=self.own_anchors(), rows=rows)

    def _do(self, request: Request, service: Any, input_class: Any = None) -> Response:
        match = self.get_object()
        kwargs: dict[str, Any] = {}
        if input_class is not None:
            data = input_class(data=request.data)
            data.is_valid(raise_exception=True)
            kwargs = dict(data.validated_data)
        updated = service(match_id=match.pk, by=request.user, **kwargs)
        return Response(MatchSerializer(updated).data)

    @_action_schema("Approve: allocate the amount and offer it to the group", NoteInput)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        return self._do(request, review.match_approve, NoteInput)

    @_action_schema("Decline, with a reason", ReasonInput)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str | None = None) -> Response:
        return self._do(request, review.match_decline, ReasonInput)

    @_action_schema("Defer the decision", NoteInput)
    @action(detail=True, methods=["post"])
    def defer(self, request: Request, pk: str | None = None) -> Response:
        return self._do(request, review.match_defer, NoteInput)

    @_action_schema("Mark an accepted match as started", NoteInput)
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str | None = None) -> Response:
        return self._do(request, review.match_activate, NoteInput)

    @_action_schema("Complete an active match with its outcome", OutcomeInput)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str | None = None) -> Response:
        return self._do(request, review.match_complete, OutcomeInput)

    @_action_schema("Withdraw an approved, accepted or active match", ReasonInput)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        return self._do(request, review.match_withdraw, ReasonInput)
