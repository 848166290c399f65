"""Backer's gunicorn settings (config/gunicorn.py): each worker freezes
what it holds once the application is loaded, and every way Backer is
served uses them."""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path

import yaml

from tests.bench.bench_web import free_port, gunicorn
from tests.load.run_loadtest import HOST, wait_until_up

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = "config/gunicorn.py"


def test_a_worker_serves_with_its_loaded_objects_frozen():
    """A real gunicorn, started as bench_web starts it (with these
    settings), serving a probe that answers its worker's frozen-object
    count: none without the hook."""
    port = free_port()
    server = gunicorn("tests.config.gc_probe:app", port, {**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        url = f"http://{HOST}:{port}/"
        wait_until_up(url, seconds=30)
        with urllib.request.urlopen(url, timeout=5) as response:
            frozen = int(response.read())
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert frozen > 1_000


def test_every_way_backer_is_served_uses_the_settings():
    dockerfile = (ROOT / "Dockerfile").read_text()
    (cmd,) = [line for line in dockerfile.splitlines() if line.startswith("CMD ")]
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    for command in (json.loads(cmd.removeprefix("CMD ")), compose["services"]["web"]["command"]):
        assert command[0] == "gunicorn"
        assert command[command.index("-c") + 1] == SETTINGS, command
    for script in ("tests/load/run_loadtest.py", "tests/bench/bench_web.py"):
        text = (ROOT / script).read_text()
        assert '"-c",' in text and f'"{SETTINGS}"' in text, script
