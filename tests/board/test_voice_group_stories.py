"""The groups' own stories of what happened on the board's voice section:
quoted only with the story's own consent, never with the group's name, the
people reached suppressed from 1 to 7 like every small count."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from board.scope import BoardScope
from board.voice import board_voice
from matching.models import MatchFeedback, MatchGroupReport, MatchStatus
from tests import factories as f

STORY = "Nineteen Brindleford carers found each other at the Tuesday walk"


def _reported(anchor, *, people=19, consent=False, rated=False, status=MatchStatus.ACTIVE):  # type: ignore[no-untyped-def]
    group = f.CommunityGroupFactory(neighbourhood=f.NeighbourhoodFactory(imd_decile=2))
    match = f.MatchFactory(
        need=f.NeedFactory(activity=f.ActivityFactory(group=group, themes=["food"])),
        resource=f.ResourceFactory(anchor=anchor),
        status=status,
    )
    MatchGroupReport.objects.create(
        match=match,
        people_reached=people,
        story=STORY,
        quote_consent=consent,
        quote_consent_at=match.created_at if consent else None,
    )
    if rated:
        # The rating's consent is given; the story's is a separate question.
        MatchFeedback.objects.create(
            match=match,
            helped=4,
            listened=4,
            again="yes",
            quote_consent=True,
            quote_consent_at=match.created_at,
        )
    return match


def _quotes(personas):  # type: ignore[no-untyped-def]
    scope = BoardScope(anchor_ids=(personas.anchor_a.pk,))
    return board_voice(scope=scope, deciles=[]).quotes


def test_a_story_without_its_consent_is_not_quoted_even_when_the_rating_may_be(personas):
    match = _reported(personas.anchor_a, rated=True, status=MatchStatus.COMPLETED)
    # The team completed it with the group's story, as the form started it.
    type(match).objects.filter(pk=match.pk).update(outcome_story=STORY)

    assert [q.words for q in _quotes(personas)] == []


def test_a_story_with_its_consent_is_quoted_with_the_people_reached(personas):
    _reported(personas.anchor_a, consent=True, people=19)

    (quote,) = _quotes(personas)

    assert (quote.words, quote.source, quote.people_reached) == (STORY, "The group's story", "19")
    assert quote.decile == 2


@pytest.mark.parametrize(("people", "shown"), [(0, "0"), (1, "fewer than 8"), (7, "fewer than 8")])
def test_small_numbers_of_people_reached_are_suppressed(personas, people, shown):
    _reported(personas.anchor_a, consent=True, people=people)

    (quote,) = _quotes(personas)

    assert quote.people_reached == shown


def test_an_erased_groups_story_is_not_quoted(personas):
    match = _reported(personas.anchor_a, consent=True)
    group = match.need.activity.group
    type(group).objects.filter(pk=group.pk).update(erased_at=match.created_at)

    assert _quotes(personas) == []


@pytest.mark.parametrize("page", ["board:board", "board:board-report"])
def test_the_board_pages_quote_the_story_only_with_consent_and_never_the_group(
    client, personas, page
):
    cache.clear()
    match = _reported(personas.anchor_a, consent=False, people=5)
    group = match.need.activity.group
    client.force_login(personas.carol)

    before = client.get(reverse(page)).content.decode()
    MatchGroupReport.objects.filter(match=match).update(
        quote_consent=True, quote_consent_at=match.created_at
    )
    after = client.get(reverse(page)).content.decode()

    assert STORY not in before and "No group has yet agreed to be quoted" in before
    quotes = re.search(r'<ul class="quotes" id="voice-quotes">(.*?)</ul>', after, re.S)
    assert quotes is not None and STORY in quotes.group(1)
    assert "people reached so far: fewer than 8" in quotes.group(1)
    for personal in (group.name, group.contact_name, group.contact_email, group.contact_phone):
        assert personal not in after


def test_another_anchors_board_sees_no_story(client, personas):
    cache.clear()
    _reported(personas.anchor_a, consent=True)
    client.force_login(f.member(personas.anchor_b, "board", username="bertha"))

    assert STORY not in client.get(reverse("board:board")).content.decode()
