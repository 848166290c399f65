"""accounts.access for suppliers: sam works for supplier_a, a supplier of
anchor A. A supplier acts for its one organisation only, for no anchor, and
sees a group's contacts only for its own pledge once the group has accepted."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from accounts import access
from accounts.roles import SUPPLIER
from matching.models import MatchStatus
from partners.models import SupplierMembership
from tests import factories as f


def test_the_accepted_states_are_matchings_own():
    assert {
        MatchStatus.ACCEPTED,
        MatchStatus.ACTIVE,
        MatchStatus.COMPLETED,
    } == access.ACCEPTED_MATCH_STATUSES


def test_a_supplier_acts_for_its_own_supplier_only(personas):
    other = f.SupplierFactory(anchor=personas.anchor_a, name="Other Supplies Ltd")
    assert access.supplier_of(user=personas.sam) == personas.supplier_a.pk
    assert access.supplier_may(user=personas.sam, supplier_id=personas.supplier_a.pk)
    assert not access.supplier_may(user=personas.sam, supplier_id=other.pk)
    assert not access.supplier_may(user=personas.sam, supplier_id=None)
    with pytest.raises(PermissionDenied):
        access.supplier_require(user=personas.sam, supplier_id=other.pk)


def test_a_supplier_acts_for_no_anchor_and_sees_no_contacts_wholesale(personas):
    assert access.anchors_for_team(user=personas.sam) == frozenset()
    assert access.anchors_for_board(user=personas.sam) == frozenset()
    assert not access.is_anchor_team(user=personas.sam)
    assert not access.can_see_contacts(user=personas.sam, group=personas.group_a)


def test_staff_and_contacts_act_for_no_supplier(personas):
    for user in (personas.alice, personas.carol, personas.dave, personas.root):
        assert access.supplier_of(user=user) is None
        assert not access.supplier_may(user=user, supplier_id=personas.supplier_a.pk)


def test_the_role_without_a_membership_grants_nothing(personas):
    stray = f.UserFactory(username="stray", roles=[SUPPLIER])
    assert access.supplier_of(user=stray) is None


def test_a_membership_without_the_role_grants_nothing(personas):
    stray = f.UserFactory(username="stray")
    SupplierMembership.objects.create(user=stray, supplier=personas.supplier_a)
    assert access.supplier_of(user=stray) is None


@pytest.mark.parametrize(
    ("status", "sees"),
    [
        (MatchStatus.PROPOSED, False),
        (MatchStatus.APPROVED, False),
        (MatchStatus.DECLINED, False),
        (MatchStatus.ACCEPTED, True),
        (MatchStatus.ACTIVE, True),
        (MatchStatus.COMPLETED, True),
    ],
)
def test_contacts_only_once_the_group_accepted_the_suppliers_own_pledge(personas, status, sees):
    pledge = f.ResourceFactory(anchor=personas.anchor_a, supplier=personas.supplier_a)
    match = f.MatchFactory(resource=pledge, status=status)
    assert access.supplier_may_see_contacts(user=personas.sam, match=match) is sees
    # The anchor's own resource, whatever its state: never through the supplier.
    own = f.MatchFactory(resource=f.ResourceFactory(anchor=personas.anchor_a), status=status)
    assert not access.supplier_may_see_contacts(user=personas.sam, match=own)
