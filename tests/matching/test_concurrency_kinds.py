"""Concurrent approvals never allocate beyond capacity, for every kind of
resource, every time; two team members acting on one match leave one result.

test_approve_concurrency.py explains why (one conditional UPDATE, re-checked
by PostgreSQL after the row lock) and shows the naive version failing, with
money. Here the same race runs against money, hours and room sessions, ten
times each, because a race that holds once can still lose one time in ten.
Each round: 100 proposals of one amount, capacity for exactly 66 of them, 100
threads each with its own connection released together by a barrier.

PostgreSQL only: SQLite serialises writers and would hide the bug.
"""

from __future__ import annotations

import itertools
import queue
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import OperationalError, connection, connections

from matching.errors import CapacityExhausted, IllegalTransition
from matching.models import Match, MatchEvent, MatchStatus, Resource
from matching.services.review import match_approve, match_decline, match_defer
from partners.models import Anchor, Need, NeedKind
from tests import factories as f

N = 100
ROUNDS = 10
FITS = 66
# (kind, capacity, amount) in the kind's unit: 66 awards fit, a 67th does not.
KINDS = [
    pytest.param(NeedKind.SEED_FUNDING, 1_000_000, 15_000, id="money-pence"),
    pytest.param(NeedKind.TIME, 1_000, 15, id="time-hours-a-month"),
    pytest.param(NeedKind.SPACE, 200, 3, id="space-sessions-a-month"),
]
# If other clients (CI jobs, other test runs) take PostgreSQL connections
# meanwhile, the approvals run on the threads that did connect, but never on
# fewer than this: a weaker race must fail loudly, not quietly test less.
MIN_THREADS = 85
# Connections left to the other test process (a subprocess it starts, a
# fresh connection it opens), which would otherwise find none.
HEADROOM = 5

# serialized_rollback: the flush between transactional tests would drop the
# role groups and themes that data migrations load.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    # One of these modules at a time across parallel processes (conftest.py).
    pytest.mark.usefixtures("most_postgres_connections"),
]


def _free_connections() -> int:
    """How many connections PostgreSQL will accept once the test closes its own."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('max_connections')::int"
            " - CASE WHEN rolsuper THEN 0"
            "   ELSE current_setting('superuser_reserved_connections')::int END"
            " - (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')"
            " + 1 FROM pg_roles WHERE rolname = current_user"
        )
        (free,) = cursor.fetchone()
    return int(free)


class Outcomes(list[object]):
    """What each item's work returned, or the exception it raised."""

    def names(self) -> Counter[str]:
        return Counter(type(o).__name__ if isinstance(o, Exception) else str(o) for o in self)


def _all_at_once(work: Callable[[Any], str], items: list[Any], threads: int) -> Outcomes:
    """Run ``work`` on every item from ``threads`` threads released together.

    Each thread connects BEFORE the barrier, so the race starts when the work
    does, not spread over a hundred connection handshakes. A thread that
    cannot connect (another client took the slot) still meets the barrier,
    then leaves its share to the others.
    """
    todo: queue.SimpleQueue[tuple[int, Any]] = queue.SimpleQueue()
    for i, item in enumerate(items):
        todo.put((i, item))
    outcomes = Outcomes([None] * len(items))
    connected: list[bool] = []
    barrier = threading.Barrier(threads, timeout=60)

    def run() -> None:
        try:
            try:
                connection.ensure_connection()
                ok = True
            except OperationalError:
                ok = False
            connected.append(ok)
            barrier.wait()
            while ok:
                try:
                    i, item = todo.get_nowait()
                except queue.Empty:
                    return
                try:
                    outcomes[i] = work(item)
                except Exception as exc:  # recorded: the test says which
                    outcomes[i] = exc
        finally:
            connections.close_all()  # each thread owns its connection

    pool = [threading.Thread(target=run) for _ in range(threads)]
    # The test's own connection is idle (transaction=True): close it, so the
    # threads fit in PostgreSQL's max_connections (100 by default).
    connections.close_all()
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in pool), "a thread hung"
    assert sum(connected) >= min(threads, MIN_THREADS), f"only {sum(connected)} threads connected"
    assert None not in outcomes, "some work was never done"
    return outcomes


def _proposals(anchor: Anchor, kind: str, capacity: int, amount: int) -> tuple[Resource, list[int]]:
    resource = f.ResourceFactory(anchor=anchor, kind=kind, capacity=capacity)
    activity = f.ActivityFactory()
    needs = Need.objects.bulk_create(
        Need(activity=activity, kind=kind, amount=amount, why="Concurrency test") for _ in range(N)
    )
    matches = Match.objects.bulk_create(
        Match(need=need, resource=resource, amount=amount) for need in needs
    )
    return resource, [m.pk for m in matches]


