"""Idle sessions end after 30 minutes; every session after 12 hours."""

from __future__ import annotations

import time

from config.security import SESSION_LAST_SEEN, SESSION_STARTED


def age_session(client, *, started_ago: float, last_seen_ago: float) -> None:
    session = client.session
    now = time.time()
    session[SESSION_STARTED] = now - started_ago
    session[SESSION_LAST_SEEN] = now - last_seen_ago
    session.save()


def test_an_active_session_continues(client, personas):
    client.force_login(personas.dave)
    client.get("/")
    age_session(client, started_ago=3600, last_seen_ago=60)
    response = client.get("/")
    assert response.status_code == 200
    assert response.wsgi_request.user.is_authenticated


def test_a_session_idle_for_over_30_minutes_ends(client, personas):
    client.force_login(personas.dave)
    client.get("/")
    age_session(client, started_ago=31 * 60, last_seen_ago=31 * 60)
    response = client.get("/")
    assert response.status_code == 302
    assert "expired=1" in response["Location"]
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_every_session_ends_after_12_hours_however_busy(client, personas):
    client.force_login(personas.dave)
    client.get("/")
    age_session(client, started_ago=12 * 3600 + 1, last_seen_ago=5)
    response = client.get("/")
    assert response.status_code == 302
