"""Every transactional browser test asks for a serialized rollback, or none does.

A serialized test's flush skips post_migrate, and the next one restores the
content types and permissions the migrations made under their original ids.
A transactional test without it flushes with post_migrate, which makes them
again under new ids; the next serialized restore then collides on content type
(app_label, model), and every serialized test after it in that process errors
at setup (46 when tests/e2e ran alone, after test_accessibility_grants.py)."""

from __future__ import annotations

import re
from pathlib import Path

TRANSACTIONAL = re.compile(r"django_db\(([^)]*transaction=True[^)]*)\)")


def test_every_transactional_browser_test_asks_for_a_serialized_rollback() -> None:
    unserialized = [
        f"{path.name}: {marker}"
        for path in sorted(Path(__file__).parent.glob("test_*.py"))
        for marker in TRANSACTIONAL.findall(path.read_text(encoding="utf-8"))
        if "serialized_rollback=True" not in marker
    ]
    assert unserialized == []
