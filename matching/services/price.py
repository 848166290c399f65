"""The price of fairness, worked out after a run rather than inside it.

A run whose pots have floors saves its proposals and how each floor fared
first. In that same saving transaction it sends a follow-up task through the
outbox (:func:`fairness_price_request`, from matching/services/results.py, so
an in-process run and a fanned-out one alike); the task solves the run's own
problem again with every floor at 0 and stores the comparison on the run
(:func:`match_run_price`). The run page says "Working out the price of
fairness…" until then. So a run with floors costs one solve, not two.

The task needs the run's exact problem:

- with a Redis result backend (production), the run keeps it there
  (:func:`fairness_price_keep`, as fanned-out runs keep their working data)
  for ``PRICE_TTL_SECONDS``;
- without one (``make demo``, the tests: the task runs in-process straight
  after the run commits), or once that copy has expired, the task reads the
  rows again and uses them only if they make the same problem: the run
  stores a digest of its problem's arrays. If the needs or pots changed in
  between, the price is not guessed: the run says why it has none.

Delivery is at least once: the outbox runs a message once, and the price is
written once, under a lock on the run row, only while the run still waits
for it (a second delivery finds it stored and does nothing).
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from time import perf_counter
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone

from config.outbox import outbox_enqueue
from matching.engine.allocate import DEFAULT_MIP_REL_GAP
from matching.engine.problem import Problem
from matching.models import Match, MatchRun
from matching.services import working_data
from matching.services.engine_inputs import engine_inputs_build
from matching.services.floors import fairness_price, floors_price_pending

logger = logging.getLogger(__name__)

#: The follow-up task (matching/tasks.py), sent through the outbox by name.
FAIRNESS_PRICE_TASK = "matching.fairness_price"
#: How long a run's problem waits in Redis for its price task: well beyond a
#: busy worker's backlog; after it, the task reads the rows again.
PRICE_TTL_SECONDS = 6 * 60 * 60

CHANGED = (
    "The needs or pots changed before the price of fairness could be worked out;"
    " the next run works it out again."
)
FAILED = "The price of fairness could not be worked out ({error}); the next run tries again."


class PriceUnavailable(Exception):
    """The run's problem can no longer be had as it was."""


def problem_digest(problem: Problem) -> str:
    """A fingerprint of every array and setting of ``problem`` (equal problems, equal digests)."""
    digest = hashlib.blake2b(digest_size=16)
    for field in dataclasses.fields(problem):
        value = getattr(problem, field.name)
        digest.update(field.name.encode())
        if isinstance(value, np.ndarray):
            digest.update(f"{value.dtype}{value.shape}".encode())
            digest.update(np.ascontiguousarray(value).tobytes())
        else:
            digest.update(repr(value).encode())
    return digest.hexdigest()


def _key(run_id: int) -> str:
    # Not under fanout's backer:matchrun:<id>: prefix, which a fanned-out
    # run clears as soon as it is saved.
    return f"backer:matchprice:{run_id}:problem"


def fairness_price_keep(*, run_id: int, problem: Problem) -> dict[str, Any]:
    """Keep a run's problem for its price task; the keys to save with its floors.

    Called before the run's saving transaction (a Redis write has no place
    inside it). Without Redis, or if Redis fails, only the digest is kept.
    """
    if working_data.payload_url() is not None:
        try:
            working_data.working_store().set(
                _key(run_id), working_data.dumps(problem), ex=PRICE_TTL_SECONDS
            )
        except Exception:  # any Redis error: the task reads the rows again instead
            logger.warning("run %s: problem not kept for the price of fairness", run_id)
    return {"price_digest": problem_digest(problem)}


def fairness_price_request(*, run_id: int) -> None:
    """Inside the run's saving transaction: the price task, after it commits."""
    outbox_enqueue(FAIRNESS_PRICE_TASK, run_id=run_id)


def _kept(run_id: int) -> Problem | None:
    if working_data.payload_url() is None:
        return None
    data = working_data.working_store().get(_key(run_id))
    if data is None:
        return None
    problem: Problem = working_data.loads(data)
    return problem


def _problem(run: MatchRun) -> Problem:
    """The run's own problem: kept in Redis, or read again if it is the same."""
    kept = _kept(run.pk)
    if kept is not None:
        return kept
    started = run.started_at or run.created_at
    problem = engine_inputs_build(anchor=run.anchor, today=timezone.localdate(started)).problem
    if problem_digest(problem) != run.floors.get("price_digest"):
        raise PriceUnavailable(CHANGED)
    return problem


def match_run_price(*, run_id: int) -> bool:
    """Work out and store a run's price of fairness; False if there was nothing to do."""
    run = MatchRun.objects.select_related("anchor").filter(pk=run_id).first()
    if run is None or not floors_price_pending(run.floors or {}):
        return False
    started = perf_counter()
    price: dict[str, Any]
    try:
        # A database or Redis error here is passing: it propagates, and the
        # outbox runs the task again.
        problem = _problem(run)
    except PriceUnavailable as exc:
        price = {"price_error": str(exc)}
    else:
        backed = list(Match.objects.filter(run_id=run_id).values_list("need_id", flat=True))
        gap = run.parameters.get("mip_rel_gap", DEFAULT_MIP_REL_GAP)
        try:
            price = fairness_price(problem=problem, backed=backed, mip_rel_gap=gap)
        except Exception as exc:  # the engine is deterministic: say so, do not retry
            logger.exception("run %s: the price of fairness failed", run_id)
            price = {"price_error": FAILED.format(error=type(exc).__name__)}
    saved = _price_save(run_id, price, perf_counter() - started)
    if saved and working_data.payload_url() is not None:
        working_data.working_store().delete(_key(run_id))
    return saved


def _price_save(run_id: int, price: dict[str, Any], seconds: float) -> bool:
    with transaction.atomic():
        run = MatchRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or not floors_price_pending(run.floors or {}):
            return False  # another delivery stored it first
        run.floors = {**run.floors, **price}
        run.timings = {**(run.timings or {}), "price": seconds}
        run.save(update_fields=["floors", "timings"])
    return True
