"""Suite-wide fixtures and the rule for tests that need a real service.

A test marked ``postgres`` or ``redis`` skips when the service is not
configured (DATABASE_URL / CELERY_BROKER_URL), so `make test` passes on a
laptop; with REQUIRE_SERVICES=1 (CI) it fails instead of skipping.
"""

from __future__ import annotations

import logging
import os
import re

import pytest
from django.db import connections
from hypothesis import settings as hypothesis_settings

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "").strip().lower() in {"1", "true", "yes"}

# CI runs the property tests on a fixed sequence of examples: a landing must
# not depend on which examples a run happened to draw. Locally they draw new
# ones every run, which is how they find bugs; a failure prints its blob to
# reproduce it with @reproduce_failure. (Loaded here, before the test modules
# build their settings from the default.)
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
hypothesis_settings.register_profile("dev", print_blob=True)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")


def missing_service(item: pytest.Item) -> str | None:
    vendor = connections["default"].vendor
    if item.get_closest_marker("postgres") and vendor != "postgresql":
        return "needs PostgreSQL: set DATABASE_URL=postgres://..."
    if item.get_closest_marker("redis") and not os.environ.get("CELERY_BROKER_URL"):
        return "needs a Celery broker: set CELERY_BROKER_URL=redis://..."
    return None


# `make test-fast` leaves these out: a browser, a real service or a fuzzer
# costs seconds a test, and the logic they cover has fast tests of its own.
SLOW_MARKERS = ("browser", "postgres", "redis", "fuzz")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if any(item.get_closest_marker(name) for name in SLOW_MARKERS):
            item.add_marker(pytest.mark.slow)
        serialize_when_transactional(item)


def serialize_when_transactional(item: pytest.Item) -> None:
    """Every transactional test restores the database serialized after the
    migrations, or none may. A serialized test's flush skips post_migrate and
    the next one restores the content types and permissions under their
    original ids; a transactional test without it flushes with post_migrate,
    which makes them again under new ids, and the next serialized restore in
    that process then fails at setup on content type (app_label, model). That
    hit tests/e2e in one session and tests/partners' invitation race in
    another: so it is decided here, once, for the whole suite."""
    marker = item.get_closest_marker("django_db")
    fixtures = set(getattr(item, "fixturenames", ()))
    kwargs = dict(marker.kwargs) if marker else {}
    if not (kwargs.get("transaction") or {"transactional_db", "live_server"} & fixtures):
        return
    if kwargs.get("serialized_rollback"):
        return
    item.add_marker(
        pytest.mark.django_db(
            *(marker.args if marker else ()),
            **{**kwargs, "transaction": True, "serialized_rollback": True},
        ),
        append=False,  # first, so that it is the closest marker
    )


def pytest_runtest_setup(item: pytest.Item) -> None:
    reason = missing_service(item)
    if reason is None:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but this test {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def personas(db):  # type: ignore[no-untyped-def]
    """The cast of the permission tests.

    alice is on anchor A's team, bob on anchor B's; carol sits on A's board;
    dave is the contact of group_a, erin the contact of another group;
    sam works for supplier_a, a supplier of anchor A; root is an admin.
    """
    from types import SimpleNamespace

    from tests import factories as f

    anchor_a = f.AnchorFactory(slug="anchor-a", name="Salford Royal Test Trust")
    anchor_b = f.AnchorFactory(slug="anchor-b", name="Test Housing Association")
    group_a = f.CommunityGroupFactory(name="Ordsall Lunch Club")
    group_b = f.CommunityGroupFactory(name="Irwell Litter Pickers")
    supplier_a = f.SupplierFactory(anchor=anchor_a, name="Brightwater Catering Ltd")
    return SimpleNamespace(
        anchor_a=anchor_a,
        anchor_b=anchor_b,
        group_a=group_a,
        group_b=group_b,
        alice=f.member(anchor_a, "team", username="alice"),
        bob=f.member(anchor_b, "team", username="bob"),
        carol=f.member(anchor_a, "board", username="carol"),
        dave=f.contact_of(group_a, username="dave"),
        erin=f.contact_of(group_b, username="erin"),
        supplier_a=supplier_a,
        sam=f.supplier_staff(supplier_a, username="sam"),
        root=f.UserFactory(username="root", is_staff=True, is_superuser=True),
    )


# --- No personal data in logs ------------------------------------------------
# Every log record a test writes is scanned when that test ends, and the test
# that wrote it fails, by name: an e-mail address, a UK phone number, or any
# personal value the test's data holds — contacts' names, e-mails, phones and
# addresses, home postcodes, users' names — as saved by the factories, forms
# or services during the test (post_save; a queryset .update() is not seen).
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Not inside a longer token: ids and UUIDs ("00000000-0000-...") are not phones.
UK_PHONE = re.compile(r"(?<![\w-])(?:\+44\s?|0)\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}(?![\w-])")
SYSTEM_ADDRESSES = {"no-reply@backer.invalid"}
# Shorter values ("Al", "1") would match ordinary words and numbers.
MIN_PERSONAL_LENGTH = 5

_personal_values: set[str] = set()


class RecordingHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.NOTSET)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(f"{record.name}: {record.getMessage()}")
        except Exception:  # a badly formatted record is not our concern here
            self.lines.append(f"{record.name}: {record.msg!r}")


