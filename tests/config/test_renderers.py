"""The API's JSON is written by orjson (config/renderers.py, issue 18) and
says what DRF's JSONRenderer says: byte for byte, but for the spelling of a
small float (0.0000125, where Python writes 1.25e-05)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal

import numpy as np
import pytest
from django.db import models
from django.utils.translation import gettext_lazy
from rest_framework import renderers as drf

from config.renderers import JSONRenderer
from tests import factories as f


class Kind(models.TextChoices):
    CHARITY = "charity", "Charity"


TRICKY = {
    "when": dt.datetime(2026, 12, 6, 6, 8, 8, 879908, tzinfo=dt.UTC),
    "zoned": dt.datetime(2026, 7, 1, 5, 30, tzinfo=dt.timezone(dt.timedelta(hours=-4))),
    "naive": dt.datetime(2026, 7, 1, 5, 30, 1),
    "day": dt.date(2026, 12, 6),
    "time": dt.time(9, 30, 15, 250000),
    "money": Decimal("12.50"),
    "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "lazy": gettext_lazy("Invalid page."),
    "kind": Kind.CHARITY,
    "js": "line\u2028separator and paragraph\u2029separator",
    "tuple": (1, "two", None, True, 0.5),
    "numpy": [np.float64(0.8057554016611647), np.int64(7), np.arange(3)],
    "nested": {"ünïcödé": "Salford 001A — “quoted”", "empty": [], "none": None},
}


def test_tricky_values_are_written_as_drfs_renderer_writes_them():
    assert JSONRenderer().render(TRICKY) == drf.JSONRenderer().render(TRICKY)


@pytest.mark.parametrize(
    "data",
    [{"big": 2**70}, {1: "a key that is not a string"}, {"set": {1}}],
    ids=["int beyond 64 bits", "integer key", "a set"],
)
def test_what_orjson_will_not_write_is_written_by_drf_or_refused_as_drf_refuses(data):
    try:
        expected = drf.JSONRenderer().render(data)
    except TypeError:
        with pytest.raises(TypeError):
            JSONRenderer().render(data)
    else:
        assert JSONRenderer().render(data) == expected


def test_indented_output_is_drfs():
    for media_type in ("application/json; indent=4", "application/json; indent=2"):
        assert JSONRenderer().render(TRICKY, media_type) == drf.JSONRenderer().render(
            TRICKY, media_type
        )
    assert JSONRenderer().render(None) == b""


API = [
    "/api/groups/",
    "/api/groups/?q=lunch",
    "/api/activities/",
    "/api/needs/",
    "/api/sites/",
    "/api/matches/",
    "/api/resources/",
    "/api/match-runs/",
    "/api/groups/?page=99",
]


@pytest.fixture
def backing(personas):  # type: ignore[no-untyped-def]
    for _ in range(3):
        activity = f.ActivityFactory(themes=["food"], description="Lunch\u2028club")
        f.NeedFactory(activity=activity)
    f.SiteFactory(anchor=personas.anchor_a)
    resource = f.ResourceFactory(anchor=personas.anchor_a)
    for need in f.pm.Need.objects.all():
        f.MatchFactory(need=need, resource=resource, score=1.25e-05)
    return personas


@pytest.mark.parametrize("signed_in", [False, True], ids=["public", "team"])
@pytest.mark.parametrize("url", API)
def test_every_api_list_is_written_by_orjson_as_drf_would_write_it(backing, client, url, signed_in):
    if signed_in:
        client.force_login(backing.alice)
    response = client.get(url, HTTP_ACCEPT="application/json")
    assert isinstance(response.accepted_renderer, JSONRenderer), response.accepted_renderer
    expected = drf.JSONRenderer().render(response.data)
    assert json.loads(response.content) == json.loads(expected)
    if url.startswith("/api/matches/") and signed_in:
        # The one spelling that differs: a small float's.
        assert b'"score":0.0000125,' in response.content
        assert b'"score":1.25e-05,' in expected
    else:
        assert response.content == expected


def test_a_float_that_is_not_a_number_is_written_null_not_a_server_error():
    with pytest.raises(ValueError):
        drf.JSONRenderer().render({"score": float("nan")})
    assert JSONRenderer().render({"score": float("nan")}) == b'{"score":null}'
