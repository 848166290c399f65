"""load_places before `migrate`: one clear line, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_before_migrate_it_says_run_migrate_first_in_one_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}",  # never migrated
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "load_places", "--demo", "--no-progress"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines == [
        "CommandError: The database is not set up (or not up to date): "
        "run `manage.py migrate` first."
    ], done.stderr[-2000:]
