""" "Why not us?" in the group's words: a stored reason (matching/engine/unmatched.py,
saved by matching/services/results.py) as a sentence, and what would change it.

Reads only what the run stored and the resources it names: nothing is
worked out again. It never names another group: "outbid" compares with the
need a pot backed by its score parts only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from matching.explain import FACTOR_WORDS, distance_words
from partners.models import NeedKind, amount_in_words

KIND_WORDS: dict[str, str] = {
    NeedKind.PROFILE: "publicity",
    NeedKind.TIME: "staff or volunteer time",
    NeedKind.SEED_FUNDING: "seed funding",
    NeedKind.SPACE: "space",
    NeedKind.CONNECTIONS: "introductions",
    NeedKind.EXPERTISE: "expertise",
}

NEXT_RUN_TOPPED_UP = "The next run, once the pot is topped up."


@dataclass(frozen=True)
class Why:
    """A reason as a sentence (``why``) and what would change it (``change``)."""

    why: str
    change: str


@dataclass(frozen=True)
class Offer:
    """What a reason may say of a resource: its title, its anchor's name and,
    if it has a fair-share floor, its share and for whom (``floor_where``)."""

    title: str
    anchor: str
    floor_percent: int = 0
    floor_where: str = ""


def _join(words: list[str], conjunction: str = "or") -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + f" {conjunction} " + words[-1]


def _themes(slugs: Any, theme_names: Mapping[str, str]) -> str:
    return _join([theme_names.get(s, s).lower() for s in slugs or []]) or "any theme"


def _offer(params: Mapping[str, Any], offers: Mapping[int, Offer]) -> str:
    offer = offers.get(int(params.get("resource_id") or 0))
    return f"“{offer.title}” from {offer.anchor}" if offer else "The offer"


def why_not(
    *,
    reason: str,
    params: Mapping[str, Any],
    kind: str,
    offers: Mapping[int, Offer],
    theme_names: Mapping[str, str],
) -> Why:
    """The sentence for one need's stored reason, in the group's terms."""
    what = KIND_WORDS.get(kind, kind)
    offer = _offer(params, offers)

    def amount(value: Any) -> str:
        return amount_in_words(int(value or 0), kind)

    if reason == "no_offer":
        return Why(
            f"No anchor offers {what} at present.",
            f"An anchor offering {what}: every run looks again.",
        )
    if reason == "out_of_reach":
        return _out_of_reach(params, what, offer)
    if reason == "min_award":
        return Why(
            f"You asked for {amount(params.get('amount'))}; the smallest award {offer}"
            f" gives is {amount(params.get('min_award'))}.",
            f"Asking for at least {amount(params.get('min_award'))}.",
        )
    if reason in ("spent_before", "left_below_min"):
        left = int(params.get("left") or 0)
        when = "when the run began" if reason == "spent_before" else "after this run"
        if left == 0:
            sentence = f"{offer} had nothing left to give {when}."
        else:
            sentence = (
                f"{offer} had {amount(left)} left {when}, less than its smallest award"
                f" of {amount(params.get('min_award'))}."
            )
        return Why(sentence, NEXT_RUN_TOPPED_UP)
    if reason == "theme":
        own = _themes(params.get("need_themes"), theme_names)
        near = params.get("distance_m")
        within = f" within {distance_words(float(near))} of you" if near is not None else ""
        return Why(
            f"The offers of {what} within reach are for"
            f" {_themes(params.get('offered_themes'), theme_names)}, not {own}.",
            f"An offer of {what} for {own}{within}.",
        )
    if reason == "outbid":
        return _outbid(params, offer, amount)
    if reason == "floor":
        return _floor(params, offers.get(int(params.get("resource_id") or 0)), offer, amount)
    if reason == "group_cap":
        cap = int(params.get("cap") or 0)
        of_kind = f" of {what}" if params.get("per_kind") else ""
        return Why(
            f"Your group already had {cap} need{'s' if cap != 1 else ''}{of_kind} backed in"
            " this run, the most one group may have.",
            "The next run, once one of your group's other needs is met.",
        )
    if reason == "zero_score":
        return Why(
            f"{offer} weighs what it looks for so that your need scores nothing.",
            "The anchor changing what it looks for.",
        )
    return Why(
        f"{offer} still had room, but the run ran out of time before it reached your need.",
        "The next run.",
    )


def _out_of_reach(params: Mapping[str, Any], what: str, offer: str) -> Why:
    if params.get("far"):
        # No run stored a reason: none of its offers came near the need.
        return Why(
            f"None of the offers of {what} reaches your area.",
            f"An offer of {what} nearer to you: every run looks again.",
        )
    if params.get("listed"):
        return Why(
            f"The offers of {what} are for listed neighbourhoods, and yours is not one of them.",
            "An anchor adding your neighbourhood to its list.",
        )
    distance = distance_words(float(params["distance_m"]))
    reach = distance_words(float(params["reach_m"]))
    return Why(
        f"Out of reach: the nearest offer of {what}, {offer}, is {distance} away"
        f" and reaches groups within {reach}.",
        f"An offer of {what} that reaches {distance} from its site, or one nearer to you.",
    )


def _lost_to(params: Mapping[str, Any], amount: Any, last: str) -> str:
    """How this need compared with ``last``, the lowest-ranked need backed."""
    deciding = list(params.get("deciding") or [])
    if deciding == ["amount"]:
        return (
            f"Your need scored as high as {last}, but asked for more"
            f" ({amount(params.get('amount'))} against {amount(params.get('served_amount'))}),"
            " and the pot goes furthest on smaller requests."
        )
    if deciding:
        factors = _join([FACTOR_WORDS.get(d, d) for d in deciding[:3]], "and")
        return f"{last[0].upper()}{last[1:]} ranked higher on {factors}."
    return f"{last[0].upper()}{last[1:]} ranked as high as yours."


def _outbid(params: Mapping[str, Any], offer: str, amount: Any) -> Why:
    detail = _lost_to(params, amount, "the last need it backed")
    return Why(
        f"{offer} was spent on needs that ranked higher. {detail}",
        NEXT_RUN_TOPPED_UP,
    )


def _floor(params: Mapping[str, Any], found: Offer | None, offer: str, amount: Any) -> Why:
    """The pot's fence held: what it keeps, for whom, and that the rest went higher."""
    where = (found.floor_where if found else "") or "the neighbourhoods its floor is for"
    if found and found.floor_percent:
        share = "all of it" if found.floor_percent >= 100 else f"{found.floor_percent}%"
    else:  # the floor was changed since the run: say the amount the run kept
        share = f"{amount(params.get('floor'))} of it"
    if not int(params.get("open") or 0):
        return Why(
            f"{offer} keeps {share} for {where}, and your neighbourhood is not one of them.",
            "Its anchor opening part of the pot to other neighbourhoods.",
        )
    detail = _lost_to(params, amount, "the last need it backed from that part")
    return Why(
        f"{offer} keeps {share} for {where}; the part open to yours"
        f" ({amount(params.get('open'))}) was given to needs that scored higher. {detail}",
        f"The pot being topped up, or its anchor keeping a smaller share for {where}.",
    )
