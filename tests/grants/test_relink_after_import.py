"""After an import of groups, only the organisations with the imported
groups' charity or company numbers (or linked to them) are read and
relinked: a fixed few statements, whatever else is known."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from config.models import OutboxMessage
from grants.models import KnownOrganisation
from grants.services.organisations import known_organisations_link
from partners.models import CommunityGroup
from partners.services.imports import import_job_run, import_job_start
from tests import factories as f

LINK_TASK = "grants.link_known_organisations"

pytestmark = pytest.mark.django_db


def _recipient(identifier: str, *, charity: str = "", company: str = "") -> KnownOrganisation:
    return KnownOrganisation.objects.create(
        identifier=identifier, name=identifier, charity_number=charity, company_number=company
    )


def _import(capture, rows: str) -> None:  # type: ignore[no-untyped-def]
    data = ("name,postcode,charity_number,company_number,external_id\n" + rows).encode()
    job = import_job_start(kind="csv", data=data, enqueue=False)
    with capture(execute=True):
        assert import_job_run(job_id=job.pk).status == "succeeded"


def _bystanders(start: int, count: int) -> None:
    """Organisations and older groups with numbers the import does not touch."""
    for n in range(start, start + count):
        _recipient(f"GB-CHC-{n}", charity=str(n))
    old = timezone.now() - timedelta(days=30)
    for n in range(start, start + count // 4):
        f.CommunityGroupFactory(charity_number=str(n))
    CommunityGroup.objects.exclude(external_id__startswith="H-").update(updated_at=old)


def _link_counting(since):  # type: ignore[no-untyped-def]
    built: list[KnownOrganisation] = []

    def count(sender, instance, **kwargs):  # type: ignore[no-untyped-def]
        built.append(instance)

    post_init.connect(count, sender=KnownOrganisation)
    try:
        with CaptureQueriesContext(connection) as captured:
            known_organisations_link(changed_since=since)
    finally:
        post_init.disconnect(count, sender=KnownOrganisation)
    return len(captured.captured_queries), {org.identifier for org in built}


def test_the_job_asks_to_relink_the_groups_it_wrote_and_they_are_linked(
    django_capture_on_commit_callbacks,
):
    cache.clear()
    f.registration_place()
    home = _recipient("GB-CHC-1133341", charity="1133341")
    firm = _recipient("GB-COH-04270053", company="04270053")
    _bystanders(2000, 8)

    _import(
        django_capture_on_commit_callbacks,
        "Home-Start Salford,M5 4WT,1133 341,,H-1\nSalford Works,M5 4WT,,4270053,H-2\n",
    )

    message = OutboxMessage.objects.get(task_name=LINK_TASK)
    assert set(message.kwargs) == {"changed_since"} and message.done_at is not None
    home.refresh_from_db()
    firm.refresh_from_db()
    assert home.group == CommunityGroup.objects.get(external_id="H-1")
    assert firm.group == CommunityGroup.objects.get(external_id="H-2")
    assert not KnownOrganisation.objects.filter(group__isnull=False).exclude(
        pk__in=[home.pk, firm.pk]
    )


def test_a_reimport_with_a_new_number_moves_the_link(django_capture_on_commit_callbacks):
    cache.clear()
    f.registration_place()
    before = _recipient("GB-CHC-1133341", charity="1133341")
    after = _recipient("GB-CHC-7654321", charity="7654321")
    _import(django_capture_on_commit_callbacks, "Home-Start Salford,M5 4WT,1133341,,H-1\n")

    _import(django_capture_on_commit_callbacks, "Home-Start Salford,M5 4WT,7654321,,H-1\n")

    before.refresh_from_db()
    after.refresh_from_db()
    assert before.group is None
    assert after.group == CommunityGroup.objects.get(external_id="H-1")


def test_the_relink_reads_only_the_imported_groups_organisations_in_fixed_statements(
    django_capture_on_commit_callbacks,
):
    cache.clear()
    f.registration_place()
    _recipient("GB-CHC-1133341", charity="1133341")
    _bystanders(2000, 8)
    since = timezone.now()
    _import(django_capture_on_commit_callbacks, "Home-Start Salford,M5 4WT,1133 341,,H-1\n")
    KnownOrganisation.objects.update(group=None)  # so the link has work to do again

    few_queries, few_read = _link_counting(since)
    KnownOrganisation.objects.update(group=None)
    _bystanders(3000, 80)
    many_queries, many_read = _link_counting(since)

    assert few_read == many_read == {"GB-CHC-1133341"}
    assert few_queries == many_queries
