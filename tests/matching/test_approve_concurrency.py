"""Approving allocates capacity atomically, under any concurrency.

95 team members approve 95 proposals of £150 against one £10,000 pot at the
same moment: exactly 66 may be approved (66 x £150 = £9,900; a 67th would be
£10,050). Each thread has its own database connection, as each web request
would: 95 of PostgreSQL's 100, so the other test process's connection fits
beside them (with 100, one thread found "too many clients already").
SQLite serialises writers and would hide the bug, so this runs on
PostgreSQL only.

Why a read-check-write fails it. The obvious version,

    with transaction.atomic():
        resource = Resource.objects.get(pk=resource_id)           # read
        if resource.allocated + amount <= resource.capacity:      # check
            resource.allocated += amount                          # write
            resource.save()

lets every transaction read the same committed `allocated` (say £0), pass
the check, and write back "its" total: the writes overwrite each other (lost
updates). Measured here, with 100 threads: all 100 approved (£15,000
promised from a £10,000 pot) while the counter showed about £1,200 — so the CheckConstraint
`allocated <= capacity` never fires, because the counter is wrong, not
over. (Planting that version in services/review.py fails the test below.)

What holds: the check and the write in ONE conditional UPDATE,

    UPDATE resource SET allocated = allocated + x
    WHERE id = r AND allocated <= capacity - x        -- 0 rows: refuse

PostgreSQL makes the second writer wait for the first's row lock, then
re-evaluates the WHERE clause on the newly committed row (READ COMMITTED),
so no two approvals can spend the same headroom (services/review.py).
"""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from matching.errors import ApplicationError
from matching.models import Match, MatchStatus, Resource
from matching.services.review import match_approve
from tests import factories as f

N = 95
AMOUNT = 15_000  # pence: £150
POT = 1_000_000  # pence: £10,000

# serialized_rollback: the flush between transactional tests would drop the
# role groups and themes that data migrations load.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    # One of these modules at a time across parallel processes (conftest.py).
    pytest.mark.usefixtures("most_postgres_connections"),
]


def _proposals() -> tuple[object, Resource, list[int]]:
    anchor = f.AnchorFactory(slug="concurrency-anchor")
    reviewer = f.member(anchor, "team", username="reviewer")
    resource = f.ResourceFactory(anchor=anchor, capacity=POT)
    activity = f.ActivityFactory()
    match_ids = [
        f.MatchFactory(
            resource=resource, need=f.NeedFactory(activity=activity, amount=AMOUNT), amount=AMOUNT
        ).pk
        for _ in range(N)
    ]
    return reviewer, resource, match_ids


def _all_at_once(work: object, match_ids: list[int]) -> list[bool]:
    barrier = threading.Barrier(len(match_ids))
    results: list[bool] = [False] * len(match_ids)

    def run(i: int, match_id: int) -> None:
        try:
            barrier.wait()
            results[i] = work(match_id)  # type: ignore[operator]
        finally:
            connections.close_all()  # each thread owns its connection

    threads = [threading.Thread(target=run, args=(i, m)) for i, m in enumerate(match_ids)]
    # The test's own connection is idle (transaction=True): close it, so the
    # N threads fit in PostgreSQL's default max_connections of 100.
    connections.close_all()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_concurrent_approvals_never_exceed_the_pot():
    reviewer, resource, match_ids = _proposals()

    def approve(match_id: int) -> bool:
        try:
            match_approve(match_id=match_id, by=reviewer)
        except ApplicationError:
            return False
        return True

    results = _all_at_once(approve, match_ids)

    resource.refresh_from_db()
    assert sum(results) == 66
    assert Match.objects.filter(status=MatchStatus.APPROVED).count() == 66
    assert resource.allocated == 66 * AMOUNT == 990_000
    assert Match.objects.filter(status=MatchStatus.PROPOSED).count() == N - 66
