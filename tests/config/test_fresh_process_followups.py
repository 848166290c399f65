"""The embedded default (no broker) runs every outbox follow-up in a FRESH
web process, one that has imported only what serving a request imports.

A test process has imported every task module long before, so it would hide
a task the web process never registers: these tests start a new Python.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Runs in the fresh process under the demo's settings (config.settings.base,
# DEBUG=1, no broker): the WSGI application (what gunicorn and runserver
# load), a migrated SQLite file, an anchor and a team member.
SET_UP = r"""
import json, logging
from config.wsgi import application  # noqa: F401  (what the web process loads)
from django.core.management import call_command
call_command("migrate", verbosity=0)

records = []
class Keep(logging.Handler):
    def emit(self, record):
        records.append(record.getMessage())
logging.getLogger().addHandler(Keep())

from django.contrib.auth.models import Group, User
from django.test import Client
from config.models import OutboxMessage
from matching.models import MatchRun
from partners.models import Anchor, AnchorMembership, CommunityGroup

anchor = Anchor.objects.create(name="Fresh Trust", slug="fresh")
alice = User.objects.create_user("alice", password="x")
alice.groups.add(Group.objects.get(name="anchor team"))
AnchorMembership.objects.create(user=alice, anchor=anchor, role="team")
group = CommunityGroup.objects.create(name="Fresh Lunch Club", description="Lunch")
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(alice)
"""

# The team member verifies the group through the page.
VERIFY_A_GROUP = r"""
response = client.post(f"/team/groups/{group.pk}/verify/")
"""

# A message left pending two minutes ago (say the process died between the
# commit and the publication); then anyone asks for any page.
ONE_LEFT_PENDING = r"""
from datetime import timedelta
from django.utils import timezone
pending = OutboxMessage.objects.create(
    task_name="matching.request_runs_after_change",
    kwargs={"group_id": group.pk, "reason": "left pending"},
)
OutboxMessage.objects.filter(pk=pending.pk).update(created_at=timezone.now() - timedelta(minutes=2))
response = Client(HTTP_HOST="127.0.0.1").get("/")
"""

REPORT = r"""
message = OutboxMessage.objects.get(task_name="matching.request_runs_after_change")
print(json.dumps({
    "status": response.status_code,
    "done": message.done_at is not None,
    "last_error": message.last_error,
    "runs": MatchRun.objects.filter(anchor=anchor).count(),
    "not_registered": [r for r in records if "NotRegistered" in r],
}))
"""


def run_fresh(script: str, tmp_path: Path, **env: str) -> dict[str, object]:
    environment = {
        k: v for k, v in os.environ.items() if k not in {"CELERY_BROKER_URL", "DATABASE_URL"}
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DEBUG="1",
        BACKER_REQUIRE_2FA="0",  # as `make demo` serves it
        DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
        PYTHONPATH=str(ROOT),
        ALLOWED_HOSTS="127.0.0.1",
        **env,
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "NotRegistered" not in done.stderr, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_fresh_web_process_runs_the_follow_up_of_a_verification(tmp_path):
    result = run_fresh(SET_UP + VERIFY_A_GROUP + REPORT, tmp_path)
    assert result["status"] == 302
    assert result["not_registered"] == []
    assert result["last_error"] == ""
    assert result["done"] is True, "the follow-up must have run in-process"
    assert result["runs"] == 1, "the verification asks the anchor for a match run"


def test_without_a_beat_the_next_request_publishes_what_was_left_pending(tmp_path):
    result = run_fresh(SET_UP + ONE_LEFT_PENDING + REPORT, tmp_path)
    assert result["status"] == 200
    assert result["not_registered"] == []
    assert result["done"] is True, "the request's in-process sweep must have run it"
    assert result["runs"] == 1
