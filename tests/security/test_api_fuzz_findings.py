"""What the API fuzz found, one test each, so the fixes stay fixed without
waiting for Hypothesis to find the same input again."""

from __future__ import annotations

import jsonschema
import pytest
from django.core.management import call_command

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
