"""A run saving its proposals while the team removes a supplier (issue 15):
the run read the supplier's pledge before the removal and saves a proposal
on it. The decline that follows the removal takes the anchor's lock first, as
the run's save does (matching/services/results.py), so it waits for the save
and then declines that proposal too. (Had the run saved second, it would
have left the pledge out itself: test_supplier_removal_proposals.py.)
PostgreSQL only, one connection per thread, as a worker and a web request."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connections, transaction

from matching.models import Match, MatchStatus
from partners.models import Anchor
from partners.services.suppliers import supplier_remove
from tests import factories as f

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_proposal_saved_while_the_supplier_is_removed_is_declined(personas, publish):
    pledge = f.ResourceFactory(anchor=personas.anchor_a, supplier=personas.supplier_a)
    saved, commit = threading.Event(), threading.Event()
    made: dict[str, int] = {}

    def run_saving() -> None:
        try:
            with transaction.atomic():
                Anchor.objects.select_for_update().get(pk=personas.anchor_a.pk)
                made["match"] = f.MatchFactory(resource=pledge).pk
                saved.set()
                commit.wait(10)
        finally:
            connections.close_all()

    def team_removing() -> None:
        try:
            supplier_remove(supplier=personas.supplier_a, by=personas.alice)
        finally:
            connections.close_all()

    run = threading.Thread(target=run_saving)
    run.start()
    assert saved.wait(10)
    removal = threading.Thread(target=team_removing)
    removal.start()
    time.sleep(0.5)
    # The removal has committed; its decline waits for the run's save.
    assert removal.is_alive()
    commit.set()
    run.join(10)
    removal.join(10)
    assert not removal.is_alive()
    match = Match.objects.get(pk=made["match"])
    assert match.status == MatchStatus.DECLINED
    assert "was removed as a supplier on" in match.decline_reason
