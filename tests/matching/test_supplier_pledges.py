"""A supplier pledges through its anchor: sam (supplier_a, of anchor A)
registers a pledge with the team's resource form; the engine matches it with
the anchor's own; A's team approves it in its queue ("pledged by"); the group
is offered backing from "<Anchor> with <Supplier>"; sam sees the group's
contact details only once the group has accepted."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied

from matching.models import Match, MatchRun, Resource, RunStatus
from matching.services.runs import match_run_claim, match_run_execute
from matching.services.supplier_resources import supplier_resource_update
from tests import factories as f

pytestmark = pytest.mark.django_db

BACKER = "Salford Royal Test Trust with Brightwater Catering Ltd"


def _pledge(client, personas, **overrides):  # type: ignore[no-untyped-def]
    site = f.SiteFactory(anchor=personas.anchor_a, name="Salford Royal")
    form = {
        "title": "Brightwater volunteering fund",
        "kind": "seed_funding",
        "capacity": "2000",
        "radius_site": site.pk,
        "radius_m": "50000",
        "active": "on",
        **overrides,
    }
    client.force_login(personas.sam)
    return client.post("/supplier/resources/new/", form)


def _run(anchor) -> MatchRun:  # type: ignore[no-untyped-def]
    # The run the pledge asked for (queued, its publishing replaced by `publish`).
    run = MatchRun.objects.get(anchor=anchor, status=RunStatus.QUEUED)
    assert match_run_claim(run_id=run.pk)
    return match_run_execute(run_id=run.pk)


def test_a_pledge_is_the_anchors_resource_delivered_by_the_supplier(client, personas, publish):
    response = _pledge(client, personas)
    assert response["Location"] == "/supplier/"
    pledge = Resource.objects.get()
    assert (pledge.anchor, pledge.supplier) == (personas.anchor_a, personas.supplier_a)
    assert pledge.capacity == 200_000  # pence
    home = client.get("/supplier/").content.decode()
    assert "Brightwater volunteering fund" in home and "£2,000" in home
    # A's team sees it among its resources, with who pledged it.
    client.force_login(personas.alice)
    listing = client.get("/team/matching/resources/").content.decode()
    assert "Brightwater volunteering fund" in listing
    assert "Pledged by Brightwater Catering Ltd" in listing


def test_the_pledge_form_shows_every_error_and_keeps_what_was_typed(client, personas):
    response = _pledge(client, personas, capacity="", min_award="600", max_award="500")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary"' in html
    assert 'href="#id_capacity"' in html and 'href="#id_max_award"' in html
    assert 'value="Brightwater volunteering fund"' in html
    assert "Pledged by Brightwater Catering Ltd through Salford Royal Test Trust" in html
    assert not Resource.objects.exists()


def test_a_supplier_lists_only_its_own_pledges(client, personas):
    f.ResourceFactory(anchor=personas.anchor_a, title="Anchor's own pot")
    other = f.SupplierFactory(anchor=personas.anchor_a, name="Quenby Facilities Ltd")
    f.ResourceFactory(anchor=personas.anchor_a, supplier=other, title="Quenby pledge")
    f.ResourceFactory(anchor=personas.anchor_a, supplier=personas.supplier_a, title="Our pledge")
    client.force_login(personas.sam)
    home = client.get("/supplier/").content.decode()
    assert "Our pledge" in home
    assert "Quenby" not in home and "Anchor's own pot" not in home


def test_a_supplier_changes_only_its_own_pledges(personas):
    other = f.SupplierFactory(anchor=personas.anchor_a, name="Quenby Facilities Ltd")
    theirs = f.ResourceFactory(anchor=personas.anchor_a, supplier=other)
    anchors = f.ResourceFactory(anchor=personas.anchor_a)
    for resource in (theirs, anchors):
        with pytest.raises(PermissionDenied):
            supplier_resource_update(resource=resource, by=personas.sam, title="Mine now")
    with pytest.raises(PermissionDenied):  # the anchor's team edits through its own pages
        supplier_resource_update(
            resource=f.ResourceFactory(anchor=personas.anchor_a, supplier=personas.supplier_a),
            by=personas.alice,
            title="x",
        )


def test_pledge_matched_approved_offered_accepted_then_contacts(
    client, personas, publish, mailoutbox, django_capture_on_commit_callbacks
):
    _pledge(client, personas)
    pledge = Resource.objects.get()
    group = personas.group_a
    activity = f.ActivityFactory(group=group, title="Lunch club", themes=["food"])
    f.NeedFactory(activity=activity, amount=15_000)

    # The engine matches the pledge like any of the anchor's resources.
    run = _run(personas.anchor_a)
    assert run.status == RunStatus.SUCCEEDED, run.error
    match = Match.objects.get(resource=pledge)

    # Not offered yet: the supplier does not see the proposal at all.
    assert client.get(f"/supplier/matches/{match.pk}/").status_code == 404
    assert group.name not in client.get("/supplier/").content.decode()

    # A's team sees who pledged it, and approves it from the queue.
    client.force_login(personas.alice)
    queue = client.get("/team/matching/").content.decode()
    assert "pledged by Brightwater Catering Ltd" in queue
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/team/matching/matches/{match.pk}/approve/")
    (offer,) = mailoutbox
    assert BACKER in offer.subject and BACKER in offer.body
    link = re.search(r"https?://\S+(/group/offers/)", offer.body).group(1)

    # Offered, not accepted: the supplier sees the match, not the contacts.
    client.force_login(personas.sam)
    page = client.get(f"/supplier/matches/{match.pk}/").content.decode()
    assert "once the group accepts" in page
    for secret in (group.contact_name, group.contact_email, group.contact_phone):
        assert secret not in page

    # The group follows the e-mail's link, sees who backs it, and accepts.
    client.force_login(personas.dave)
    offers = client.get(link).content.decode()
    assert f"{BACKER}: Brightwater volunteering fund" in offers
    client.post(f"/group/offers/{match.pk}/accept/")

    client.force_login(personas.sam)
    page = client.get(f"/supplier/matches/{match.pk}/").content.decode()
    assert group.contact_name in page and group.contact_email in page
    assert group.name in client.get("/supplier/").content.decode()
