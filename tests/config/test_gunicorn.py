"""Backer's gunicorn settings (config/gunicorn.py): each worker freezes
what it holds once the application is loaded, and every way Backer is
served uses them."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = "config/gunicorn.py"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str, seconds: float = 30.0) -> str:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_a_worker_serves_with_its_loaded_objects_frozen():
    """A real gunicorn, with these settings, serving a probe that answers
    its worker's frozen-object count: none without the hook."""
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "tests.config.gc_probe:app",
            "-c",
            SETTINGS,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        frozen = int(_get(f"http://127.0.0.1:{port}/"))
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
