"""The whole journey in Chromium against the production stack, as deployed:
config.settings.prod (DEBUG off, manifest static storage after a real
collectstatic; tests/e2e/prod_settings.py says why it skips pre-compression),
gunicorn, PostgreSQL, Redis as the broker and a real
`celery worker`, e-mail written to files so that every link is followed
exactly as it was sent.

    register -> the e-mailed verification link -> the team verifies -> a run
    on the worker -> approve -> the offer e-mail's link, signed out -> the
    group's e-mail sign-in -> accept -> the board's map and table

Staff sign in with a password and a real authenticator code (the test holds
the TOTP secret). Over plain http on 127.0.0.1, so SECURE_SSL_REDIRECT=0;
everything else is production's (the __Host- cookies are Secure, which
Chromium honours on 127.0.0.1).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/backer_x \
    CELERY_BROKER_URL=redis://127.0.0.1:6379/13 \
    .venv/bin/python -m pytest tests/e2e/test_production_journey.py
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from matching.models import Match, MatchRun, MatchStatus, RunStatus
from partners.models import CommunityGroup
from tests import factories as f
from tests.celery_helpers import live_broker_url
from tests.e2e.maps_drawn import ALL_DRAWN_JS, drawn
from tests.e2e.test_whole_journey import register
from tests.matching.live_worker import database_url, purge

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PORT = int(os.environ.get("BACKER_E2E_PORT", "8161"))
BASE = f"http://127.0.0.1:{PORT}"
PASSWORD = "correct horse battery staple"  # tests/factories.py
LINK = re.compile(r"https?://\S+")


def production_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        # config.settings.prod without brotli pre-compression (see that module).
        DJANGO_SETTINGS_MODULE="tests.e2e.prod_settings",
        DJANGO_SECRET_KEY="e2e-test-secret-not-used-anywhere-else-0123456789abcdef",
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",  # plain http on the loopback; no proxy in front
        DATABASE_URL=database_url(),
        DATABASE_CONN_MAX_AGE="0",
        CELERY_BROKER_URL=live_broker_url(),
        STATIC_ROOT=str(tmp_path / "static"),
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path / "mail"),
        BACKER_SITE_URL=BASE,
        PYTHONPATH=str(ROOT),
    )
    return env


def wait_for(condition, seconds: float, what: str, logs: list[Path]) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            tails = "\n".join(f"== {log}\n{log.read_text()[-4000:]}" for log in logs)
            pytest.fail(f"gave up after {seconds} s waiting for {what}\n{tails}")
        time.sleep(0.3)


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture
def stack(tmp_path, transactional_db):  # type: ignore[no-untyped-def]
    """collectstatic, gunicorn and a celery worker under production settings;
    both processes are killed at the end, whatever happens."""
    env = production_env(tmp_path)
    (tmp_path / "mail").mkdir()
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    web_log, worker_log = tmp_path / "gunicorn.log", tmp_path / "worker.log"
    processes = []
    with web_log.open("wb") as web_out, worker_log.open("wb") as worker_out:
        try:
            processes.append(
                subprocess.Popen(
                    [
                        str(BIN / "gunicorn"),
                        "config.wsgi:application",
                        "--bind",
                        f"127.0.0.1:{PORT}",
                        "--workers",
                        "1",
                        "--threads",
                        "4",
                        "--timeout",
                        "120",
                        "--access-logfile",
                        "-",
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=web_out,
                    stderr=subprocess.STDOUT,
                )
            )
            processes.append(
                subprocess.Popen(
                    [
                        str(BIN / "celery"),
                        "-A",
                        "config",
                        "worker",
                        "-P",
                        "solo",
                        "-c",
                        "1",
                        "--loglevel",
                        "INFO",
                        "--without-heartbeat",
                        "--without-gossip",
                        "--without-mingle",
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=worker_out,
                    stderr=subprocess.STDOUT,
                )
            )
            logs = [web_log, worker_log]
            wait_for(lambda: answers(f"{BASE}/healthz"), 240, "gunicorn", logs)
            yield SimpleNamespace(mail=tmp_path / "mail", logs=logs)
        finally:
            for process in processes:
                process.kill()
                process.wait(timeout=10)
            purge()


def sent_links(mail: Path, path_prefix: str) -> list[str]:
    """Links to ``path_prefix`` in every e-mail written so far, oldest first."""
    found = []
    for message in sorted(mail.iterdir(), key=lambda p: p.stat().st_mtime):
        for url in LINK.findall(message.read_text(encoding="utf-8", errors="replace")):
            if url.startswith(BASE + path_prefix):
                found.append(url)
    return found


def mail_text(mail: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in mail.iterdir())


def authenticator_for(user) -> TOTPDevice:  # type: ignore[no-untyped-def]
    """A confirmed TOTP device, and a password hash production can read (the
    test settings hash with MD5 for speed; production only knows PBKDF2)."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "e2esalt0123456789")
    user.save(update_fields=["password"])
    return TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)


