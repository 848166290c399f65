"""What the API fuzz found, one test each, so the fixes stay fixed without
waiting for Hypothesis to find the same input again."""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema
import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator

from partners.models import VerificationStatus
from tests import factories as f


@pytest.fixture
def schema(client, db):
    return client.get("/api/schema/?format=json").json()


def _json_schema(node):
    """OpenAPI 3.0's `nullable: true` as JSON Schema's null type."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        if "type" in node:
            node["type"] = [node["type"], "null"]
        else:
            return {"anyOf": [node, {"type": "null"}]}
    return node


def _validator(schema, component):
    # $ref beside other keywords is ignored in draft 7, hence the allOf.
    document = {"allOf": [{"$ref": f"#/components/schemas/{component}"}], **_json_schema(schema)}
    # Formats matter: "" is told apart from a URL or an e-mail address by them.
    checker = jsonschema.FormatChecker()
    checker.checks("uri")(lambda value: not isinstance(value, str) or "://" in value)
    return jsonschema.Draft7Validator(document, format_checker=checker)


@pytest.mark.parametrize(
    "url",
    [
        "/api/needs/?activity=-1.998991469088683e%2B62",
        "/api/needs/?group=99999999999999999999",
        "/api/activities/?group=1.5",
        "/api/sites/?anchor=0",
    ],
)
def test_an_id_filter_out_of_range_is_a_400_not_a_500(client, db, url):
    # A decimal id filter once reached SQLite as an int too large for it.
    response = client.get(url)
    assert response.status_code == 400
    assert response.json()["message"] == "Validation error"


def test_a_match_run_filter_out_of_range_is_a_400(client, personas):
    client.force_login(personas.alice)
    assert client.get("/api/matches/?run=1e99").status_code == 400


def test_a_single_item_refuses_the_lists_filters_instead_of_hiding_the_item(client, personas):
    # DRF's get_object() used to apply the list's filters: ?kind=time hid a need
    # (404). A single item declares no filters, so they are refused, saying which.
    need = f.NeedFactory(activity=f.ActivityFactory(group=personas.group_a))
    assert client.get(f"/api/needs/{need.pk}/").status_code == 200
    response = client.get(f"/api/needs/{need.pk}/?kind=time")
    assert response.status_code == 400
    assert response.json()["extra"]["unknown"] == ["kind"]
    activity = need.activity
    response = client.get(f"/api/activities/{activity.pk}/?theme=housing")
    assert response.status_code == 400
    assert response.json()["extra"]["unknown"] == ["theme"]


def test_a_team_members_group_matches_exactly_one_documented_shape(client, personas, schema):
    # oneOf: PublicGroup used to accept the team's body too (it allowed any
    # other property), so a team member's answer matched two shapes.
    pending = f.CommunityGroupFactory(status=VerificationStatus.PENDING)
    client.force_login(personas.alice)
    body = client.get(f"/api/groups/{pending.pk}/").json()
    assert "contact_email" in body
    _validator(schema, "Group").validate(body)
    assert not _validator(schema, "PublicGroup").is_valid(body)


def test_a_public_group_matches_the_public_shape(client, personas, schema):
    body = client.get(f"/api/groups/{personas.group_a.pk}/").json()
    _validator(schema, "Group").validate(body)
    assert _validator(schema, "PublicGroup").is_valid(body)


def test_an_activity_has_one_documented_shape_for_every_role(client, personas, schema):
    # Two identical shapes under oneOf matched every body twice.
    home = f.CommunityGroupFactory(meets_at_home=True, address="1 Home Road")
    activity = f.ActivityFactory(group=home, where="1 Home Road")
    public = client.get(f"/api/activities/{activity.pk}/").json()
    client.force_login(personas.alice)
    team = client.get(f"/api/activities/{activity.pk}/").json()
    assert public["where"] is None
    assert team["where"] == "1 Home Road"
    operation = schema["paths"]["/api/activities/{id}/"]["get"]
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    for body in (public, team):
        _validator(schema, ref.rsplit("/", 1)[1]).validate(body)


def test_sites_say_that_signing_in_is_optional_to_read(schema):
    # Anyone may read sites; the schema said a session was required.
    for path in ("/api/sites/", "/api/sites/{site_id}/"):
        assert {} in schema["paths"][path]["get"]["security"]
    assert {} not in schema["paths"]["/api/sites/"]["post"]["security"]


@pytest.mark.parametrize(
    "path", ["/api/resources/", "/api/match-runs/", "/api/matches/", "/api/neighbourhoods/"]
)
def test_lists_document_a_bad_filter_and_a_missing_page(schema, path):
    # ?status=nonsense answers 400 and ?page=0 answers 404.
    assert {"400", "404"} <= set(schema["paths"][path]["get"]["responses"])


def test_a_bad_filter_and_a_missing_page_answer_as_documented(client, personas):
    client.force_login(personas.alice)
    assert client.get("/api/matches/?status=nonsense").status_code == 400
    assert client.get("/api/resources/?page=0").status_code == 404
    assert client.get("/api/neighbourhoods/?page=0").status_code == 404


def test_the_schema_has_one_error_component(db, tmp_path, capsys):
    # matching once declared a second "Error" class, and the generator picked
    # one of the two.
    call_command("spectacular", "--validate", f"--file={tmp_path / 'schema.yml'}")
    assert "identical names" not in capsys.readouterr().err


@pytest.mark.parametrize("method", ["patch", "put"])
@pytest.mark.parametrize("body", ["[]", "3", '"a"'])
def test_a_site_update_that_is_not_an_object_is_a_400_with_the_reason(
    client, personas, method, body
):
    # Found by the team fuzz on PostgreSQL: PATCH /api/sites/<id>/ with [] was a 500.
    site = f.SiteFactory(anchor=personas.anchor_a)
    client.force_login(personas.alice)
    response = getattr(client, method)(
        f"/api/sites/{site.pk}/", data=body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "JSON object" in response.content.decode()


# --- Bodies hold what the schema declares (config/apibody.py) ---------------------
# Found by the team fuzz on PostgreSQL: PATCH /api/resources/<id>/ answered 200 to a
# body the schema forbids (read-only `updated_at` and `remaining` set, `closes_on` a
# list): DRF ignored the read-only fields and saved the rest.


def _patch_resource(client, personas, body, content_type="application/json"):
    resource = f.ResourceFactory(anchor=personas.anchor_a, title="Community chest")
    client.force_login(personas.alice)
    data = body if isinstance(body, str) else json.dumps(body)
    response = client.patch(f"/api/resources/{resource.pk}/", data, content_type=content_type)
    resource.refresh_from_db()
    assert (resource.title, resource.closes_on) == ("Community chest", None), "saved"
    return response


def _refusal(response) -> dict[str, Any]:
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"message", "extra"}
    return body


def test_a_resource_update_setting_read_only_fields_is_a_400_naming_them(client, personas):
    body = {"title": "Renamed", "updated_at": "2026-01-01T00:00:00Z", "remaining": 5}
    refusal = _refusal(_patch_resource(client, personas, body))
    assert refusal["extra"]["read_only"] == ["remaining", "updated_at"]
    assert refusal["message"] == "Read-only field: remaining, updated_at."
    assert "title" in refusal["extra"]["allowed"]
    assert "remaining" not in refusal["extra"]["allowed"]


@pytest.mark.parametrize(
    ("field", "value", "must_be"),
    [
        ("closes_on", [], "a date (YYYY-MM-DD) or null"),
        ("closes_on", ["2027-01-01"], "a date (YYYY-MM-DD) or null"),
        ("capacity", "12", "a whole number"),
        ("capacity", 12.5, "a whole number"),
        ("capacity", None, "a whole number"),
        ("active", "yes", "true or false"),
        ("active", 1, "true or false"),
        ("title", 12, "text"),
        ("themes", "food", "a list of text"),
        ("themes", ["food", 3], "a list of text"),
        ("radius_site", "1", "a whole number or null"),
    ],
)
def test_a_resource_update_with_a_value_of_another_type_is_a_400_naming_it(
    client, personas, field, value, must_be
):
    # DRF turned "12" into 12, 12 into "12" and "yes" into true, and saved them.
    refusal = _refusal(_patch_resource(client, personas, {"title": "Renamed", field: value}))
    assert refusal["extra"]["fields"] == {field: [f"Must be {must_be}."]}
    assert refusal["message"] == f"Wrong type: {field} must be {must_be}."


def test_a_resource_update_with_an_unknown_field_is_a_400_naming_it(client, personas):
    refusal = _refusal(_patch_resource(client, personas, {"title": "Renamed", "titel": "x"}))
    assert refusal["extra"]["unknown"] == ["titel"]
    assert refusal["message"] == "Unknown field: titel."


def test_every_fault_in_a_body_is_named_at_once(client, personas):
    body = {"titel": "x", "allocated": 0, "capacity": "12", "active": "no"}
    refusal = _refusal(_patch_resource(client, personas, body))
    assert refusal["message"] == (
        "Unknown field: titel. Read-only field: allocated. "
        "Wrong type: active must be true or false; capacity must be a whole number."
    )
    assert set(refusal["extra"]["fields"]) == {"titel", "allocated", "capacity", "active"}


def test_a_form_body_is_held_to_the_same_fields(client, personas):
    # A form's values are all text; a repeated value where the schema has one is not.
    form = "application/x-www-form-urlencoded"
    body = "title=Renamed&closes_on=2027-01-01&closes_on=2027-02-01&updated_at=x&titel=y"
    refusal = _refusal(_patch_resource(client, personas, body, content_type=form))
    assert refusal["extra"]["unknown"] == ["titel"]
    assert refusal["extra"]["read_only"] == ["updated_at"]
    assert refusal["extra"]["fields"]["closes_on"] == ["Must be one value, not several."]


def test_a_body_within_the_schema_still_saves(client, personas):
    resource = f.ResourceFactory(anchor=personas.anchor_a, title="Community chest")
    client.force_login(personas.alice)
    body = {"title": "Renamed", "closes_on": "2027-01-01", "capacity": 12, "themes": ["food"]}
    response = client.patch(
        f"/api/resources/{resource.pk}/", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    form = client.patch(
        f"/api/resources/{resource.pk}/",
        "title=By+form&closes_on=2027-02-01&csrfmiddlewaretoken=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert form.status_code == 200, form.content
    resource.refresh_from_db()
    assert (resource.title, str(resource.closes_on), resource.capacity) == (
        "By form",
        "2027-02-01",
        12,
    )


# Every write the schema documents with a JSON body, found from the schema, so a
# new one is held to the same rule without a line here.
API = SchemaGenerator().get_schema(request=None, public=True)
WRITES = [
    (method, path, operation["requestBody"]["content"]["application/json"]["schema"])
    for path, item in API["paths"].items()
    for method, operation in item.items()
    if method in {"post", "put", "patch"}
    and "application/json" in operation.get("requestBody", {}).get("content", {})
]
# A real object of anchor A's for each templated path (tests/security/conftest.py).
OBJECT = {
    "/api/groups/": "pending",
    "/api/sites/": "site_a",
    "/api/resources/": "resource_a",
    "/api/matches/": "match_a",
}


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = API["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _another_type(node: dict[str, Any]) -> Any:
    """A value of a JSON type the property does not allow, one DRF would coerce."""
    node = _resolve(node)
    branches = node.get("oneOf") or node.get("allOf") or [node]
    types = {_resolve(b).get("type", "string") for b in branches}
    if "string" in types:
        return 12
    if types & {"integer", "number"}:
        return "12"
    return "true" if "boolean" in types else "x"


def _write(client, ids, method, path, body):
    name = next((name for prefix, name in OBJECT.items() if path.startswith(prefix)), None)
    url = re.sub(r"\{[^}]+\}", str(ids.get(name)), path)
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(
    ("method", "path", "body_schema"), WRITES, ids=[f"{m.upper()} {p}" for m, p, _ in WRITES]
)
def test_every_write_refuses_fields_it_does_not_take_and_values_of_another_type(
    client, world, method, path, body_schema
):
    personas, ids = world
    client.force_login(personas.alice)
    assert "{" not in path or any(path.startswith(prefix) for prefix in OBJECT), path
    refusal = _refusal(_write(client, ids, method, path, {"undeclared": 1}))
    assert refusal["extra"]["unknown"] == ["undeclared"]
    properties = _resolve(body_schema)["properties"]
    assert properties, path
    for name, node in properties.items():
        if _resolve(node).get("readOnly"):
            refusal = _refusal(_write(client, ids, method, path, {name: None}))
            assert refusal["extra"]["read_only"] == [name], (path, name)
        else:
            wrong = _another_type(node)
            refusal = _refusal(_write(client, ids, method, path, {name: wrong}))
            assert list(refusal["extra"]["fields"]) == [name], (path, name, wrong)


def test_a_multipart_body_without_a_boundary_is_a_400_as_json(client, personas):
    # Found by the team fuzz when bodies were first checked: reading the form in
    # the guard raised before the parser could answer, and Django answered in HTML.
    refusal = _refusal(
        _patch_resource(client, personas, "title=x", content_type="multipart/form-data")
    )
    assert "boundary" in refusal["message"].lower(), refusal


@pytest.mark.parametrize(
    "body", [{"title": "a\u0000b"}, {"eligible_neighbourhoods": ["E01\u0000"]}, {"a\u0000": 1}]
)
def test_a_nul_character_escaped_in_a_json_body_is_a_400_not_a_500(client, personas, body):
    # Found by the team fuzz on PostgreSQL: "\u0000" in JSON passed the raw-byte
    # check and reached a query, which PostgreSQL refused (a 500).
    refusal = _refusal(_patch_resource(client, personas, body))
    assert "NUL" in refusal["message"]
