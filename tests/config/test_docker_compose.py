"""docker-compose.yml describes the production stack; no Docker engine runs
here, so the checks are `compose config -q` and the file's structure."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import REQUIRE_SERVICES

ROOT = Path(__file__).resolve().parents[2]


def compose_command() -> list[str] | None:
    docker = shutil.which("docker")
    if docker:
        probe = subprocess.run([docker, "compose", "version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


@pytest.fixture
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_config_is_valid():
    command = compose_command()
    if command is None:
        if REQUIRE_SERVICES:
            pytest.fail(
                "REQUIRE_SERVICES=1 but neither `docker compose` nor `docker-compose` is installed"
            )
        pytest.skip("no docker compose client installed")
    env = {**os.environ, "DJANGO_SECRET_KEY": "compose-config-check"}
    result = subprocess.run(
        [*command, "config", "-q"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_web_worker_and_beat_share_one_definition(compose):
    services = compose["services"]
    for name in ("web", "worker", "beat"):
        assert services[name]["image"] == "backer:latest"
        assert services[name]["environment"]["DJANGO_SETTINGS_MODULE"] == "config.settings.prod"
    assert "gunicorn" in services["web"]["command"]
    assert services["worker"]["command"][:3] == ["celery", "-A", "config"]
    assert "beat" in services["beat"]["command"]


def test_every_service_has_a_healthcheck_and_waits_for_healthy_dependencies(compose):
    services = compose["services"]
    for name in ("postgres", "redis", "web", "worker", "beat"):
        assert "healthcheck" in services[name], name
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"


def test_redis_never_evicts_queued_tasks(compose):
    command = compose["services"]["redis"]["command"]
    assert command[command.index("--maxmemory-policy") + 1] == "noeviction"


def test_the_secret_key_must_be_supplied(compose):
    assert ":?" in compose["services"]["web"]["environment"]["DJANGO_SECRET_KEY"]
