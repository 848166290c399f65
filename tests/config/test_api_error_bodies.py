"""Bad requests to /api/ answer 4xx as JSON with the reason, never a 500 or an
HTML page: bodies nested too deeply, bodies too large, filter values that are
invalid or name nothing, and query parameters the schema does not declare."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from partners.models import Site

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(client, personas):  # type: ignore[no-untyped-def]
    client.force_login(personas.alice)
    return client


def error_of(response, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert set(body) == {"message", "extra"}
    assert body["message"]
    assert b"<html" not in response.content.lower()
    return body


def site_body(personas) -> dict:  # type: ignore[no-untyped-def]
    return {
        "anchor": personas.anchor_a.pk,
        "name": "Test site",
        "kind": "office",
        "latitude": 53.48,
        "longitude": -2.29,
    }


def test_a_deeply_nested_body_is_a_400(team, personas):
    for nested in ("[" * 100_000 + "]" * 100_000, '{"a":' * 100 + "1" + "}" * 100):
        response = team.post("/api/sites/", nested, content_type="application/json")
        body = error_of(response, 400)
        assert "nested too deeply" in body["message"]
    assert not Site.objects.filter(name="Test site").exists()


def test_a_body_nested_within_reason_still_works(team, personas):
    response = team.post("/api/sites/", site_body(personas), content_type="application/json")
    assert response.status_code == 201, response.content


def test_a_10_mb_body_is_a_413(team, personas, settings):
    huge = json.dumps({**site_body(personas), "name": "x" * (10 * 1024 * 1024)})
    body = error_of(team.post("/api/sites/", huge, content_type="application/json"), 413)
    assert body["extra"]["limit_bytes"] == settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert not Site.objects.filter(name__startswith="xxx").exists()


def test_the_api_handler_answers_413_where_the_middleware_does_not(team, personas, settings):
    # Second line of defence: a view reading a body over the limit gets
    # RequestDataTooBig from Django, which the API's exception handler answers.
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "apiguard" not in m]
    huge = json.dumps({**site_body(personas), "name": "x" * (3 * 1024 * 1024)})
    error_of(team.post("/api/sites/", huge, content_type="application/json"), 413)


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/groups/?imd_decile=x", "imd_decile"),
        ("/api/groups/?status=bogus", "status"),
        ("/api/groups/?theme=no-such-theme", "theme"),
        ("/api/groups/?neighbourhood=E99999999", "neighbourhood"),
        ("/api/activities/?theme=no-such-theme", "theme"),
        ("/api/needs/?kind=bogus", "kind"),
        ("/api/resources/?active=maybe", "active"),
        ("/api/resources/?anchor=no-such-anchor", "anchor"),
        ("/api/resources/?anchor=100%25sure", "anchor"),
        ("/api/match-runs/?anchor=no-such-anchor", "anchor"),
        ("/api/matches/?anchor=no-such-anchor", "anchor"),
        ("/api/matches/?run=abc", "run"),
    ],
)
def test_an_invalid_or_unknown_filter_value_is_a_400_naming_it(team, url, field):
    body = error_of(team.get(url), 400)
    assert field in body["extra"]["fields"], body


@pytest.mark.parametrize(
    "url",
    [
        "/api/groups/?stauts=pending",
        "/api/themes/?x=1",
        "/api/resources/?anchr=anchor-a",
        "/api/neighbourhoods/?decile=1",
        f"/api/groups/{10**6}/?debug=1",
    ],
)
def test_an_undeclared_query_parameter_is_a_400_naming_it(team, url):
    body = error_of(team.get(url), 400)
    name = url.split("?")[1].split("=")[0]
    assert name in body["message"]
    assert body["extra"]["unknown"] == [name]


def test_declared_parameters_and_format_still_work(team, personas):
    for url in (
        "/api/groups/?theme=food&page=1&page_size=10",
        "/api/resources/?active=true&anchor=anchor-a",
        "/api/resources/?active=0",
        "/api/themes/?format=json",
    ):
        assert team.get(url).status_code == 200, url


def test_pages_outside_the_api_are_not_affected():
    assert Client().get("/directory/?utm_source=x").status_code == 200


@pytest.mark.parametrize(
    "url",
    ["/api/match-runs/?anchor=a%00b", "/api/resources/?anchor=%C2%A7%00", "/api/groups/?q=%00"],
)
def test_a_nul_character_in_the_query_is_a_400_not_a_500(client, url):
    # PostgreSQL refuses NUL in text: found by the schema fuzz on PostgreSQL.
    response = client.get(url)
    assert response.status_code == 400
    assert "NUL" in response.json()["message"]


def test_a_nul_character_in_a_form_body_is_a_400(client, personas):
    client.force_login(personas.alice)
    response = client.post(
        "/api/resources/", b"name=a%00b", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "NUL" in response.json()["message"]


def test_the_schema_documents_413_and_415_on_every_operation_with_a_body(client):
    schema = client.get("/api/schema/?format=json").json()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in {"post", "put", "patch"}:
                assert {"413", "415"} <= set(operation["responses"]), (method, path)
