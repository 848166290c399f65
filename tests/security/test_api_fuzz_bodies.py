"""schemathesis, with the bodies its generators never make: for every operation
of /api/schema/ that takes a JSON body, one nested hundreds of levels deep and
one of 10 MB. Each answers 400 or 413 as JSON, never a 500 or an HTML page.

(test_api_fuzz.py fuzzes every operation with bodies drawn from the schema;
those stay small and shallow.)
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.security.test_api_fuzz import (  # noqa: F401 (fixtures, used by name)
    REAL,
    _as_alice,
    keep_the_test_connection_open,
    schema,
)
from tests.security.test_api_fuzz import real_ids as real_ids

WRITES = sorted(
    (
        operation
        for result in schema.get_all_operations()
        if (operation := result.ok()) is not None
        and operation.method.upper() in {"POST", "PUT", "PATCH"}
        and any("json" in body.media_type for body in operation.body)
    ),
    key=lambda operation: operation.label,
)
# Python's json encoder (schemathesis serialises the body) stops near 1,000
# levels; 500 is far beyond any Backer input. Deeper still, up to Python's
# RecursionError, is tested in tests/config/test_api_error_bodies.py.
DEEP: Any = {"a": 1}
for _ in range(500):
    DEEP = [DEEP]
HUGE = {"name": "x" * (10 * 1024 * 1024)}


@pytest.fixture
def localhost(settings):  # type: ignore[no-untyped-def]
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]


def _call(operation: Any, body: Any, client: Any, personas: Any) -> Any:
    """Call as anchor A's team member, on a real object of theirs where there is one."""
    auth = _as_alice(client, personas)
    real = REAL.get(operation.path) or [1]
    case = operation.Case(
        path_parameters={p.name: real[0] for p in operation.path_parameters},
        body=body,
        media_type="application/json",
        cookies=auth["cookies"],
        headers=auth["headers"],
    )
    # schemathesis's WSGI transport sets cookies for the domain "localhost" only.
    return case.call(base_url="http://localhost")


def _assert_json_error(response: Any, statuses: set[int]) -> dict[str, Any]:
    assert response.status_code in statuses, (response.status_code, response.content[:200])
    content_type = {k.lower(): v for k, v in response.headers.items()}["content-type"]
    assert "application/json" in str(content_type), content_type
    body = json.loads(response.content)
    assert set(body) == {"message", "extra"}
    return body


def test_there_are_writes_to_fuzz():
    assert len(WRITES) >= 5, [o.label for o in WRITES]


@pytest.mark.django_db
@pytest.mark.parametrize("operation", WRITES, ids=lambda o: o.label)
def test_a_deeply_nested_body_is_refused_as_json(operation, client, real_ids, localhost):
    response = _call(operation, DEEP, client, real_ids)
    body = _assert_json_error(response, {400})
    assert "nested too deeply" in body["message"], body


@pytest.mark.django_db
@pytest.mark.parametrize("operation", WRITES, ids=lambda o: o.label)
def test_a_10_mb_body_is_refused_as_json(operation, client, real_ids, localhost):
    response = _call(operation, HUGE, client, real_ids)
    _assert_json_error(response, {413})
