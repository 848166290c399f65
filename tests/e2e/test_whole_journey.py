"""The whole journey in a real browser, under the pages' real policy.

A group registers and verifies its e-mail; an anchor team member verifies
the group, runs matching and approves a proposal; the group accepts; the
board map's table shows the new backing.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache
from playwright.sync_api import expect

from partners.models import CommunityGroup
from tests import factories as f

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LINK = re.compile(r"https?://[^\s]+")


def link_in_last_email(live_server_url: str) -> str:
    url = LINK.findall(mail.outbox[-1].body)[0]
    # E-mails carry BACKER_SITE_URL; the browser talks to the live server.
    return live_server_url + "/" + url.split("/", 3)[3]


def continue_(page) -> None:
    page.locator("main button.button", has_text="Continue").first.click()


def register(page, base: str) -> None:
    page.goto(f"{base}/register/")
    page.get_by_role("button", name="Start now").click()
    page.fill("[name=name]", "Seedley Soup Club")
    page.fill("[name=description]", "Soup and company on Thursdays.")
    page.check("[name=kind][value=unregistered]")
    continue_(page)
    page.fill("[name=postcode]", "m5 4wt")
    page.check("[name=meets_at_home][value=no]")
    page.fill("[name=address]", "Seedley community hall")
    continue_(page)
    page.fill("[name=title]", "Thursday soup lunch")
    page.fill("[name=description]", "A hot lunch for neighbours who live alone.")
    page.check("[name=themes][value=food]")
    page.check("[name=themes][value=loneliness-and-isolation]")
    page.check("[name=frequency][value=weekly]")
    page.fill("[name=where]", "Seedley community hall")
    page.fill("[name=people_reached_per_month]", "60")
    continue_(page)
    page.check("[name=kind][value=seed_funding]")
    page.fill("[name=amount]", "300")
    page.fill("[name=why]", "A new soup kettle.")
    continue_(page)
    page.fill("[name=contact_name]", "Sam Soup")
    page.fill("[name=contact_email]", "sam@example.org")
    page.check("[name=consent_public]")
    continue_(page)
    page.get_by_role("button", name="Accept and send").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()


def test_a_group_is_registered_backed_and_shown_on_the_board_map(
    plain_page, signed_in_page, live_server, personas
):
    cache.clear()
    place = f.registration_place()
    pot = f.ResourceFactory(anchor=personas.anchor_a, title="Community chest", themes=["food"])
    base = live_server.url

    # 1. The group registers and confirms its e-mail address.
    register(plain_page, base)
    plain_page.goto(link_in_last_email(base))
    plain_page.get_by_role("button", name="Confirm my email address").click()
    group = CommunityGroup.objects.get(name="Seedley Soup Club")
    assert group.email_verified_at is not None
    assert group.neighbourhood == place.neighbourhood

    # 2. The anchor team verifies it, runs matching and approves the proposal.
    team = signed_in_page(personas.alice)
    team.goto(f"{base}/team/groups/queue/")
    team.get_by_role("link", name="Seedley Soup Club").first.click()
    team.get_by_role("button", name="Verify this group").click()
    team.goto(f"{base}/team/matching/runs/?anchor={personas.anchor_a.slug}")
    team.get_by_role("button", name="Run matching now").click()
    team.goto(f"{base}/team/matching/?anchor={personas.anchor_a.slug}")
    team.get_by_role("button", name="Approve Seedley Soup Club").click()
    expect(team.locator("body")).to_contain_text(re.compile("approved", re.I))
    pot.refresh_from_db()
    assert pot.allocated == 30_000  # pence: the £300 asked for

    # 3. The group signs in with an e-mailed link and accepts the offer.
    contact = plain_page
    contact.goto(f"{base}/group/sign-in/")
    contact.fill("[name=email]", "sam@example.org")
    contact.get_by_role("button", name="Send me a link").click()
    contact.goto(link_in_last_email(base))
    contact.get_by_role("button", name="Sign in").click()
    contact.goto(f"{base}/group/offers/")
    contact.get_by_role("button", name=re.compile("^Accept")).click()
    expect(contact.locator("body")).to_contain_text("you accepted the offer")

    # 4. The board's map table shows the backing in the group's neighbourhood.
    board = signed_in_page(personas.carol)
    board.goto(f"{base}/board/map/")
    row = board.locator(f"tr[data-code='{place.neighbourhood.code}']")
    assert row.locator("[data-field=active_matches]").inner_text().strip() == "1"
    assert row.locator("[data-field=pounds_awarded]").inner_text().strip() in {"£300", "300"}
