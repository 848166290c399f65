"""The resources API names the supplier of a pledge (read only), and the
OpenAPI schema says so."""

from __future__ import annotations

from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator

from matching.models import Resource
from tests import factories as f


def test_a_pledge_names_its_supplier_and_the_anchors_own_none(personas, client):
    pledge = f.ResourceFactory(anchor=personas.anchor_a, supplier=personas.supplier_a)
    own = f.ResourceFactory(anchor=personas.anchor_a)
    client.force_login(personas.alice)
    rows = {r["id"]: r for r in client.get("/api/resources/").json()["results"]}
    assert rows[pledge.pk]["supplier"] == "Brightwater Catering Ltd"
    assert rows[own.pk]["supplier"] is None
    one = client.get(f"/api/resources/{pledge.pk}/").json()
    assert one["supplier"] == "Brightwater Catering Ltd"


def test_the_supplier_cannot_be_set_through_the_api(personas, client, publish):
    client.force_login(personas.alice)
    body = {
        "anchor": "anchor-a",
        "kind": "time",
        "title": "Hours",
        "capacity": 40,
        "supplier": "Brightwater Catering Ltd",
    }
    response = client.post("/api/resources/", body, content_type="application/json")
    # A read-only field in a write is refused, naming it (config/apibody.py).
    assert response.status_code == 400, response.json()
    assert "supplier" in response.json()["message"]
    assert not Resource.objects.exists()
    del body["supplier"]
    response = client.post("/api/resources/", body, content_type="application/json")
    assert response.status_code == 201, response.json()
    assert Resource.objects.get().supplier is None
    assert response.json()["supplier"] is None


def test_the_schema_documents_the_supplier_read_only_and_nullable(tmp_path, db):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    field = schema["components"]["schemas"]["Resource"]["properties"]["supplier"]
    assert field["readOnly"] is True
    assert field["nullable"] is True
    assert "supplier" in field["description"]
    call_command("spectacular", "--validate", f"--file={tmp_path / 'schema.yml'}")
