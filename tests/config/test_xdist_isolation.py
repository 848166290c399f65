"""`make test` runs the suite in parallel (pytest-xdist): each worker process
has its own test database (pytest-django adds _gw0, _gw1...) and its own Redis
database, so one worker's real Celery worker never takes, nor its purge empties,
the other's messages (config/settings/test.py)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from config.settings.test import own_broker_per_xdist_worker, xdist_broker_url
from tests.conftest import give_each_test_its_own_id

RUN = "redis://127.0.0.1:6379/7"


def test_each_xdist_worker_has_its_own_redis_database():
    assert xdist_broker_url(RUN, "gw0") == RUN
    assert xdist_broker_url(RUN, "gw1") == "redis://127.0.0.1:6379/8"
    assert xdist_broker_url("redis://127.0.0.1:6379/14", "gw3") == "redis://127.0.0.1:6379/1"
    assert xdist_broker_url("redis://127.0.0.1:6379", "gw2") == "redis://127.0.0.1:6379/2"


def test_without_xdist_or_redis_the_broker_is_left_alone():
    assert xdist_broker_url(RUN, "master") == RUN
    assert xdist_broker_url("amqp://127.0.0.1:5672//", "gw1") == "amqp://127.0.0.1:5672//"
    env = {"CELERY_BROKER_URL": RUN}
    own_broker_per_xdist_worker(env)
    assert env == {"CELERY_BROKER_URL": RUN}
    env = {"PYTEST_XDIST_WORKER": "gw1"}
    own_broker_per_xdist_worker(env)
    assert env == {"PYTEST_XDIST_WORKER": "gw1"}


def test_the_broker_moves_once_and_a_process_the_tests_start_keeps_it():
    worker = {"CELERY_BROKER_URL": RUN, "PYTEST_XDIST_WORKER": "gw1"}
    own_broker_per_xdist_worker(worker)
    assert worker["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/8"
    # A `celery worker` subprocess inherits the environment and loads these
    # settings again: it must stay on the same database, not move on to /9.
    child = dict(worker)
    own_broker_per_xdist_worker(child)
    assert child["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/8"
    # A broker a test chose (a dead one) is not moved.
    dead = {**worker, "CELERY_BROKER_URL": "redis://127.0.0.1:9/0"}
    own_broker_per_xdist_worker(dead)
    assert dead["CELERY_BROKER_URL"] == "redis://127.0.0.1:9/0"


@pytest.fixture(scope="module")
def built_once() -> str:
    return "a subprocess's answers, a schema"


def test_a_test_sharing_a_module_fixture_stays_with_its_module(request, built_once):
    marker = request.node.get_closest_marker("xdist_group")
    assert marker is not None
    assert marker.args == ("tests/config/test_xdist_isolation.py",)


def test_a_test_with_only_its_own_fixtures_is_dealt_out_alone(request, tmp_path):
    assert request.node.get_closest_marker("xdist_group") is None


class FakeItem:
    def __init__(self, parent: str, name: str, nodeid: str) -> None:
        self.parent = SimpleNamespace(nodeid=parent)
        self.name = name
        self._nodeid = nodeid

    @property
    def nodeid(self) -> str:
        return self._nodeid


def test_tests_sharing_a_node_id_take_the_id_their_name_says():
    # As schemathesis makes them: one id for every operation of the fuzz test.
    module = "tests/security/test_api_fuzz.py"
    items = [
        FakeItem(module, f"test_fuzz[{op}]", f"{module}::test_fuzz")
        for op in ("GET /a/", "POST /a/")
    ]
    items.append(FakeItem(module, "test_other[1]", f"{module}::test_other[1]"))
    give_each_test_its_own_id(items)  # type: ignore[arg-type]
    assert [item.nodeid for item in items] == [
        f"{module}::test_fuzz[GET /a/]",
        f"{module}::test_fuzz[POST /a/]",
        f"{module}::test_other[1]",
    ]


def test_an_id_still_shared_stops_collection():
    twins = [FakeItem("m.py", "test_x", "m.py::test_x") for _ in range(2)]
    with pytest.raises(pytest.UsageError, match="share a node id"):
        give_each_test_its_own_id(twins)  # type: ignore[arg-type]
