"""The board sees, per supplier, what it pledged (its resources' capacity)
against what it delivered (its completed matches' amounts), for its own
anchors only, and nothing personal."""

from __future__ import annotations

import pytest

from board.scope import BoardScope
from board.suppliers import supplier_pledges
from matching.models import MatchStatus
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def pledges(personas):  # type: ignore[no-untyped-def]
    """supplier_a pledged £1,000 and 40 hours; £150 + £200 were delivered
    (completed), £300 is under way (active, not delivered yet). Anchor B's
    supplier pledged £5,000."""
    money = f.ResourceFactory(
        anchor=personas.anchor_a, supplier=personas.supplier_a, capacity=100_000
    )
    f.ResourceFactory(
        anchor=personas.anchor_a, supplier=personas.supplier_a, kind="time", capacity=40
    )
    for amount, status in ((15_000, "completed"), (20_000, "completed"), (30_000, "active")):
        f.MatchFactory(resource=money, amount=amount, status=status)
    f.ResourceFactory(anchor=personas.anchor_a, capacity=900_000)  # the anchor's own: no row
    supplier_b = f.SupplierFactory(anchor=personas.anchor_b, name="Kestrel Logistics Ltd")
    f.ResourceFactory(anchor=personas.anchor_b, supplier=supplier_b, capacity=500_000)
    return personas


def test_pledged_against_delivered_per_supplier_and_kind(pledges):
    rows = supplier_pledges(scope=BoardScope(anchor_ids=(pledges.anchor_a.pk,)))
    got = {(r.supplier, r.kind): (r.pledged, r.delivered) for r in rows}
    assert got == {
        ("Brightwater Catering Ltd", "seed_funding"): (100_000, 35_000),
        ("Brightwater Catering Ltd", "time"): (40, 0),
    }
    money = next(r for r in rows if r.kind == "seed_funding")
    assert money.delivered_share == pytest.approx(0.35)


def test_the_dashboard_and_report_show_it_to_the_board(client, pledges):
    client.force_login(pledges.carol)
    for url in ("/board/", "/board/report/"):
        body = client.get(url).content.decode()
        assert "Suppliers: pledged and delivered" in body
        assert "Brightwater Catering Ltd" in body
        assert "£1,000" in body and "£350" in body and "35%" in body
        assert "40 hours" in body
        assert "Kestrel Logistics Ltd" not in body  # anchor B's supplier


def test_no_personal_data_reaches_the_board_table(client, pledges):
    match = f.MatchFactory(
        resource=f.ResourceFactory(anchor=pledges.anchor_a, supplier=pledges.supplier_a),
        status=MatchStatus.COMPLETED,
    )
    group = match.need.activity.group
    client.force_login(pledges.carol)
    body = client.get("/board/").content.decode()
    section = body[body.index("suppliers-heading") :]
    for secret in (group.name, group.contact_name, group.contact_email, pledges.sam.email):
        assert secret not in section
