"""A run with floors as the anchor team sees it in Chromium, under the real
Content-Security-Policy: while the price of fairness is worked out (a task
after the run) the page says so, and it shows the figures by itself once the
task has stored them."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from matching.models import MatchRun, RunStatus
from tests import factories as f

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _run_waiting_for_its_price(personas) -> MatchRun:  # type: ignore[no-untyped-def]
    pot = f.ResourceFactory(anchor=personas.anchor_a, title="Community chest", floor_percent=40)
    return MatchRun.objects.create(
        anchor=personas.anchor_a,
        status=RunStatus.SUCCEEDED,
        progress=100,
        progress_message="Finished",
        started_at=timezone.now(),
        finished_at=timezone.now(),
        objective=0.7,
        floors={
            "pots": [
                {
                    "resource_id": pot.pk,
                    "floor": 4_000,
                    "reached": 4_000,
                    "asked": 9_000,
                    "shortfall": 0,
                    "reason": "",
                }
            ],
            "reached": 4_000,
            "objective": 0.7,
            "price_digest": "0" * 32,
        },
    )


def test_the_run_page_shows_the_price_once_the_task_has_stored_it(
    personas, signed_in_page, live_server
):
    run = _run_waiting_for_its_price(personas)
    page = signed_in_page(personas.alice)
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.goto(f"{live_server.url}/team/matching/runs/{run.pk}/")
    expect(page.locator("#price-progress")).to_have_text(
        re.compile("Working out the price of fairness…")
    )
    assert page.get_by_text("Total fit without them").count() == 0

    # The task stores the price; the test does not touch the page.
    run.floors = {
        **run.floors,
        "objective_without": 0.9,
        "reached_without": 0,
        "gained": [],
        "lost": [],
    }
    run.save(update_fields=["floors"])

    expect(page.get_by_text("Total fit without them")).to_be_visible(timeout=15_000)
    assert page.locator("#price-progress").count() == 0
    assert "22.2% of the total fit" in page.content()  # (0.9 - 0.7) / 0.9
    assert errors == []  # nothing refused by the Content-Security-Policy


def test_the_page_waiting_for_the_price_has_no_violations(audit, personas):
    run = _run_waiting_for_its_price(personas)
    audit.sign_in(personas.alice)
    audit.visit(f"/team/matching/runs/{run.pk}/", label="run: price being worked out")
    audit.assert_clean()