@pytest.mark.parametrize(("kind", "capacity", "amount"), KINDS)
def test_a_hundred_concurrent_approvals_never_allocate_beyond_capacity(kind, capacity, amount):
    assert capacity // amount == FITS
    anchor = f.AnchorFactory(slug=f"concurrency-{kind}")
    reviewer = f.member(anchor, "team", username=f"reviewer-{kind}")
    threads = min(N, _free_connections() - HEADROOM)
    assert threads >= MIN_THREADS, f"only {threads} PostgreSQL connections free"

    def approve(match_id: int) -> str:
        match_approve(match_id=match_id, by=reviewer)
        return "approved"

    for round_ in range(ROUNDS):
        resource, match_ids = _proposals(anchor, kind, capacity, amount)

        outcomes = _all_at_once(approve, match_ids, threads).names()

        assert outcomes == {"approved": FITS, CapacityExhausted.__name__: N - FITS}, round_
        resource.refresh_from_db()
        assert resource.allocated == FITS * amount <= resource.capacity
        statuses = Counter(resource.matches.values_list("status", flat=True))
        assert statuses == {MatchStatus.APPROVED: FITS, MatchStatus.PROPOSED: N - FITS}
        # One history entry per approval, and none for a refused one.
        events = MatchEvent.objects.filter(match__resource=resource)
        assert (
            sorted(events.values_list("from_status", "to_status"))
            == [(MatchStatus.PROPOSED, MatchStatus.APPROVED)] * FITS
        )
        assert set(events.values_list("match_id", flat=True)) == set(
            resource.matches.filter(status=MatchStatus.APPROVED).values_list("pk", flat=True)
        )


# --- Two team members, one match ----------------------------------------------

S = MatchStatus
ACTIONS: dict[str, Callable[..., Any]] = {
    "approve": lambda match_id, by: match_approve(match_id=match_id, by=by),
    "decline": lambda match_id, by: match_decline(
        match_id=match_id, by=by, reason="Not a good fit."
    ),
    "defer": lambda match_id, by: match_defer(match_id=match_id, by=by),
}
# The workflow (services/review.py): action -> (the states it applies to, result).
RULES = {
    "approve": ((S.PROPOSED, S.DEFERRED), S.APPROVED),
    "decline": ((S.PROPOSED, S.DEFERRED), S.DECLINED),
    "defer": ((S.PROPOSED,), S.DEFERRED),
}
AMOUNT = 15_000  # pence: £150
PAIR_ROUNDS = 20


def _serial_histories(won: list[tuple[str, int]]) -> list[list[tuple[str, str, int]]]:
    """Every history the winning actions could make, run one after the other
    from "proposed", each allowed by the workflow at its turn."""
    histories = []
    for order in itertools.permutations(won):
        status: str = S.PROPOSED
        history: list[tuple[str, str, int]] = []
        for action, user_id in order:
            allowed_from, to = RULES[action]
            if status not in allowed_from:
                break
            history.append((status, to, user_id))
            status = to
        else:
            histories.append(history)
    return histories


@pytest.mark.parametrize(
    ("first", "second"), [("approve", "decline"), ("approve", "approve"), ("approve", "defer")]
)
def test_two_team_members_acting_on_one_match_at_once_leave_one_result(personas, first, second):
    """The outcome is always one that the two actions, run one after the
    other, could give: approve + approve or approve + decline, one wins and the
    other is told the match changed; approve + defer may also be "deferred,
    then approved", a normal sequence. Never both on the same "proposed"."""
    amelia = f.member(personas.anchor_a, "team", username="amelia")
    resource = f.ResourceFactory(anchor=personas.anchor_a)
    activity = f.ActivityFactory(group=personas.group_a)
    match_ids = [
        f.MatchFactory(
            resource=resource, need=f.NeedFactory(activity=activity, amount=AMOUNT), amount=AMOUNT
        ).pk
        for _ in range(PAIR_ROUNDS)
    ]
    attempts = [(first, personas.alice.pk), (second, amelia.pk)]
    users = {personas.alice.pk: personas.alice, amelia.pk: amelia}

    for match_id in match_ids:

        def act(attempt: tuple[str, int], match_id: int = match_id) -> str:
            action, user_id = attempt
            ACTIONS[action](match_id, users[user_id])
            return "won"

        outcomes = _all_at_once(act, attempts, threads=2)

        won = [
            attempt for attempt, outcome in zip(attempts, outcomes, strict=True) if outcome == "won"
        ]
        lost = [outcome for outcome in outcomes if outcome != "won"]
        assert won, outcomes
        # The loser gets an ApplicationError the page shows as a message.
        for outcome in lost:
            assert isinstance(outcome, IllegalTransition), outcome
            assert outcome.message.startswith(
                ("Someone else changed this match", "A match that is")
            )
        history = list(
            MatchEvent.objects.filter(match_id=match_id)
            .order_by("at", "id")
            .values_list("from_status", "to_status", "by_id")
        )
        assert history in _serial_histories(won), (outcomes, history)
        assert Match.objects.get(pk=match_id).status == history[-1][1]

    # Only the approvals that won took capacity, once each.
    resource.refresh_from_db()
    approved = Match.objects.filter(resource=resource, status=S.APPROVED).count()
    assert resource.allocated == AMOUNT * approved
    if first == second == "approve":
        assert approved == PAIR_ROUNDS
