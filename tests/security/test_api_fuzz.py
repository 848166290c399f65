"""schemathesis over every operation of /api/schema/: no server errors, and
every response (status, content type, body) is what the schema says.

Each operation runs twice, as anchor A's team (alice, by session cookie, with
a CSRF token so writes get past CSRF) and as an anonymous caller. Path
parameters are sometimes swapped for the ids of real objects, so the fuzz
reaches detail views and the review workflow instead of 404 after 404.

CI=true: 100 cases per operation as the team member (25 anonymously); locally
25 (and 10), to keep `make test` quick.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from django.test.utils import override_settings
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    positive_data_acceptance,
)

pytestmark = pytest.mark.fuzz

CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
MAX_EXAMPLES = 100 if CI else 25
# schemathesis's WSGI transport sets the session cookie for the domain "localhost"
# only: against "testserver" the cookie was never sent, and the "team member"
# pass ran anonymously. `localhost_allowed` opens ALLOWED_HOSTS to it.
HOST = "localhost"

application = get_wsgi_application()
# Collection runs before pytest-django opens ALLOWED_HOSTS to "testserver".
with override_settings(ALLOWED_HOSTS=["localhost"]):
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)

# Real values for path parameters, by the operation's path; filled by `real_ids`.
REAL: dict[str, list[Any]] = {}


@schema.hook("flatmap_path_parameters")
def _sometimes_real(context: Any, path_parameters: dict[str, Any]) -> Any:
    real = REAL.get(context.operation.path) if context.operation else None
    if not real or not path_parameters:
        return st.just(path_parameters)
    (name,) = path_parameters  # every operation here has one path parameter
    return st.one_of(st.just(path_parameters), st.sampled_from([{name: v} for v in real]))


@pytest.fixture
def real_ids(world):
    """The security tests' world (conftest.py), offered to the fuzz as path
    parameters: every match state, so each review action finds one it fits."""
    personas, ids = world
    groups = [ids["group_a"], ids["pending"]]
    matches = [ids[name] for name in ("match_a", "approved_a", "accepted_a", "active_a")]
    REAL.clear()
    REAL.update(
        {
            "/api/groups/{group_id}/": groups,
            "/api/groups/{group_id}/verify/": groups,
            "/api/groups/{group_id}/reject/": groups,
            "/api/activities/{id}/": [ids["activity_a"]],
            "/api/needs/{id}/": [ids["need_a"]],
            "/api/anchors/{id}/": [personas.anchor_a.pk, personas.anchor_b.pk],
            "/api/sites/{site_id}/": [ids["site_a"]],
            "/api/themes/{slug}/": ["food", "loneliness-and-isolation"],
            "/api/neighbourhoods/{code}/": [ids["hood"]],
            "/api/postcodes/{postcode}/": ["M5 4WT", "m54wt"],
            "/api/resources/{id}/": [ids["resource_a"], ids["spare_resource_a"]],
            "/api/match-runs/{id}/": [ids["run_a"]],
        }
    )
    for action in ("", "approve/", "decline/", "defer/", "start/", "complete/", "withdraw/"):
        REAL[f"/api/matches/{{id}}/{action}"] = matches
    yield personas
    REAL.clear()


def _as_alice(client, personas) -> dict[str, Any]:
    client.force_login(personas.alice)
    csrf = _get_new_csrf_string()
    return {
        "cookies": {
            settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value,
            settings.CSRF_COOKIE_NAME: csrf,
        },
        "headers": {"X-CSRFToken": csrf},
    }


def content_type_conformance_once_routed(ctx: Any, response: Any, case: Any) -> bool | None:
    """Content types as documented, for every path Django routes to a view.

    A path parameter the URL pattern refuses ("0.5" for an <int:...>) never
    reaches our code: Django answers with its own 404 page.
    """
    try:
        resolve(case.formatted_path)
    except Resolver404:
        return None
    return content_type_conformance(ctx, response, case)


def invalid_bodies_rejected(ctx: Any, response: Any, case: Any) -> bool | None:
    """A body that breaks the schema is refused (4xx), never half-saved.

    Only bodies: DRF and django-filter read an empty or unparsable optional
    query value ("?kind=", "?page_size=x") as not given, by design; the fuzz
    still holds those answers to no 5xx and to the documented shapes.
    """
    if case.meta is None or not case.meta.is_negative_at(ParameterLocation.BODY):
        return None
    return negative_data_rejection(ctx, response, case)


CHECKS = {
    # positive_data_acceptance is left out: a business rule refuses valid-looking
    # input with a documented 400 ("only a pending group can be verified").
    "excluded_checks": [
        content_type_conformance,
        positive_data_acceptance,
        negative_data_rejection,
    ],
    "additional_checks": [content_type_conformance_once_routed, invalid_bodies_rejected],
}

SETTINGS = {
    "deadline": None,
    "derandomize": True,
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
}


@pytest.fixture(autouse=True)
def localhost_allowed(settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, HOST]


@pytest.fixture(autouse=True)
def keep_the_test_connection_open():
    """Django's WSGI handler closes the database connection after every
    request (request_finished -> close_old_connections). On PostgreSQL that
    would end the test's transaction mid-test; Django's own test client
    disconnects the same signals for the same reason."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# At least 100 cases per operation in CI, as a team member, who reaches the
# most code; the anonymous pass mostly meets the permission check, so fewer.
AS_TEAM = hypothesis_settings(max_examples=MAX_EXAMPLES, **SETTINGS)
AS_ANONYMOUS = hypothesis_settings(max_examples=max(10, MAX_EXAMPLES // 4), **SETTINGS)


@pytest.mark.django_db
@schema.parametrize()
@AS_TEAM
def test_the_api_answers_an_anchor_team_member_as_its_schema_says(case, client, real_ids):
    auth = _as_alice(client, real_ids)
    # ignored_auth replays the call "without credentials", but the session cookie
    # stays in the transport's cookie jar, so it sees a 200; the anonymous pass
    # below is the test of what an unauthenticated caller gets.
    checks = {**CHECKS, "excluded_checks": [*CHECKS["excluded_checks"], ignored_auth]}
    case.call_and_validate(base_url=f"http://{HOST}", **checks, **auth)


@pytest.mark.django_db
@schema.parametrize()
@AS_ANONYMOUS
def test_the_api_answers_an_anonymous_caller_as_its_schema_says(case, real_ids):
    case.call_and_validate(base_url=f"http://{HOST}", **CHECKS)
