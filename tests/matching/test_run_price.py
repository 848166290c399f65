"""The price of fairness out of the run's critical path: a run with floors is
saved with one solve, and a task sent through the outbox after it solves the
same problem without floors and stores the price on the run, for in-process
and fanned-out runs alike."""

from __future__ import annotations

from collections.abc import Iterator
from unittest import mock

import pytest

from config.models import OutboxMessage
from matching.models import MatchRun, Resource, RunStatus
from matching.services import price as price_service
from matching.services.price import CHANGED, FAIRNESS_PRICE_TASK, match_run_price
from matching.services.runs import match_run_claim, match_run_execute
from matching.tasks import fairness_price_after_run
from partners.models import Need, NeedKind
from tests.matching.test_run_fanout import FakeRedis
from tests.matching.test_run_fanout import _world as fanout_world
from tests.matching.test_run_floors import _world as floors_world


def _claimed(anchor) -> MatchRun:  # type: ignore[no-untyped-def]
    run = MatchRun.objects.create(anchor=anchor)
    assert match_run_claim(run_id=run.pk)
    return run


def _saved_without_its_price(anchor, capture) -> tuple[MatchRun, list]:  # type: ignore[no-untyped-def]
    """The run executed and saved; what it left to do after its commit, not done yet."""
    run = _claimed(anchor)
    with capture(execute=False) as after_commit:
        match_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.error
    return run, after_commit


def _page(client, user, run: MatchRun) -> str:  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client.get(f"/team/matching/runs/{run.pk}/").content.decode()


def test_the_run_solves_once_and_sends_the_price_through_the_outbox(
    personas, django_capture_on_commit_callbacks
):
    floors_world(personas, 40)
    with mock.patch("matching.engine.fairness.solve") as second_solve:
        run, after_commit = _saved_without_its_price(
            personas.anchor_a, django_capture_on_commit_callbacks
        )
    second_solve.assert_not_called()  # no solve without floors inside the run
    (pot,) = run.floors["pots"]
    assert (pot["floor"], pot["reached"]) == (4_000, 4_000)
    assert run.floors["objective"] == run.objective
    assert "objective_without" not in run.floors
    message = OutboxMessage.objects.get(task_name=FAIRNESS_PRICE_TASK)
    assert message.kwargs == {"run_id": run.pk}
    assert message.published_at is None and after_commit  # sent once the run commits


def test_the_run_page_says_it_is_working_out_the_price_then_shows_it(
    personas, client, django_capture_on_commit_callbacks
):
    _, _, poor = floors_world(personas, 40)
    run, after_commit = _saved_without_its_price(
        personas.anchor_a, django_capture_on_commit_callbacks
    )
    before = _page(client, personas.alice, run)
    assert "Working out the price of fairness…" in before
    assert 'data-price-pending="1"' in before
    assert "Total fit without them" not in before
    assert "floor 40% (£40) for IMD deciles 1–2: reached; this run gives £40 there." in before
    progress = client.get(f"/team/matching/runs/{run.pk}/progress.json").json()
    assert progress["finished"] is True and progress["price_pending"] is True

    for callback in after_commit:  # the outbox publishes: in-process, as in the demo
        callback()

    run.refresh_from_db()
    assert run.floors["gained"] == [poor.pk]
    assert run.floors["objective_without"] > run.floors["objective"]
    assert run.timings["price"] > 0
    after = _page(client, personas.alice, run)
    assert "Working out the price of fairness" not in after
    assert 'data-price-pending="0"' in after
    assert "Total fit without them" in after
    assert "Needs backed only with the floors</dt><dd>1<" in after
    assert "Ordsall Arts Collective" in after
    assert (
        client.get(f"/team/matching/runs/{run.pk}/progress.json").json()["price_pending"] is False
    )


