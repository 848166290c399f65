from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_it_reports_database_and_in_process_broker(client, settings):
    settings.CELERY_BROKER_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "in-process"}


@pytest.mark.django_db
def test_it_reports_an_unreachable_broker_as_degraded(client, settings):
    # Port 9 on loopback: nothing listens there, so the connection is refused at once.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "unreachable"
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_an_unknown_api_path_answers_json_and_an_unknown_page_answers_html(client):
    api = client.get("/api/no-such-thing/")
    assert api.status_code == 404
    assert api.json() == {"message": "Not found.", "extra": {}}
    page = client.get("/no-such-page/")
    assert page.status_code == 404
    assert b"Page not found" in page.content
