"""The team cancels an invitation at the moment its supplier accepts it: one
of the two wins, never both. Each is a conditional UPDATE of the invitation
row (accepted_at and cancelled_at both still empty), so on PostgreSQL the
second waits for the first's row lock and then finds the row taken. SQLite
serialises writers and would hide a read-check-write, so this runs on
PostgreSQL only, one connection per thread, as two web requests would."""

from __future__ import annotations

import hashlib
import threading
import time
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connections
from django.utils import timezone

from config.exceptions import ApplicationError
from partners.models import SupplierInvitation
from partners.services.suppliers import supplier_invitation_accept, supplier_invitation_cancel
from tests import factories as f

ROUNDS = 12
PASSWORD = "marigold tugboat lantern"

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _both_at_once(token: str, invitation_id: int, team_id: int, lag: float) -> dict[str, Any]:
    barrier = threading.Barrier(2)
    results: dict[str, Any] = {}

    def accept() -> None:
        try:
            barrier.wait()
            _check, user = supplier_invitation_accept(token=token, password=PASSWORD)
            results["accepted"] = user is not None
        finally:
            connections.close_all()

    def cancel() -> None:
        try:
            team = get_user_model().objects.get(pk=team_id)
            invitation = SupplierInvitation.objects.select_related("supplier").get(pk=invitation_id)
            barrier.wait()
            # Rounds differ in who gets there first: the cancel waits a few
            # milliseconds more each round, across the acceptance's own time.
            time.sleep(lag)
            try:
                supplier_invitation_cancel(invitation=invitation, by=team)
                results["cancelled"] = True
            except ApplicationError:
                results["cancelled"] = False
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept), threading.Thread(target=cancel)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_accepting_and_cancelling_at_once_never_both_win():
    anchor = f.AnchorFactory(slug="race-anchor")
    team = f.member(anchor, "team", username="race-team")
    supplier = f.SupplierFactory(anchor=anchor, name="Race Supplies Ltd")
    for n in range(ROUNDS):
        token = f"race-token-{n}"
        invitation = SupplierInvitation.objects.create(
            supplier=supplier,
            email=f"race{n}@supplies.example",
            token_hash=hashlib.sha256(token.encode()).hexdigest(),
            sent_at=timezone.now(),
        )
        results = _both_at_once(token, invitation.pk, team.pk, lag=(n % 6) * 0.01)
        invitation.refresh_from_db()
        joined = get_user_model().objects.filter(username=invitation.email).exists()
        assert results["accepted"] != results["cancelled"], (n, results)
        assert (invitation.accepted_at is not None) == results["accepted"] == joined
        assert (invitation.cancelled_at is not None) == results["cancelled"]
