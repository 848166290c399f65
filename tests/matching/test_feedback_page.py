"""The group's page to rate its backing, as the group's contact sees it."""

from __future__ import annotations

import re

import pytest

from matching.models import MatchFeedback
from matching.services import feedback, review


@pytest.fixture
def under_way(proposal):  # type: ignore[no-untyped-def]
    review.match_approve(match_id=proposal.match.pk, by=proposal.alice)
    review.match_accept(match_id=proposal.match.pk, by=proposal.dave)
    proposal.url = f"/group/offers/{proposal.match.pk}/feedback/"
    return proposal


ANSWERS = {"helped": "4", "listened": "2", "again": "not_sure", "comment": "Slow to reply."}


def test_the_offers_page_links_to_the_rating(client, under_way):
    client.force_login(under_way.dave)

    html = client.get("/group/offers/").content.decode()

    assert under_way.url in html and "Tell them how it is going" in html


def test_the_group_rates_its_backing_and_sees_its_answers_again(client, under_way):
    client.force_login(under_way.dave)

    response = client.post(under_way.url, {**ANSWERS, "quote_consent": "on"})

    assert response.status_code == 302
    given = MatchFeedback.objects.get(match=under_way.match)
    assert (given.helped, given.listened, given.again) == (4, 2, "not_sure")
    assert given.quote_consent is True
    html = client.get(under_way.url).content.decode()
    assert re.search(r'<input[^>]*name="helped" value="4"[^>]*checked', html)
    assert re.search(r'<input[^>]*name="quote_consent"[^>]*checked', html)
    assert "Slow to reply." in html


def test_every_error_shows_at_once_and_what_was_typed_stays(client, under_way):
    client.force_login(under_way.dave)

    html = client.post(under_way.url, {"comment": "We would like more notice."}).content.decode()

    assert "There is a problem" in html
    for field in ("helped", "listened", "again"):
        assert f'href="#id_{field}' in html
    assert "We would like more notice." in html
    assert not MatchFeedback.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("erin", 404), ("alice", 403), ("carol", 403)])
def test_no_one_else_opens_or_posts_it(client, under_way, who, status):
    client.force_login(getattr(under_way, who))

    assert client.get(under_way.url).status_code == status
    assert client.post(under_way.url, ANSWERS).status_code == status
    assert not MatchFeedback.objects.exists()


def test_the_public_is_sent_to_sign_in(client, under_way):
    response = client.get(under_way.url)

    assert response.status_code == 302 and "sign-in" in response["Location"]


def test_after_completion_the_answers_are_shown_not_changed(client, under_way):
    pk = under_way.match.pk
    feedback.match_feedback_give(
        match_id=pk, by=under_way.dave, helped=5, listened=5, again="yes", quote_consent=True
    )
    review.match_activate(match_id=pk, by=under_way.alice)
    review.match_complete(
        match_id=pk, by=under_way.alice, people_reached=9, story="Done.", blocks=["partners"]
    )
    client.force_login(under_way.dave)

    html = client.get(under_way.url).content.decode()
    client.post(under_way.url, {**ANSWERS})

    assert "can no longer be changed" in html and "<textarea" not in html
    assert MatchFeedback.objects.get(match_id=pk).helped == 5
    client.post(f"/group/offers/{pk}/feedback/withdraw-consent/")
    assert MatchFeedback.objects.get(match_id=pk).quote_consent is False


def test_the_team_sees_the_rating_and_the_words_on_its_match_page(client, under_way):
    feedback.match_feedback_give(
        match_id=under_way.match.pk,
        by=under_way.dave,
        helped=2,
        listened=1,
        again="no",
        comment="Nobody called us back.",
    )
    client.force_login(under_way.alice)

    html = client.get(f"/team/matching/matches/{under_way.match.pk}/").content.decode()

    assert "Nobody called us back." in html and "Not at all (1 out of 5)" in html
