"""Other funders' recipients (known organisations) are linked to a group
with the same charity or company number when the group registers or is
verified, and unlinked when it is rejected or erased: partners asks through
the outbox (grants.link_known_organisations), since grants sits above it."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from config.models import OutboxMessage
from grants.models import Grant, KnownOrganisation
from partners.models import CommunityGroup, GroupKind, VerificationStatus
from partners.services.selfservice import group_erase
from tests import factories as f

LINK_TASK = "grants.link_known_organisations"


def _recipient(identifier: str, *, charity: str = "", company: str = "") -> KnownOrganisation:
    org = KnownOrganisation.objects.create(
        identifier=identifier, name=identifier, charity_number=charity, company_number=company
    )
    Grant.objects.create(identifier=f"G-{identifier}", recipient=org, amount_pence=500_000)
    return org


def test_a_group_registering_with_a_recipients_charity_number_is_linked(
    client, django_capture_on_commit_callbacks, db
):
    cache.clear()
    f.registration_place()
    home_start = _recipient("GB-CHC-1133341", charity="1133341")
    other = _recipient("GB-CHC-999", charity="999")
    answers = f.registration_answers()
    # Typed with a space, as people do; 360Giving files have none.
    answers["group"].update(kind=GroupKind.CHARITY, charity_number="1133 341")
    for step in ("group", "where", "activities", "needs", "contact"):
        assert client.post(f"/register/{step}/", answers[step]).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/register/check/", {})["Location"] == "/register/done/"

    group = CommunityGroup.objects.get()
    home_start.refresh_from_db()
    other.refresh_from_db()
    assert home_start.group == group
    assert other.group is None
    message = OutboxMessage.objects.get(task_name=LINK_TASK)
    assert message.kwargs == {"group_id": group.pk}
    assert message.done_at is not None


def test_a_group_without_numbers_asks_for_no_link(client, django_capture_on_commit_callbacks, db):
    cache.clear()
    f.registration_place()
    answers = f.registration_answers()
    for step in ("group", "where", "activities", "needs", "contact"):
        client.post(f"/register/{step}/", answers[step])
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/register/check/", {})
    assert CommunityGroup.objects.count() == 1
    assert not OutboxMessage.objects.filter(task_name=LINK_TASK).exists()


def test_a_group_that_came_by_an_import_is_linked_when_the_team_verifies_it(
    client, personas, django_capture_on_commit_callbacks
):
    # A CSV import writes groups in bulk, with no registration to ask for links.
    group = f.CommunityGroupFactory(
        name="Aspire Imported", company_number="4270053", status=VerificationStatus.PENDING
    )
    aspire = _recipient("GB-COH-04270053", company="04270053")
    assert aspire.group is None
    client.force_login(personas.alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/team/groups/{group.pk}/verify/")
    aspire.refresh_from_db()
    assert aspire.group == group


def test_a_rejected_group_is_unlinked_and_another_groups_link_is_kept(
    client, personas, django_capture_on_commit_callbacks
):
    pending = f.CommunityGroupFactory(charity_number="1117726", status=VerificationStatus.PENDING)
    keeper = f.CommunityGroupFactory(charity_number="555")
    linked = _recipient("GB-CHC-1117726", charity="1117726")
    kept = _recipient("GB-CHC-555", charity="555")
    KnownOrganisation.objects.filter(pk=linked.pk).update(group=pending)
    KnownOrganisation.objects.filter(pk=kept.pk).update(group=keeper)
    client.force_login(personas.bob)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/team/groups/{pending.pk}/reject/", {"reason": "Not a community group"})
    linked.refresh_from_db()
    kept.refresh_from_db()
    assert linked.group is None
    assert kept.group == keeper


def test_an_erased_group_is_unlinked(django_capture_on_commit_callbacks, db):
    group = f.CommunityGroupFactory(charity_number="1117726")
    org = _recipient("GB-CHC-1117726", charity="1117726")
    KnownOrganisation.objects.filter(pk=org.pk).update(group=group)
    with django_capture_on_commit_callbacks(execute=True):
        group_erase(group=group)
    org.refresh_from_db()
    assert org.group is None


@pytest.mark.parametrize("field", ["charity_number", "company_number"])
def test_a_group_changing_its_number_is_linked_to_the_new_recipient(
    client, django_capture_on_commit_callbacks, personas, field
):
    from partners.services.registration import GroupInput
    from partners.services.selfservice import group_update

    cache.clear()
    f.registration_place()  # where the group's postcode is found again
    group = personas.group_a
    old = _recipient("OLD", **{field.split("_")[0]: "11111111"})
    new = _recipient("NEW", **{field.split("_")[0]: "22222222"})
    setattr(group, field, "11111111")
    group.save()
    KnownOrganisation.objects.filter(pk=old.pk).update(group=group)
    data = GroupInput(
        name=group.name,
        description=group.description,
        kind=group.kind,
        website=group.website,
        **{field: "22222222"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        group_update(
            group=group,
            data=data,
            postcode=group.postcode,
            meets_at_home=group.meets_at_home,
            address=group.address,
            contact_name=group.contact_name,
            contact_phone=group.contact_phone,
        )
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.group is None
    assert new.group == group


def test_groups_imported_from_a_csv_file_are_linked_after_the_job(
    django_capture_on_commit_callbacks, db
):
    from partners.services.imports import import_job_run, import_job_start

    cache.clear()
    f.registration_place()
    org = _recipient("GB-CHC-1133341", charity="1133341")
    data = b"name,postcode,charity_number,external_id\nHome-Start Salford,M5 4WT,1133 341,H-1\n"
    job = import_job_start(kind="csv", data=data, enqueue=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert import_job_run(job_id=job.pk).status == "succeeded"
    org.refresh_from_db()
    assert org.group == CommunityGroup.objects.get(name="Home-Start Salford")
