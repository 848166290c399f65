"""Fixtures of the matching tests."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests import factories as f
from tests.pg_turns import postgres_connections_turn


@pytest.fixture
def proposal(personas):  # type: ignore[no-untyped-def]
    """A £150 proposal from anchor A's £10,000 pot to a need of dave's group_a."""
    resource = f.ResourceFactory(anchor=personas.anchor_a, title="Community chest")
    activity = f.ActivityFactory(group=personas.group_a, title="Lunch club", themes=["food"])
    need = f.NeedFactory(activity=activity, amount=15_000)
    match = f.MatchFactory(need=need, resource=resource)
    return SimpleNamespace(match=match, resource=resource, need=need, **vars(personas))


@pytest.fixture
def publish():  # type: ignore[no-untyped-def]
    """The broker, replaced: records what would be published, runs nothing."""
    from unittest import mock

    with mock.patch("matching.tasks.run_matching_task.apply_async") as apply_async:
        apply_async.return_value.id = "task-id"
        yield apply_async


@pytest.fixture
def most_postgres_connections(tmp_path_factory):  # type: ignore[no-untyped-def]
    """Take turns for PostgreSQL's connections: the tests that open 100 at
    once (of max_connections 100) would starve each other if `make test`'s
    parallel processes (pytest-xdist) ran two of them together, and would
    starve a browser test's live server (tests/e2e/conftest.py takes the
    same lock, shared). Held alone (tests/pg_turns.py)."""
    with postgres_connections_turn(tmp_path_factory, exclusive=True):
        yield
