"""Postcodes are normalised ("m5 4wt" -> "M5 4WT") and validated."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from places.postcodes import (
    POSTCODE_PATTERN,
    SPECIAL_POSTCODES,
    InvalidPostcode,
    normalise_postcode,
    postcode_normalise,
)
from tests.places.shipped import shipped_postcodes


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("m5 4wt", "M5 4WT"),
        ("M54WT", "M5 4WT"),
        ("  m5   4Wt  ", "M5 4WT"),
        ("m5\u00a04wt", "M5 4WT"),  # a non-breaking space pasted from a web page
        ("m5\t4wt\n", "M5 4WT"),
        ("ec1a1bb", "EC1A 1BB"),
        ("W1J 7NT", "W1J 7NT"),
        ("sw1w0ny", "SW1W 0NY"),
        ("WA3 7QD", "WA3 7QD"),
        ("gir0aa", "GIR 0AA"),
        ("stHL1zz", "STHL 1ZZ"),
        ("GX11 1AA", "GX11 1AA"),
    ],
)
def test_it_normalises_case_and_spaces(raw: str, normal: str) -> None:
    assert normalise_postcode(raw) == normal


@pytest.mark.parametrize(
    "raw",
    [
        "QQ1 1AA",  # Q never starts a postcode
        "M5 4CT",  # C never appears in the inward code
        "MJ1 1AA",  # J never second
        "M5",
        "M5 4W",
        "12345",
        "M5 4WTX",
        "not a postcode",
        "M5-4WT",
    ],
)
def test_it_refuses_what_is_not_a_postcode_in_plain_english(raw: str) -> None:
    with pytest.raises(InvalidPostcode, match=r"^Enter a real postcode, like M5 4WT$") as caught:
        normalise_postcode(raw)
    assert caught.value.raw == raw
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("raw", ["", "   ", None, 12345])
def test_it_asks_for_a_postcode_when_there_is_none(raw: object) -> None:
    with pytest.raises(InvalidPostcode, match="Enter a postcode"):
        normalise_postcode(raw)


def test_it_has_a_keyword_only_service_spelling() -> None:
    assert postcode_normalise(postcode="m5 4wt") == "M5 4WT"


def test_every_shipped_salford_postcode_is_already_normal() -> None:
    postcodes = [row["postcode"] for row in shipped_postcodes()]
    assert len(postcodes) == 6658
    assert [normalise_postcode(pc) for pc in postcodes] == postcodes


# --- properties -----------------------------------------------------------------

_A1 = "ABCDEFGHIJKLMNOPRSTUWYZ"  # first letter: not Q, V, X
_A2 = "ABCDEFGHKLMNOPQRSTUVWXY"  # second letter: not I, J, Z
_A3 = "ABCDEFGHJKPSTUW"
_A4 = "ABEHMNPRVWXY"
_IN = "ABDEFGHJLNPQRSTUWXYZ"  # inward letters: not C, I, K, M, O, V
_D = "0123456789"


def _chars(alphabet: str) -> st.SearchStrategy[str]:
    return st.sampled_from(alphabet)


outward = st.one_of(
    st.tuples(_chars(_A1), _chars(_D)),
    st.tuples(_chars(_A1), _chars(_D), _chars(_D)),
    st.tuples(_chars(_A1), _chars(_A2), _chars(_D)),
    st.tuples(_chars(_A1), _chars(_A2), _chars(_D), _chars(_D)),
    st.tuples(_chars(_A1), _chars(_D), _chars(_A3)),
    st.tuples(_chars(_A1), _chars(_A2), _chars(_D), _chars(_A4)),
).map("".join)
inward = st.tuples(_chars(_D), _chars(_IN), _chars(_IN)).map("".join)
valid_postcodes = st.one_of(
    st.builds(lambda o, i: f"{o} {i}", outward, inward), st.sampled_from(sorted(SPECIAL_POSTCODES))
)


@st.composite
def mangled(draw: st.DrawFn, postcode: str) -> str:
    """The same postcode as people type it: any case, any spaces."""
    compact = postcode.replace(" ", "")
    out = []
    for ch in compact:
        out.append(draw(st.text(alphabet=" \t", max_size=2)))
        out.append(ch.lower() if draw(st.booleans()) else ch)
    out.append(draw(st.text(alphabet=" \t\n", max_size=2)))
    return "".join(out)


@given(valid_postcodes.flatmap(lambda pc: st.tuples(st.just(pc), mangled(pc))))
def test_any_spelling_of_a_valid_postcode_normalises_to_it(pair: tuple[str, str]) -> None:
    postcode, typed = pair
    assert normalise_postcode(typed) == postcode


@given(st.text(max_size=12))
@example("M5 4WT")
@example("gir 0aa")
def test_any_text_is_either_refused_or_normalised_to_a_fixed_point(raw: str) -> None:
    try:
        normal = normalise_postcode(raw)
    except InvalidPostcode as error:
        assert str(error).startswith("Enter a")
        return
    assert normal == normal.strip().upper()
    assert normal in SPECIAL_POSTCODES or re.fullmatch(POSTCODE_PATTERN, normal)
    assert normalise_postcode(normal) == normal
    assert len(normal) <= 8  # fits Postcode.postcode