def staff_sign_in(page, username: str, device: TOTPDevice) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{BASE}/")
    page.get_by_role("link", name="Sign in").click()
    page.get_by_role("link", name="Sign in as anchor staff").click()
    page.fill("[name=username]", username)
    page.fill("[name=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.fill("[name=token]", f"{totp(device.bin_key):06d}")
    page.locator("main button[type=submit]").click()


def test_the_whole_journey_under_production_settings(stack, browser, personas):
    place = f.registration_place()
    pot = f.ResourceFactory(anchor=personas.anchor_a, title="Community chest", themes=["food"])
    alice_key, carol_key = authenticator_for(personas.alice), authenticator_for(personas.carol)

    context = browser.new_context()
    errors: list[str] = []
    context.on(
        "response",
        lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 500 else None,
    )
    group_page = context.new_page()
    console: list[str] = []
    group_page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)

    # 1. A group registers; the verification link, as e-mailed by the worker.
    register(group_page, BASE)
    wait_for(lambda: sent_links(stack.mail, "/register/verify/"), 60, "the e-mail", stack.logs)
    (verify_link,) = sent_links(stack.mail, "/register/verify/")
    group_page.goto(verify_link)
    group_page.get_by_role("button", name="Confirm my email address").click()
    group = CommunityGroup.objects.get(name="Seedley Soup Club")
    assert group.email_verified_at is not None
    assert group.neighbourhood_id == place.neighbourhood.pk

    # 2. The team signs in (password and code), lands on its queue, verifies,
    #    runs matching on the worker and approves the proposal.
    team_context = browser.new_context()
    team_context.on(
        "response",
        lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 500 else None,
    )
    team = team_context.new_page()
    staff_sign_in(team, "alice", alice_key)
    assert team.url == f"{BASE}/team/groups/queue/"
    team.get_by_role("link", name="Seedley Soup Club").first.click()
    team.get_by_role("button", name="Verify this group").click()
    team.goto(f"{BASE}/team/matching/runs/?anchor={personas.anchor_a.slug}")
    team.get_by_role("button", name="Run matching now").click()
    wait_for(
        lambda: MatchRun.objects.filter(status=RunStatus.SUCCEEDED).exists(),
        120,
        "the run on the worker",
        stack.logs,
    )
    team.reload()
    assert "Finished" in team.locator("#run-status").inner_text()
    assert "Seed funding proposed" in team.content()
    team.goto(f"{BASE}/team/matching/?anchor={personas.anchor_a.slug}")
    team.get_by_role("button", name="Approve Seedley Soup Club").click()
    expect(team.locator("body")).to_contain_text(re.compile("approved", re.I))
    pot.refresh_from_db()
    assert pot.allocated == 30_000

    # 3. The group follows the offer e-mail's link, signed out, reaches the
    #    e-mail sign-in, signs in with the link it is sent and accepts.
    group_page.context.clear_cookies()
    wait_for(lambda: sent_links(stack.mail, "/group/offers/"), 30, "the offer", stack.logs)
    offer_text = mail_text(stack.mail)
    assert "Salford Royal Test Trust offers Seedley Soup Club backing" in offer_text
    assert "Seed funding: £300" in offer_text
    (offer_link,) = sent_links(stack.mail, "/group/offers/")
    group_page.goto(offer_link)
    assert group_page.url == f"{BASE}/group/sign-in/?next=/group/offers/"
    group_page.fill("[name=email]", "sam@example.org")
    group_page.get_by_role("button", name="Send me a link").click()
    wait_for(lambda: sent_links(stack.mail, "/group/sign-in/link/"), 30, "the link", stack.logs)
    group_page.goto(sent_links(stack.mail, "/group/sign-in/link/")[-1])
    group_page.get_by_role("button", name="Sign in").click()
    assert group_page.url == f"{BASE}/group/offers/"
    group_page.get_by_role("button", name=re.compile("^Accept")).click()
    expect(group_page.locator("body")).to_contain_text("you accepted the offer")
    match = Match.objects.get(need__activity__group=group)
    assert match.status == MatchStatus.ACCEPTED

    # 4. The board signs in, lands on its dashboard; the map's table shows the
    #    backing and the map draws it; every page and download answers.
    board_context = browser.new_context()
    board_context.on(
        "response",
        lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 500 else None,
    )
    board = board_context.new_page()
    board.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    staff_sign_in(board, "carol", carol_key)
    assert board.url == f"{BASE}/board/"
    board.goto(f"{BASE}/board/map/")
    row = board.locator(f"tr[data-code='{place.neighbourhood.code}']")
    assert row.locator("[data-field=active_matches]").inner_text().strip() == "1"
    assert row.locator("[data-field=pounds_awarded]").inner_text().strip() in {"£300", "300"}
    for path in (
        "/board/map/download/",
        "/board/report/",
        "/board/",
        "/board/matching/",
        "/directory/",
        "/directory/map/",
        "/directory/map/frame/",
        "/board/map/frame/",
        "/board/self-assessment/",
        "/api/docs/",
        "/api/schema/",
        "/openreferral/services",
        "/accessibility/",
    ):
        response = board.request.get(f"{BASE}{path}")
        assert response.status < 400, (path, response.status)
    download = board.request.get(f"{BASE}/board/map/download/")
    assert "leaflet" in download.text().lower()
    assert "/static/" not in download.text(), "the download must open offline"

    # The map draws the neighbourhoods: every polygon of the shaded layer is
    # on the map with its fill (what Leaflet holds, tests/e2e/maps_drawn.py).
    # Waited on as a condition, not a sleep: on a loaded machine the frame's
    # scripts run well after the page's load event.
    frame = board.locator("iframe").first.element_handle().content_frame()
    assert frame is not None
    frame.wait_for_function(ALL_DRAWN_JS, timeout=120_000)
    state = drawn(frame)
    assert state["features"] >= 1
    assert state["drawn"] == state["features"], state

    # The API docs (Swagger UI, self-hosted) under the production CSP: the
    # operations render and the browser reports no violation of the policy.
    docs = board_context.new_page()
    docs.add_init_script(
        "window.cspViolations = []; document.addEventListener('securitypolicyviolation',"
        " e => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    docs_console: list[str] = []
    docs.on("console", lambda m: docs_console.append(m.text) if m.type == "error" else None)
    docs.goto(f"{BASE}/api/docs/")
    docs.locator(".opblock").first.wait_for(timeout=60_000)
    assert docs.locator(".opblock").count() >= 10
    assert docs.locator(".opblock-summary-path", has_text="/api/").count() >= 10
    assert docs.evaluate("window.cspViolations") == []
    assert docs_console == []

    assert errors == []
    assert [c for c in console if "Content Security Policy" in c] == []
    for c in (context, team_context, board_context):
        c.close()
