"""The score's parts in plain English, for the reviewer ("why this match",
"what held it back"). Reads only what the run stored on the match."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from matching.models import Match

HELD_BACK = {
    "need fully met": "Nothing: it meets the whole request.",
    "maximum award": "The resource's largest single award.",
    "resource capacity exhausted": "The resource has nothing left to give after this.",
    "remaining capacity below minimum award": (
        "What is left in the resource is below its smallest award."
    ),
    "group cap": "The group already has as many matches as one group may get in a run.",
    "group cap for this kind": "The group already has as many matches of this kind as allowed.",
    "fair-share floor": (
        "The rest of the resource is kept for groups in the most deprived neighbourhoods "
        "(its fair-share floor)."
    ),
}


@dataclass(frozen=True)
class Explanation:
    why: list[str]
    held_back: str


#: What each score part weighs, in the words "why this match" uses: also
#: the factors that decided against a need ("why not us?", matching/whynot.py).
FACTOR_WORDS = {
    "theme_fit": "how well its themes fit",
    "proximity": "closeness to the offer's site",
    "equity": "how deprived its neighbourhood is",
    "newness": "not having been backed by an anchor lately",
    "value": "people reached for what it asked",
}


def distance_words(metres: float) -> str:
    if metres < 1000:
        return f"{round(metres / 10) * 10:.0f} m"
    return f"{metres / 1000:.1f} km"


def match_explain(*, match: Match, theme_names: dict[str, str]) -> Explanation:
    stored = match.score_parts or {}
    parts: dict[str, float] = stored.get("parts", {})
    facts: dict[str, Any] = stored.get("facts", {})
    why: list[str] = []

    shared = [theme_names.get(s, s).lower() for s in facts.get("shared_themes", []) or []]
    theme_fit = parts.get("theme_fit", 0.0)
    if shared:
        strength = "Strong" if theme_fit >= 0.75 else "Some"
        why.append(f"{strength} theme fit: both about {' and '.join(shared)}")
    elif theme_fit >= 0.5:
        # Say the group's own themes: "open to every theme" told the reviewer
        # nothing about what this activity is.
        own = [theme_names.get(s, s).lower() for s in facts.get("need_themes", []) or []]
        if own:
            why.append(f"Theme fit: {' and '.join(own)}, which the resource welcomes")
        else:
            why.append("The resource is open to every theme")

    decile = facts.get("imd_decile")
    if isinstance(decile, int):
        if decile <= 5:
            why.append(f"In one of the {decile * 10}% most deprived neighbourhoods")
        else:
            why.append(f"In a less deprived neighbourhood (decile {decile} of 10)")

    months = facts.get("months_since_backed", "never")
    if months is None:
        why.append("Never backed by an anchor before")
    elif isinstance(months, int):
        why.append(
            "Backed by an anchor this month"
            if months == 0
            else f"Last backed by an anchor {months} month{'s' if months != 1 else ''} ago"
        )

    if match.distance_m is not None:
        site = facts.get("site") or "the resource's centre"
        why.append(f"{distance_words(match.distance_m)} from {site}")
    else:
        why.append("In one of the resource's neighbourhoods")

    people = facts.get("people_reached")
    if isinstance(people, int) and people > 0:
        why.append(f"Reaches about {people} {'person' if people == 1 else 'people'} a month")

    held = HELD_BACK.get(match.binding, match.binding.capitalize() if match.binding else "")
    return Explanation(why=why, held_back=held)
