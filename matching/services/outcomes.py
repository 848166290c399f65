"""How a completed match's outcome is coded: the anchor building blocks it
served (one or more) and, optionally, TOMs measure codes.

Codes only for TOMs: the framework's measure text is not openly licensed, so
Backer keeps the code the anchor already reports against ("NT1") and never
the words behind it. Called by matching.services.review.match_complete inside
its transaction, so an outcome is never saved without its coding.
"""

from __future__ import annotations

from collections.abc import Iterable

from matching.models import Match
from matching.models_voice import (
    TOMS_CODE_RE,
    TOMS_CODES_MAX,
    MatchOutcomeBlock,
    MatchOutcomeMeasure,
    OutcomeBlock,
)

__all__ = ["outcome_codes_check", "outcome_codes_save", "toms_code_normalise"]


def toms_code_normalise(raw: str) -> str:
    """ "nt1" -> "NT1", " ne3A " -> "NE3a": capital letters, digits, a small suffix letter."""
    text = raw.strip().replace(" ", "")
    head = text.rstrip("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    tail = text[len(head) :]
    return head.upper() + tail.lower()


def outcome_codes_check(
    *, blocks: Iterable[str], measures: Iterable[str]
) -> tuple[list[str], list[str], dict[str, str]]:
    """The blocks and measure codes, cleaned, and an error per field (empty when fine)."""
    errors: dict[str, str] = {}
    chosen = sorted({str(b) for b in blocks})
    if not chosen:
        errors["blocks"] = "Choose at least one building block this outcome served."
    elif any(b not in OutcomeBlock.values for b in chosen):
        errors["blocks"] = "Choose building blocks from the list."
    codes = sorted({toms_code_normalise(str(m)) for m in measures if str(m).strip()})
    bad = [code for code in codes if not TOMS_CODE_RE.match(code)]
    if bad:
        errors["measures"] = (
            "Enter TOMs measure codes like NT1 or HE12, separated by commas: "
            + ", ".join(bad[:3])
            + (" is not one." if len(bad) == 1 else " are not.")
        )
    elif len(codes) > TOMS_CODES_MAX:
        errors["measures"] = f"Enter at most {TOMS_CODES_MAX} TOMs measure codes."
    return chosen, codes, errors


def outcome_codes_save(*, match: Match, blocks: list[str], measures: list[str]) -> None:
    """Replace the match's coding (re-delivery and re-saving are harmless)."""
    MatchOutcomeBlock.objects.filter(match=match).delete()
    MatchOutcomeMeasure.objects.filter(match=match).delete()
    MatchOutcomeBlock.objects.bulk_create(MatchOutcomeBlock(match=match, block=b) for b in blocks)
    MatchOutcomeMeasure.objects.bulk_create(
        MatchOutcomeMeasure(match=match, code=c) for c in measures
    )