def personal_values_of(instance: object) -> set[str]:
    """The personal data a saved group or user holds (partners.models.PERSONAL_FIELDS)."""
    values = {
        str(getattr(instance, name, "") or "")
        for name in ("contact_name", "contact_email", "contact_phone", "address", "email")
    }
    if getattr(instance, "meets_at_home", False):
        postcode = str(getattr(instance, "postcode", "") or "")
        values |= {postcode, postcode.replace(" ", "")}
    full_name = getattr(instance, "get_full_name", None)
    if callable(full_name):
        values.add(full_name())
    return {v.strip() for v in values if len(v.strip()) >= MIN_PERSONAL_LENGTH}


def _remember_personal(sender: object, instance: object, **kwargs: object) -> None:
    _personal_values.update(personal_values_of(instance))


def personal_data_in(
    lines: list[str], values: set[str] | frozenset[str] = frozenset()
) -> list[str]:
    found = []
    lowered = [v.lower() for v in values]
    for line in lines:
        emails = set(EMAIL.findall(line)) - SYSTEM_ADDRESSES
        text = line.lower()
        if emails or UK_PHONE.search(line) or any(v in text for v in lowered):
            found.append(line[:300])
    return found


@pytest.fixture(autouse=True)
def no_personal_data_in_logs(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model
    from django.db.models.signals import post_save

    from partners.models import CommunityGroup

    for model in (CommunityGroup, get_user_model()):
        post_save.connect(_remember_personal, sender=model, dispatch_uid=f"log-scan-{model}")
    _personal_values.clear()
    handler = RecordingHandler()
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)
    leaks = personal_data_in(handler.lines, _personal_values)
    if leaks:
        pytest.fail(
            f"{request.node.nodeid} wrote personal data to the log:\n" + "\n".join(leaks[:20]),
            pytrace=False,
        )


# --- Reference data after a flush ---------------------------------------------
# A transactional test (transaction=True, live_server) ends by flushing every
# table, which also removes what data migrations loaded: role groups, the
# theme taxonomy, the self-assessment statements. Load them again, idempotently,
# before each such test, so test order never matters.
REFERENCE_DATA = (
    ("partners.migrations.0001_roles", "create_roles"),
    ("partners.migrations.0003_themes", "load_themes"),
    ("partners.migrations.0009_suppliers", "create_supplier_role"),
    ("assessment.migrations.0002_statements", "add_statements"),
)


def _is_transactional(request: pytest.FixtureRequest) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        return True
    return bool({"transactional_db", "live_server"} & set(request.fixturenames))


@pytest.fixture(autouse=True)
def reference_data_after_flush(request: pytest.FixtureRequest) -> None:
    if not _is_transactional(request):
        return
    import importlib

    from django.apps import apps

    request.getfixturevalue("transactional_db")
    for module, function in REFERENCE_DATA:
        getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture
def m5(db):  # type: ignore[no-untyped-def]
    """A neighbourhood with one postcode in the table, M5 4WT (the import files'
    postcode, and a postcode inside the place for a registration)."""
    from places.models import Postcode
    from tests import factories as f

    hood = f.NeighbourhoodFactory()
    Postcode.objects.create(
        postcode="M5 4WT",
        latitude=hood.point_lat,
        longitude=hood.point_lon,
        neighbourhood_code=hood.code,
    )
    return hood


# --- The live server's shared SQLite connection ----------------------------------
@pytest.fixture(scope="session")
def live_server(live_server):  # type: ignore[no-untyped-def]
    """pytest-django's live server, whose request threads leave alone the
    in-memory SQLite connection they share with the tests.

    Django's threaded server closes every connection at the end of each
    request thread. For the shared in-memory database that close does
    nothing (SQLite keeps an in-memory database open) but check that the
    connection may be shared; a thread that Chromium's keep-alive held past
    the server's stop failed that check, a PytestUnhandledThreadExceptionWarning
    on SQLite runs. Other connections (PostgreSQL's, one per thread) are
    closed as before."""
    server = live_server.thread.httpd
    shared = set(server.connections_override or ())

    def close_own() -> None:
        for conn in connections.all(initialized_only=True):
            if conn.alias not in shared:
                conn.close()

    server._close_connections = close_own
    return live_server
