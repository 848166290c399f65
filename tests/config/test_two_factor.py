"""Anchor team, board and supplier users need a second factor; group contacts do not."""

from __future__ import annotations

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


@pytest.fixture
def two_factor_on(settings):
    settings.BACKER_REQUIRE_2FA = True


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_a_team_member_is_sent_to_set_up_a_second_factor(client, personas, two_factor_on):
    client.force_login(personas.alice)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/")
    page = client.get(response["Location"])
    assert "Set up two-factor sign-in" in page.content.decode()
    assert "<svg" in page.content.decode()


def test_the_api_refuses_an_unverified_board_member_with_a_reason(client, personas, two_factor_on):
    client.force_login(personas.carol)
    api = client.get("/api/schema/")
    assert api.status_code == 403
    assert api.json()["message"] == "Complete two-factor sign-in first."


def test_a_correct_code_completes_sign_in_and_a_wrong_one_is_explained(
    client, personas, two_factor_on
):
    client.force_login(personas.alice)
    client.get("/accounts/two-factor/")
    device = TOTPDevice.objects.get(user=personas.alice)
    wrong = client.post("/accounts/two-factor/", {"token": "000000", "next": "/"})
    assert "The code is wrong or has expired" in wrong.content.decode()
    assert 'href="#id_token"' in wrong.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows retries after a wrong code
    ok = client.post("/accounts/two-factor/", {"token": current_code(device), "next": "/healthz"})
    assert ok.status_code == 302 and ok["Location"] == "/healthz"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/").status_code == 200


def test_a_group_contact_needs_no_second_factor(client, personas, two_factor_on):
    client.force_login(personas.dave)
    assert client.get("/").status_code == 200


def test_next_cannot_send_the_user_to_another_site(client, personas, two_factor_on):
    client.force_login(personas.alice)
    client.get("/accounts/two-factor/")
    device = TOTPDevice.objects.get(user=personas.alice)
    response = client.post(
        "/accounts/two-factor/", {"token": current_code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_a_supplier_is_sent_to_set_up_a_second_factor_before_its_pages(
    client, personas, two_factor_on
):
    # A supplier sees the contacts of groups that accepted its pledge: ASVS L2, like staff.
    client.force_login(personas.sam)
    response = client.get("/supplier/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/?next=/supplier/"
