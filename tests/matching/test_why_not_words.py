""" "Why not us?" in words: every reason the engine gives reads as a sentence in
the group's terms, with what would change it (matching/whynot.py)."""

from __future__ import annotations

import re

import pytest

from matching.engine.unmatched import REASONS
from matching.whynot import NEXT_RUN_TOPPED_UP, Offer, why_not

OFFERS = {7: Offer(title="Community chest", anchor="Salford Royal")}
THEMES = {"green-spaces": "Green spaces", "food": "Food"}
PARTS = {"theme_fit": 0.5, "proximity": 0.5, "equity": 0.5, "newness": 0.5, "value": 0.5}
PARAMS = {
    "no_offer": {"kind": "seed_funding"},
    "out_of_reach": {"resource_id": 7, "distance_m": 12_345.0, "reach_m": 10_000.0},
    "min_award": {"resource_id": 7, "min_award": 50_000, "amount": 20_000},
    "spent_before": {"resource_id": 7, "left": 0, "min_award": 0},
    "theme": {"need_themes": ["green-spaces"], "offered_themes": ["food"], "distance_m": 1_112.0},
    "zero_score": {"resource_id": 7},
    "outbid": {
        "resource_id": 7,
        "score": 0.4,
        "parts": PARTS,
        "amount": 20_000,
        "served_score": 0.8,
        "served_parts": PARTS,
        "served_amount": 10_000,
        "deciding": ["equity", "newness"],
    },
    "floor": {
        "resource_id": 7,
        "score": 0.4,
        "parts": PARTS,
        "amount": 20_000,
        "served_score": 0.8,
        "served_parts": PARTS,
        "served_amount": 10_000,
        "deciding": ["equity"],
        "floor": 4_000,
        "open": 6_000,
        "left": 0,
    },
    "left_below_min": {"resource_id": 7, "left": 2_000, "min_award": 10_000},
    "group_cap": {"cap": 1, "per_kind": True},
    "not_chosen": {"resource_id": 7},
}


def words(reason: str, **params: object) -> tuple[str, str]:
    said = why_not(
        reason=reason,
        params={**PARAMS[reason], **params},
        kind="seed_funding",
        offers=OFFERS,
        theme_names=THEMES,
    )
    return said.why, said.change


@pytest.mark.parametrize("reason", REASONS)
def test_every_reason_reads_as_a_sentence_with_what_would_change_it(reason: str) -> None:
    why, change = words(reason)
    for text in (why, change):
        assert text.endswith(".") and text.lstrip("“")[0].isupper()
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), text  # no raw codes or parts
        assert "None" not in text and "{" not in text


def test_the_words_say_the_facts_of_each_reason() -> None:
    assert words("out_of_reach") == (
        "Out of reach: the nearest offer of seed funding, “Community chest” from Salford"
        " Royal, is 12.3 km away and reaches groups within 10.0 km.",
        "An offer of seed funding that reaches 12.3 km from its site, or one nearer to you.",
    )
    assert words("min_award")[1] == "Asking for at least £500."
    assert words("theme") == (
        "The offers of seed funding within reach are for food, not green spaces.",
        "An offer of seed funding for green spaces within 1.1 km of you.",
    )
    assert words("left_below_min") == (
        "“Community chest” from Salford Royal had £20 left after this run, less than its"
        " smallest award of £100.",
        NEXT_RUN_TOPPED_UP,
    )
    assert words("group_cap")[0] == (
        "Your group already had 1 need of seed funding backed in this run, the most one"
        " group may have."
    )


def test_outbid_names_the_deciding_factors_or_the_size_of_the_request() -> None:
    why, change = words("outbid")
    assert why.endswith(
        "The last need it backed ranked higher on how deprived its neighbourhood is and"
        " not having been backed by an anchor lately."
    )
    assert change == NEXT_RUN_TOPPED_UP
    by_size, _ = words("outbid", deciding=["amount"])
    assert "asked for more (£200 against £100)" in by_size


FLOORED = {
    8: Offer(
        title="Community chest",
        anchor="Salford Royal",
        floor_percent=40,
        floor_where="the most deprived neighbourhoods (IMD deciles 1–2)",
    )
}


def test_a_floor_says_what_the_pot_keeps_for_whom_and_that_the_open_part_went_higher() -> None:
    said = why_not(
        reason="floor",
        params={**PARAMS["floor"], "resource_id": 8},
        kind="seed_funding",
        offers=FLOORED,
        theme_names=THEMES,
    )
    assert said.why == (
        "“Community chest” from Salford Royal keeps 40% for the most deprived neighbourhoods"
        " (IMD deciles 1–2); the part open to yours (£60) was given to needs that scored"
        " higher. The last need it backed from that part ranked higher on how deprived its"
        " neighbourhood is."
    )
    assert said.change == (
        "The pot being topped up, or its anchor keeping a smaller share for the most deprived"
        " neighbourhoods (IMD deciles 1–2)."
    )


def test_a_floor_of_the_whole_pot_or_changed_since_the_run_says_the_amount() -> None:
    whole = why_not(
        reason="floor",
        params={"resource_id": 8, "floor": 10_000, "open": 0, "left": 2_000},
        kind="seed_funding",
        offers={8: Offer("Community chest", "Salford Royal", 100, "the neighbourhoods it names")},
        theme_names=THEMES,
    )
    assert whole.why == (
        "“Community chest” from Salford Royal keeps all of it for the neighbourhoods it names,"
        " and your neighbourhood is not one of them."
    )
    # The anchor took the floor off after the run: the run's own amounts are said.
    changed = words("floor")
    assert changed[0].startswith(
        "“Community chest” from Salford Royal keeps £40 of it for the neighbourhoods its floor"
        " is for; the part open to yours (£60) was given"
    )


def test_a_need_no_run_came_near_reads_as_out_of_reach_of_every_offer() -> None:
    assert words("out_of_reach", far=True) == (
        "None of the offers of seed funding reaches your area.",
        "An offer of seed funding nearer to you: every run looks again.",
    )
