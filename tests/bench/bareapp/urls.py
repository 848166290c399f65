from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import path
from rest_framework import generics, serializers
from rest_framework.pagination import PageNumberPagination

from tests.bench.bareapp.models import Item


class ItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = Item
        fields = "__all__"


class Pages(PageNumberPagination):
    page_size = 50


class ItemList(generics.ListAPIView):
    queryset = Item.objects.all()
    serializer_class = ItemSerializer
    pagination_class = Pages


def hello(request: HttpRequest) -> Any:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("items/", ItemList.as_view()), path("hello", hello)]
