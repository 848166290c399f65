"""Read-only REST API for neighbourhoods and postcode lookup (under /api/).

Neighbourhoods and IMD figures are open data (OGL), so anyone may read them.
Errors follow the house shape: ``{"message": str, "extra": {...}}``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
    inline_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from places.geocoding import GeocodingError, InvalidPostcode, UnknownPostcode, postcode_lookup
from places.models import Neighbourhood, NeighbourhoodKind
from places.selectors import neighbourhood_geojson, neighbourhood_get, neighbourhood_list

ErrorSerializer = inline_serializer(
    name="PlacesError",
    fields={
        "message": serializers.CharField(),
        "extra": serializers.DictField(),
    },
)


def _error(message: str, code: int) -> Response:
    return Response({"message": message, "extra": {}}, status=code)


@extend_schema_field(
    {
        "type": "object",
        "properties": {
            "type": {"type": "string", "enum": ["Point"]},
            "coordinates": {"type": "array", "items": {"type": "number"}, "minItems": 2},
        },
        "description": "GeoJSON Point inside the neighbourhood, EPSG:4326 [lon, lat]",
    }
)
class _PointField(serializers.Field[Any, Any, dict[str, Any], Neighbourhood]):
    """The representative point as a GeoJSON Point, EPSG:4326 (lon, lat)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value: Neighbourhood) -> dict[str, Any]:
        return {"type": "Point", "coordinates": [value.point_lon, value.point_lat]}


class NeighbourhoodListApi(generics.ListAPIView[Neighbourhood]):
    permission_classes = [AllowAny]
    filter_backends: list[Any] = []

    class FilterSerializer(serializers.Serializer[Any]):
        kind = serializers.ChoiceField(choices=NeighbourhoodKind.choices, required=False)
        la_code = serializers.CharField(required=False, max_length=16)
        imd_decile = serializers.IntegerField(required=False, min_value=1, max_value=10)

    @extend_schema_serializer(component_name="Neighbourhood")
    class OutputSerializer(serializers.ModelSerializer[Neighbourhood]):
        point = _PointField()

        class Meta:
            model = Neighbourhood
            fields = [
                "code",
                "name",
                "kind",
                "la_code",
                "la_name",
                "point",
                "imd_edition",
                "imd_score",
                "imd_rank",
                "imd_decile",
                "income_decile",
                "health_decile",
                "population",
            ]

    serializer_class = OutputSerializer

    def get_queryset(self) -> Any:
        filters = self.FilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return neighbourhood_list(**filters.validated_data)

    @extend_schema(
        summary="List neighbourhoods (no polygons)",
        parameters=[
            OpenApiParameter(
                "kind", OpenApiTypes.STR, enum=NeighbourhoodKind.values, description="e.g. lsoa21"
            ),
            OpenApiParameter(
                "la_code",
                {"type": "string", "maxLength": 16},
                description="Local authority code, e.g. E08000006",
            ),
            OpenApiParameter(
                "imd_decile",
                {"type": "integer", "minimum": 1, "maximum": 10},
                description="IMD decile, 1 (most deprived 10%) to 10",
            ),
        ],
        responses={
            200: OutputSerializer(many=True),
            400: OpenApiResponse(ErrorSerializer, description="A filter value is not valid."),
            404: OpenApiResponse(ErrorSerializer, description="No such page."),
        },
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class NeighbourhoodDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema_serializer(component_name="NeighbourhoodDetail")
    class OutputSerializer(NeighbourhoodListApi.OutputSerializer):
        geometry = serializers.SerializerMethodField()

        class Meta(NeighbourhoodListApi.OutputSerializer.Meta):
            fields = [*NeighbourhoodListApi.OutputSerializer.Meta.fields, "geometry"]

        @extend_schema_field({"type": "object", "description": "GeoJSON geometry, EPSG:4326"})
        def get_geometry(self, obj: Neighbourhood) -> dict[str, Any]:
            """GeoJSON Polygon or MultiPolygon, EPSG:4326."""
            return neighbourhood_geojson(neighbourhood=obj)

    @extend_schema(
        summary="One neighbourhood, with its polygon as GeoJSON",
        responses={
            200: OutputSerializer,
            404: OpenApiResponse(ErrorSerializer, description="No neighbourhood has this code."),
        },
    )
    def get(self, request: Request, code: str) -> Response:
        neighbourhood = neighbourhood_get(code=code)
        if neighbourhood is None:
            return _error(f"No neighbourhood has the code {code}.", status.HTTP_404_NOT_FOUND)
        return Response(self.OutputSerializer(neighbourhood).data)


class PostcodeLookupApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema_serializer(component_name="PostcodeLocation")
    class OutputSerializer(serializers.Serializer[Any]):
        postcode = serializers.CharField()
        latitude = serializers.FloatField(help_text="EPSG:4326 degrees")
        longitude = serializers.FloatField(help_text="EPSG:4326 degrees")
        neighbourhood_code = serializers.CharField(allow_null=True)
        neighbourhood_name = serializers.CharField(allow_null=True)
        imd_decile = serializers.IntegerField(allow_null=True)
        outside_area = serializers.BooleanField(
            help_text="True when the point is outside every loaded neighbourhood."
        )

    @extend_schema(
        summary="Look up a postcode: point, neighbourhood and IMD decile",
        parameters=[
            OpenApiParameter(
                "postcode",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description="Any case, with or without the space, e.g. m54wt",
            )
        ],
        responses={
            200: OutputSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Not a valid UK postcode."),
            404: OpenApiResponse(ErrorSerializer, description="A valid postcode we do not know."),
        },
    )
    def get(self, request: Request, postcode: str) -> Response:
        try:
            location = postcode_lookup(postcode=postcode)
        except InvalidPostcode as error:
            return _error(str(error), status.HTTP_400_BAD_REQUEST)
        except UnknownPostcode as error:
            return _error(str(error), status.HTTP_404_NOT_FOUND)
        except GeocodingError as error:
            return _error(str(error), status.HTTP_503_SERVICE_UNAVAILABLE)
        return Response(self.OutputSerializer(location).data)
