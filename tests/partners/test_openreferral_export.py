"""Open Referral UK 3.0 export: the spec's bodies, field names and required fields.

Every response is validated against the ORUK 3.0 JSON schemas copied into
partners/schemas/openreferral-uk/. Those schemas allow extra properties, so
the tests also check that every field we send is one the schema names.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from partners.openreferral.ids import oruk_id
from tests import factories as f

SCHEMAS = Path(__file__).resolve().parents[2] / "partners" / "schemas" / "openreferral-uk"
BASE = "https://oruk.invalid/schema/"
PAGE_FIELDS = {
    "total_items",
    "total_pages",
    "page_number",
    "size",
    "first_page",
    "last_page",
    "empty",
    "contents",
}


@cache
def _registry() -> tuple[Registry, dict[str, dict[str, Any]]]:
    schemas = {}
    for path in SCHEMAS.rglob("*.json"):
        name = path.relative_to(SCHEMAS).as_posix()
        if name == "openapi.json":
            continue
        schemas[name] = {**json.loads(path.read_text()), "$id": BASE + name}
    registry = Registry().with_resources(
        (BASE + name, Resource.from_contents(schema, default_specification=DRAFT202012))
        for name, schema in schemas.items()
    )
    return registry, schemas


def _resolve(schema: dict[str, Any], schemas: dict[str, dict[str, Any]], base: str) -> dict:
    ref = schema.get("$ref")
    if ref:
        return schemas[(Path(base).parent / ref).as_posix().lstrip("./")]
    return schema


def assert_names(data: Any, schema: dict[str, Any], schemas: dict, base: str, where: str) -> None:
    """Every key in ``data`` is a property of ``schema``, recursively."""
    schema = _resolve(schema, schemas, base)
    if isinstance(data, dict):
        properties = schema.get("properties", {})
        unknown = set(data) - set(properties)
        assert not unknown, f"{where}: not ORUK field names: {sorted(unknown)}"
        for key, value in data.items():
            assert_names(value, properties[key], schemas, base, f"{where}.{key}")
    elif isinstance(data, list):
        for i, item in enumerate(data):
            assert_names(item, schema.get("items", {}), schemas, base, f"{where}[{i}]")


def assert_oruk(data: Any, schema_name: str) -> None:
    registry, schemas = _registry()
    schema = schemas[schema_name]
    validator = Draft202012Validator(schema, registry=registry, format_checker=FormatChecker())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    assert_names(data, schema, schemas, schema_name, schema_name)


def assert_page(body: dict[str, Any], item_schema: str) -> None:
    assert set(body) == PAGE_FIELDS
    assert isinstance(body["total_items"], int)
    for item in body["contents"]:
        assert_oruk(item, item_schema)


@pytest.fixture
def directory(db):  # type: ignore[no-untyped-def]
    """One public group with two activities, one public group meeting at home,
    and groups the export must leave out (pending, not consenting)."""
    hood = f.NeighbourhoodFactory(name="Ordsall 001A", code="E01005599")
    hall = f.CommunityGroupFactory(
        name="Ordsall Lunch Club",
        neighbourhood=hood,
        latitude=53.4712345678,
        longitude=-2.2812345678,
        charity_number="1234567",
        public_email="hello@ordsall-lunch.example.org",
        website="https://ordsall-lunch.example.org",
        contact_name="Pat Private",
        contact_email="pat.private@example.org",
        contact_phone="0161 496 0123",
        address="St Clement's Hall, Ordsall Lane",
    )
    f.ActivityFactory(
        group=hall, title="Tuesday lunch", themes=["loneliness-and-isolation", "food"]
    )
    f.ActivityFactory(group=hall, title="Chair yoga", frequency="fortnightly", themes=[])
    home = f.CommunityGroupFactory(
        name="Weaste Knitters", neighbourhood=hood, meets_at_home=True, postcode="M5 5AA"
    )
    f.ActivityFactory(group=home, title="Knit and natter", where="12 Home Street")
    pending = f.CommunityGroupFactory(name="Pending Group", status="pending")
    f.ActivityFactory(group=pending)
    private = f.CommunityGroupFactory(name="Shy Group", consent_public=False)
    f.ActivityFactory(group=private)
    return {"hall": hall, "home": home, "hood": hood}


def _service_id(group, title):  # type: ignore[no-untyped-def]
    return oruk_id("service", group.activities.get(title=title).pk)


def test_the_root_describes_the_api(client, db):
    body = client.get("/openreferral/").json()

    assert body["version"] == "3.0"
    assert body["openapi_url"].endswith("/openreferral/openapi.json")
    assert client.get("/openreferral/openapi.json").json()["info"]["version"] == "3.0"


def test_services_are_a_page_of_valid_oruk_services(client, directory):
    body = client.get("/openreferral/services").json()

    assert_page(body, "compiled/service_list.json")
    assert body["total_items"] == 3
    assert body["page_number"] == 1
    assert body["first_page"] is body["last_page"] is True
    assert body["empty"] is False


def test_only_verified_consenting_groups_are_exported(client, directory):
    services = client.get("/openreferral/services").json()["contents"]
    organizations = client.get("/openreferral/organizations").json()["contents"]

    assert sorted(s["name"] for s in services) == ["Chair yoga", "Knit and natter", "Tuesday lunch"]
    assert sorted(o["name"] for o in organizations) == ["Ordsall Lunch Club", "Weaste Knitters"]


def test_a_service_in_full_is_valid_and_carries_its_themes(client, directory):
    service_id = _service_id(directory["hall"], "Tuesday lunch")

    body = client.get(f"/openreferral/services/{service_id}").json()

    assert_oruk(body, "compiled/service.json")
    assert body["id"] == service_id
    assert body["status"] == "active"
    assert body["organization_id"] == oruk_id("organization", directory["hall"].pk)
    terms = [a["taxonomy_term"] for a in body["attributes"]]
    assert [t["term_uri"] for t in terms] == [
        "urn:backer:theme:loneliness-and-isolation",
        "urn:backer:theme:food",
    ]
    assert {t["taxonomy"] for t in terms} == {"backer-themes"}
    assert body["organization"]["organization_identifiers"][0]["identifier"] == "1234567"
    location = body["service_at_locations"][0]["location"]
    assert (location["latitude"], location["longitude"]) == (53.47123, -2.28123)
    assert body["schedules"][0]["freq"] == "WEEKLY"


def test_ids_are_stable_uuids(client, directory):
    first = client.get("/openreferral/services").json()["contents"]
    again = client.get("/openreferral/services").json()["contents"]

    assert [s["id"] for s in first] == [s["id"] for s in again]


def test_a_group_meeting_at_home_has_no_location_only_its_neighbourhood(client, directory):
    service_id = _service_id(directory["home"], "Knit and natter")

    body = client.get(f"/openreferral/services/{service_id}").json()

    assert_oruk(body, "compiled/service.json")
    assert body["service_at_locations"] == []
    assert [a["name"] for a in body["service_areas"]] == ["Ordsall 001A"]
    text = json.dumps(body)
    assert "M5 5AA" not in text
    assert "12 Home Street" not in text
    assert str(round(directory["home"].latitude, 3)) not in text


def test_no_personal_data_is_ever_exported(client, directory):
    hall = directory["hall"]
    bodies = [
        client.get("/openreferral/services").content,
        client.get("/openreferral/organizations").content,
        client.get(f"/openreferral/services/{_service_id(hall, 'Tuesday lunch')}").content,
        client.get(f"/openreferral/organizations/{oruk_id('organization', hall.pk)}").content,
    ]

    for body in bodies:
        text = body.decode()
        for secret in ("Pat Private", "pat.private@", "0161 496 0123", "St Clement's Hall"):
            assert secret not in text


def test_organizations_are_a_page_of_valid_oruk_organizations(client, directory):
    body = client.get("/openreferral/organizations").json()

    assert_page(body, "compiled/organization_list.json")
    assert body["total_items"] == 2


def test_an_organization_in_full_lists_its_services(client, directory):
    org_id = oruk_id("organization", directory["hall"].pk)

    body = client.get(f"/openreferral/organizations/{org_id}").json()

    assert_oruk(body, "compiled/organization.json")
    assert sorted(s["name"] for s in body["services"]) == ["Chair yoga", "Tuesday lunch"]


def test_taxonomies_and_terms_are_valid_oruk(client, db):
    taxonomies = client.get("/openreferral/taxonomies").json()
    terms = client.get("/openreferral/taxonomy_terms?per_page=100").json()

    assert_page(taxonomies, "taxonomy.json")
    assert_page(terms, "taxonomy_term.json")
    assert taxonomies["contents"][0]["name"] == "backer-themes"
    assert terms["total_items"] == terms["size"] >= 20
    taxonomy = client.get(f"/openreferral/taxonomies/{taxonomies['contents'][0]['id']}").json()
    assert_oruk(taxonomy, "taxonomy.json")
    term = client.get(f"/openreferral/taxonomy_terms/{terms['contents'][0]['id']}").json()
    assert_oruk(term, "taxonomy_term.json")


def test_paging_follows_page_and_per_page(client, directory):
    second = client.get("/openreferral/services?per_page=2&page=2").json()

    assert second["total_items"] == 3
    assert second["total_pages"] == 2
    assert second["page_number"] == 2
    assert second["size"] == 1
    assert second["first_page"] is False
    assert second["last_page"] is True


def test_a_page_past_the_end_is_empty_not_an_error(client, directory):
    body = client.get("/openreferral/services?page=9").json()

    assert body["empty"] is True
    assert body["contents"] == []


@pytest.mark.parametrize("query", ["page=0", "page=abc", "per_page=-1", "per_page=100000"])
def test_bad_paging_is_a_400_with_a_reason(client, db, query):
    response = client.get(f"/openreferral/services?{query}")

    assert response.status_code == 400
    assert set(response.json()) == {"message", "extra"}


@pytest.mark.parametrize(
    "path",
    [
        "services/not-a-uuid",
        "services/ac148810-d857-441c-9679-408f346de14b",
        "organizations/ac148810-d857-441c-9679-408f346de14b",
        "taxonomies/x",
        "taxonomy_terms/x",
    ],
)
def test_unknown_ids_are_a_404_with_a_reason(client, directory, path):
    response = client.get(f"/openreferral/{path}")

    assert response.status_code == 404
    assert "message" in response.json()


def test_a_pending_groups_service_is_not_found_by_id(client, directory):
    pending = directory["hall"].__class__.objects.get(name="Pending Group")
    service_id = oruk_id("service", pending.activities.get().pk)

    assert client.get(f"/openreferral/services/{service_id}").status_code == 404


def test_services_can_be_searched_and_filtered(client, directory):
    food = oruk_id("taxonomy_term", "food")
    org = oruk_id("organization", directory["home"].pk)

    by_text = client.get("/openreferral/services?search=yoga").json()["contents"]
    by_term = client.get(f"/openreferral/services?taxonomy_term_id={food}").json()["contents"]
    by_org = client.get(f"/openreferral/services?organization_id={org}").json()["contents"]

    assert [s["name"] for s in by_text] == ["Chair yoga"]
    assert [s["name"] for s in by_term] == ["Tuesday lunch"]
    assert [s["name"] for s in by_org] == ["Knit and natter"]


def test_the_service_list_does_not_query_per_service(
    client, directory, django_assert_max_num_queries
):
    for _ in range(5):
        f.ActivityFactory(group=directory["hall"])

    with django_assert_max_num_queries(6):
        client.get("/openreferral/services?per_page=100")


def test_the_schema_check_catches_a_missing_required_field():
    service = {"id": "ac148810-d857-441c-9679-408f346de14b", "name": "Lunch"}

    with pytest.raises(AssertionError, match="status"):
        assert_oruk(service, "compiled/service_list.json")


def test_the_schema_check_catches_a_field_name_oruk_does_not_have():
    service = {"id": "ac148810-d857-441c-9679-408f346de14b", "name": "Lunch", "status": "active"}

    with pytest.raises(AssertionError, match="not ORUK field names"):
        assert_oruk({**service, "postcode": "M5 4WT"}, "compiled/service_list.json")