def test_the_price_task_delivered_twice_stores_one_result(
    personas, django_capture_on_commit_callbacks
):
    floors_world(personas, 40)
    run, _ = _saved_without_its_price(personas.anchor_a, django_capture_on_commit_callbacks)
    message = OutboxMessage.objects.get(task_name=FAIRNESS_PRICE_TASK)

    assert fairness_price_after_run(outbox_id=message.pk, run_id=run.pk) is True
    run.refresh_from_db()
    first = (run.floors, run.timings)
    # The same message again (at-least-once delivery), then a stray second
    # request for the same run: neither solves again nor changes the result.
    with mock.patch("matching.services.price.fairness_price") as solve_again:
        assert fairness_price_after_run(outbox_id=message.pk, run_id=run.pk) is None
        assert match_run_price(run_id=run.pk) is False
    solve_again.assert_not_called()
    run.refresh_from_db()
    assert (run.floors, run.timings) == first


def test_the_price_is_not_guessed_when_the_rows_changed_before_the_task(
    personas, client, django_capture_on_commit_callbacks
):
    _, rich, _ = floors_world(personas, 40)
    run, after_commit = _saved_without_its_price(
        personas.anchor_a, django_capture_on_commit_callbacks
    )
    Need.objects.filter(pk=rich[0].pk).update(amount=7_000)  # not the run's problem any more

    for callback in after_commit:
        callback()

    run.refresh_from_db()
    assert run.floors["price_error"] == CHANGED
    assert "objective_without" not in run.floors
    html = _page(client, personas.alice, run)
    assert CHANGED in html
    assert "Working out the price of fairness" not in html


def test_a_run_without_floors_asks_for_no_price(personas, django_capture_on_commit_callbacks):
    floors_world(personas, 0)
    run, _ = _saved_without_its_price(personas.anchor_a, django_capture_on_commit_callbacks)
    assert run.floors == {}
    assert not OutboxMessage.objects.filter(task_name=FAIRNESS_PRICE_TASK).exists()


@pytest.fixture
def redis_store() -> Iterator[FakeRedis]:
    """One stand-in Redis for fanned-out runs' working data and the kept problem."""
    fake = FakeRedis()
    with (
        mock.patch("matching.services.fanout._store", return_value=fake),
        mock.patch("matching.services.fanout.payload_url", return_value="redis://fake"),
        mock.patch("matching.services.working_data.working_store", return_value=fake),
        mock.patch("matching.services.working_data.payload_url", return_value="redis://fake"),
    ):
        yield fake


def test_a_fanned_out_run_with_floors_gets_its_price(
    personas, settings, redis_store, django_capture_on_commit_callbacks
):
    fanout_world(personas)
    Resource.objects.filter(kind=NeedKind.SEED_FUNDING).update(floor_percent=40)
    with (
        mock.patch("matching.services.runs.fanout_wanted", return_value=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        alone = match_run_execute(run_id=_claimed(personas.anchor_a).pk)
    alone.refresh_from_db()
    assert "objective_without" in alone.floors, alone.floors

    settings.BACKER_MATCH_FANOUT_EDGES = 1
    settings.BACKER_MATCH_CHUNKS = 3
    run = _claimed(personas.anchor_a)
    kept = f"backer:matchprice:{run.pk}:problem"
    with (
        mock.patch("matching.services.runs.fanout_wanted", return_value=True),
        # The task must use the problem the run kept, not read the rows again.
        mock.patch.object(price_service, "engine_inputs_build", side_effect=AssertionError),
        mock.patch.object(
            price_service, "fairness_price", wraps=price_service.fairness_price
        ) as priced,
        django_capture_on_commit_callbacks(execute=True),
    ):
        match_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.timings["chunks"] >= 2  # it did fan out
    priced.assert_called_once()
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert len(run.floors["pots"]) == 2
    for key in ("objective_without", "reached_without", "gained", "lost"):
        assert run.floors[key] == pytest.approx(alone.floors[key]), key
    assert kept not in redis_store.data and not redis_store.data  # nothing left behind
