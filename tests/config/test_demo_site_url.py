"""`make demo PORT=…` serves at that port and its e-mails link to it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_demo_sets_the_site_url_to_the_address_it_serves():
    # -n prints the commands and runs none of them.
    printed = subprocess.run(
        ["make", "-n", "demo", "PORT=8111"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    (serve,) = [line for line in printed.splitlines() if "runserver" in line]
    assert "BACKER_SITE_URL=http://127.0.0.1:8111 " in serve
    assert serve.endswith("runserver 127.0.0.1:8111")
    (backing,) = [line for line in printed.splitlines() if "seed_demo_backing" in line]
    assert "BACKER_SITE_URL=http://127.0.0.1:8111 " in backing
