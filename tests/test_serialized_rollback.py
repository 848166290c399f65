"""Every transactional test asks for a serialized rollback (tests/conftest.py:
serialize_when_transactional), so none flushes with post_migrate between two
that restore the migrations' content types under their original ids."""

from __future__ import annotations

import pytest

from tests.conftest import serialize_when_transactional


def _transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    fixtures = set(getattr(item, "fixturenames", ()))
    return bool(
        (marker and marker.kwargs.get("transaction"))
        or {"transactional_db", "live_server"} & fixtures
    )


def test_every_collected_transactional_test_restores_a_serialized_database(
    request: pytest.FixtureRequest,
) -> None:
    items = request.session.items
    transactional = [item for item in items if _transactional(item)]
    unserialized = [
        item.nodeid
        for item in transactional
        if not item.get_closest_marker("django_db").kwargs.get("serialized_rollback")
    ]
    assert unserialized == []


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_without_the_flag_is_given_it(request: pytest.FixtureRequest) -> None:
    # This test asks for a transaction only; the hook made it serialized.
    marker = request.node.get_closest_marker("django_db")
    assert marker.kwargs == {"transaction": True, "serialized_rollback": True}


def test_a_plain_database_test_is_left_alone(request: pytest.FixtureRequest) -> None:
    item = request.node
    before = list(item.iter_markers("django_db"))
    serialize_when_transactional(item)
    assert list(item.iter_markers("django_db")) == before
