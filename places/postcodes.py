"""UK postcodes: normalise and validate.

Pure Python, no database: forms, importers and the geocoders share it.
The rules are Royal Mail's (which letters may stand in which position), so
"QQ1 1AA" is refused while every live Code-Point Open postcode passes.
"""

from __future__ import annotations

import re

__all__ = [
    "EXAMPLE_POSTCODE",
    "POSTCODE_PATTERN",
    "SPECIAL_POSTCODES",
    "InvalidPostcode",
    "is_valid_postcode",
    "normalise_postcode",
    "postcode_normalise",
]

EXAMPLE_POSTCODE = "M5 4WT"

# Outward code: A9, A99, AA9, AA99, A9A or AA9A. The first letter is never
# Q, V or X; the second never I, J or Z; a letter in third place is one of
# A-H J K P S T U W; in fourth place one of A B E H M N P R V W X Y.
_OUTWARD = (
    r"(?:[A-PR-UWYZ][0-9]{1,2}"
    r"|[A-PR-UWYZ][A-HK-Y][0-9]{1,2}"
    r"|[A-PR-UWYZ][0-9][A-HJKPSTUW]"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])"
)
# Inward code: a digit and two letters, never C I K M O V.
_INWARD = r"[0-9][ABD-HJLNP-UW-Z]{2}"

# Real postcodes outside the rules above: Girobank's GIR 0AA and the British
# Overseas Territories that adopted UK-style postcodes (Gibraltar's GX11 1AA
# already fits the rules).
SPECIAL_POSTCODES = frozenset(
    {
        "GIR 0AA",
        "ASCN 1ZZ",  # Ascension Island
        "BBND 1ZZ",  # British Indian Ocean Territory
        "BIQQ 1ZZ",  # British Antarctic Territory
        "FIQQ 1ZZ",  # Falkland Islands
        "PCRN 1ZZ",  # Pitcairn Islands
        "SIQQ 1ZZ",  # South Georgia and the South Sandwich Islands
        "STHL 1ZZ",  # Saint Helena
        "TDCU 1ZZ",  # Tristan da Cunha
        "TKCA 1ZZ",  # Turks and Caicos Islands
    }
)

# The normal form: outward code, one space, inward code.
POSTCODE_PATTERN = rf"{_OUTWARD} {_INWARD}"
_POSTCODE_RE = re.compile(POSTCODE_PATTERN)
_WHITESPACE_RE = re.compile(r"\s+")


class InvalidPostcode(ValueError):
    """Not a UK postcode. ``str(error)`` is a plain-English message for people."""

    def __init__(self, raw: object, message: str | None = None) -> None:
        self.raw = raw
        super().__init__(message or f"Enter a real postcode, like {EXAMPLE_POSTCODE}")


def _canonical(raw: str) -> str:
    # Drop every kind of space (including non-breaking ones pasted from web
    # pages), then put one space before the three-character inward code.
    compact = _WHITESPACE_RE.sub("", raw).upper()
    if len(compact) < 5:
        return compact
    return f"{compact[:-3]} {compact[-3:]}"


def is_valid_postcode(postcode: str) -> bool:
    """True if ``postcode`` is already in normal form ("M5 4WT") and valid."""
    return postcode in SPECIAL_POSTCODES or bool(_POSTCODE_RE.fullmatch(postcode))


def normalise_postcode(raw: object) -> str:
    """Return the normal form of a UK postcode: ``"m5  4wt"`` -> ``"M5 4WT"``.

    Accepts any case, no space or extra spaces. Raises InvalidPostcode with a
    message fit to show a member of the public.
    """
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidPostcode(raw, f"Enter a postcode, like {EXAMPLE_POSTCODE}")
    postcode = _canonical(raw)
    if not is_valid_postcode(postcode):
        raise InvalidPostcode(raw)
    return postcode


def postcode_normalise(*, postcode: object) -> str:
    """Keyword-only spelling of normalise_postcode, in the services style."""
    return normalise_postcode(postcode)
