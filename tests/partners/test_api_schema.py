"""The OpenAPI schema: generates without warnings, declares every query
parameter the partners endpoints read, documents 400/403/404, and the
documentation pages come from our own static files."""

from __future__ import annotations

import pytest
import yaml
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator

from partners.apis.common import ApiPagination
from partners.apis.filters import ActivityFilter, GroupFilter, NeedFilter, SiteFilter

LISTS = {
    "/api/groups/": GroupFilter,
    "/api/activities/": ActivityFilter,
    "/api/needs/": NeedFilter,
    "/api/sites/": SiteFilter,
    "/api/themes/": None,
    "/api/anchors/": None,
}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_the_partners_schema_validates_without_warnings(tmp_path, db):
    # Only our endpoints: other apps' warnings are their owners' to fix.
    out = tmp_path / "schema.yml"
    call_command(
        "spectacular",
        "--urlconf=partners.api_urls_core",
        "--validate",
        "--fail-on-warn",
        f"--file={out}",
    )
    assert "/groups/" in yaml.safe_load(out.read_text())["paths"]


@pytest.mark.parametrize("path", sorted(LISTS))
def test_every_query_parameter_read_is_declared(schema, path):
    declared = {p["name"] for p in schema["paths"][path]["get"].get("parameters", [])}
    filterset = LISTS[path]
    read = set(filterset.base_filters) if filterset else set()
    read |= {"page", ApiPagination.page_size_query_param}
    assert read <= declared, read - declared


def test_every_operation_documents_400_403_and_404(schema):
    partners_paths = [
        p
        for p in schema["paths"]
        if p.startswith(
            (
                "/api/groups",
                "/api/activities",
                "/api/needs",
                "/api/themes",
                "/api/anchors",
                "/api/sites",
            )
        )
    ]
    assert len(partners_paths) == 14
    for path in partners_paths:
        for method, operation in schema["paths"][path].items():
            codes = set(operation["responses"])
            assert {"400", "403", "404"} <= codes, (method, path, codes)
            error = operation["responses"]["403"]["content"]["application/json"]["schema"]
            assert error == {"$ref": "#/components/schemas/Error"}


def test_the_group_schema_offers_both_shapes(schema):
    group = schema["components"]["schemas"]["Group"]
    assert {s["$ref"] for s in group["oneOf"]} == {
        "#/components/schemas/PublicGroup",
        "#/components/schemas/TeamGroup",
    }
    public = schema["components"]["schemas"]["PublicGroup"]["properties"]
    assert not {"contact_name", "contact_email", "contact_phone", "address"} & set(public)


def test_the_schema_and_docs_are_served(client, db):
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs.content
    # No inline script: the strict Content-Security-Policy stays in force.
    assert b"<script>" not in docs.content
    assert b"<script src=" in docs.content
