"""The directory's search results as a visitor reads them (issue 18: each
entry is written by partners/templatetags/directory_tags.py, not by template
nodes): every value escaped, the day checked in the site's time zone, and
each name's link leading to that group's own page."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from django.utils import timezone
from pytest_django.asserts import assertContains

from tests import factories as f


def test_what_a_group_typed_is_shown_as_text_never_as_markup(client, db):
    group = f.CommunityGroupFactory(
        name="Tea & <b>Talk</b>",
        description='<script>alert("hi")</script> A weekly cuppa',
        website="https://tea.example.org/?a=1&b=2",
        public_phone="<i>0161</i>",
    )
    response = client.get("/directory/")
    body = response.content.decode()
    assert "<b>Talk</b>" not in body
    assert "<script>alert" not in body
    assert "<i>0161</i>" not in body
    assertContains(
        response,
        f'<h3><a href="/directory/{group.pk}/">Tea &amp; &lt;b&gt;Talk&lt;/b&gt;</a></h3>',
        html=True,
    )
    assertContains(response, "<dd>&lt;i&gt;0161&lt;/i&gt;</dd>", html=True)
    assertContains(response, 'href="https://tea.example.org/?a=1&amp;b=2"')


def _last_summer_midnight() -> datetime:
    """23:30 UTC on the last 30 June before now: 00:30 on 1 July in London
    (BST), and within the 13 months a group stays listed."""
    now = timezone.now()
    year = now.year if now >= datetime(now.year, 7, 1, tzinfo=UTC) else now.year - 1
    return datetime(year, 6, 30, 23, 30, tzinfo=UTC)


def test_the_day_a_group_was_checked_is_the_day_in_the_uk(client, db):
    checked = _last_summer_midnight()
    f.CommunityGroupFactory(name="Night Owls", last_checked_at=checked)
    body = client.get("/directory/").content.decode()
    assert f"Last checked 1 July {checked.year}" in body
    assert "30 June" not in body


def test_each_name_leads_to_that_groups_own_page(client, db):
    groups = [f.CommunityGroupFactory(name=name) for name in ("Alder Walkers", "Birch Bakers")]
    body = client.get("/directory/").content.decode()
    for group in groups:
        (href,) = re.findall(rf'<a href="([^"]+)">{group.name}</a>', body)
        page = client.get(href)
        assert page.status_code == 200, href
        assertContains(page, f"<h1>{group.name}</h1>", html=True)


def test_a_group_with_nothing_published_shows_no_contact_list(client, db):
    group = f.CommunityGroupFactory(
        name="Quiet Knitters", website="", public_email="", public_phone=""
    )
    body = client.get("/directory/").content.decode()
    article = body[
        body.index("Quiet Knitters") : body.index("</article>", body.index("Quiet Knitters"))
    ]
    assert "<dt>Website</dt>" not in article and "<dt>Phone</dt>" not in article
    assert group.contact_email not in body
    detail = client.get(f"/directory/{group.pk}/").content.decode()
    assert "This group has not published contact details." in detail


def test_each_day_is_written_in_the_language_it_is_read_in(db):
    """checked_on keeps each day it has written (issue 18): a kept day is
    still that day, and still in the language active when it is read."""
    from django.utils import translation

    from partners.templatetags.directory_tags import checked_on

    summer = _last_summer_midnight()
    groups = [
        f.CommunityGroupFactory.build(last_checked_at=when)
        for when in (summer, summer.replace(month=6, day=2))  # 23:30 UTC: the next day in London
    ]
    assert [checked_on(group) for group in groups] == [
        f"1 July {summer.year}",
        f"3 June {summer.year}",
    ]
    with translation.override("fr"):
        assert checked_on(groups[0]) == f"1 juillet {summer.year}"
    assert checked_on(groups[0]) == f"1 July {summer.year}"
