"""The groups' voice on the board's dashboard and report: small numbers
suppressed, words only with consent, another anchor's voice never shown."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from board.scope import BoardScope
from board.voice import board_voice
from matching.models import MatchFeedback, MatchOutcomeBlock, MatchStatus
from tests import factories as f

WORDS = "Zanzibar-quiet lunches brought Mrs Ollerenshaw back out"
STORY = "Thirty-one Quorndale neighbours met for the first time"


def _rated(anchor, decile, *, helped=4, consent=False, comment="", status=MatchStatus.ACTIVE):  # type: ignore[no-untyped-def]
    group = f.CommunityGroupFactory(neighbourhood=f.NeighbourhoodFactory(imd_decile=decile))
    match = f.MatchFactory(
        need=f.NeedFactory(activity=f.ActivityFactory(group=group, themes=["food"])),
        resource=f.ResourceFactory(anchor=anchor),
        status=status,
    )
    MatchFeedback.objects.create(
        match=match,
        helped=helped,
        listened=3,
        again="yes",
        comment=comment,
        quote_consent=consent,
        quote_consent_at=match.created_at if consent else None,
    )
    return match


def _voice(personas):  # type: ignore[no-untyped-def]
    return board_voice(scope=BoardScope(anchor_ids=(personas.anchor_a.pk,)), deciles=[])


def _row(voice, decile):  # type: ignore[no-untyped-def]
    return voice.rows[decile - 1]


def test_a_decile_with_fewer_than_eight_ratings_shows_no_averages(personas):
    for _ in range(3):
        _rated(personas.anchor_a, 2, helped=1)
    for _ in range(8):
        _rated(personas.anchor_a, 1, helped=5)

    voice = _voice(personas)

    small, shown = _row(voice, 2), _row(voice, 1)
    assert (small.ratings, small.helped, small.again_yes) == ("fewer than 8", "–", "–")
    assert small.suppressed
    assert (shown.ratings, shown.helped, shown.listened, shown.again_yes) == (
        "8",
        "5.0",
        "3.0",
        "100%",
    )


def test_the_total_cannot_give_away_a_suppressed_decile(personas):
    for _ in range(8):
        _rated(personas.anchor_a, 1, helped=5)
    _rated(personas.anchor_a, 7, helped=1)

    total = _voice(personas).total

    # 8 + "fewer than 8": the total says only what the rows already allow.
    assert total.ratings == "9 to 15"
    assert total.helped == "–"


def test_the_total_shows_averages_when_nothing_is_suppressed(personas):
    for decile in (1, 5):
        for _ in range(8):
            _rated(personas.anchor_a, decile, helped=2 if decile == 1 else 4)

    total = _voice(personas).total

    assert (total.ratings, total.helped) == ("16", "3.0")


def test_outcomes_are_counted_by_building_block(personas):
    done = _rated(personas.anchor_a, 3, status=MatchStatus.COMPLETED)
    type(done).objects.filter(pk=done.pk).update(outcome_people_reached=31)
    MatchOutcomeBlock.objects.create(match=done, block="partners")
    MatchOutcomeBlock.objects.create(match=done, block="estates")
    _rated(personas.anchor_a, 3, status=MatchStatus.COMPLETED)  # not coded

    voice = _voice(personas)

    counted = {row.block: (row.outcomes, row.people_reached) for row in voice.blocks}
    assert counted["partners"] == (1, 31) and counted["estates"] == (1, 31)
    assert counted["workforce"] == (0, 0)
    assert (voice.outcomes, voice.outcomes_not_coded) == (2, 1)


@pytest.fixture
def quoted(personas):  # type: ignore[no-untyped-def]
    cache.clear()
    silent = _rated(personas.anchor_a, 2, comment=WORDS, status=MatchStatus.COMPLETED)
    type(silent).objects.filter(pk=silent.pk).update(outcome_story=STORY)
    return personas, silent


@pytest.mark.parametrize("page", ["board:board", "board:board-report"])
def test_without_consent_the_words_are_not_on_the_board_pages(client, quoted, page):
    personas, _ = quoted
    client.force_login(personas.carol)

    html = client.get(reverse(page)).content.decode()

    assert "The groups' voice" in html
    assert WORDS not in html and STORY not in html
    assert "No group has yet agreed to be quoted" in html


@pytest.mark.parametrize("page", ["board:board", "board:board-report"])
def test_with_consent_the_words_are_shown_without_the_group(client, quoted, page):
    personas, match = quoted
    MatchFeedback.objects.filter(match=match).update(
        quote_consent=True, quote_consent_at=match.created_at
    )
    group = match.need.activity.group
    client.force_login(personas.carol)

    html = client.get(reverse(page)).content.decode()

    assert WORDS in html and STORY in html
    for personal in (group.name, group.contact_name, group.contact_email, group.contact_phone):
        assert personal not in html


def test_another_anchors_board_sees_nothing_of_it(client, quoted):
    personas, match = quoted
    MatchFeedback.objects.filter(match=match).update(
        quote_consent=True, quote_consent_at=match.created_at
    )
    board_b = f.member(personas.anchor_b, "board", username="bertha")
    client.force_login(board_b)

    html = client.get(reverse("board:board")).content.decode()

    assert WORDS not in html and STORY not in html
    table = re.search(r'<tbody id="voice-table">(.*?)</tbody>', html, re.S)
    assert table is not None and "fewer than 8" not in table.group(1)


def test_the_dashboard_shows_the_suppressed_label_to_the_board(client, personas):
    cache.clear()
    for _ in range(2):
        _rated(personas.anchor_a, 4, helped=1)
    client.force_login(personas.carol)

    html = client.get(reverse("board:board")).content.decode()

    table = re.search(r'<tbody id="voice-table">(.*?)</tbody>', html, re.S)
    assert table is not None
    row = re.search(r"<th scope=\"row\">4</th>(.*?)</tr>", table.group(1), re.S)
    assert row is not None and "fewer than 8" in row.group(1) and "1.0" not in row.group(1)
