"""postcode_lookup: normalise, validate, find in the Postcode table, attach the neighbourhood."""

from __future__ import annotations

import pytest

from places.geocoding import Location, UnknownPostcode, postcode_lookup
from places.models import Postcode
from places.postcodes import InvalidPostcode

pytestmark = pytest.mark.django_db


def test_it_finds_a_postcode_however_it_is_typed(salford_demo) -> None:
    assert postcode_lookup(postcode=" m5 4wt ") == Location(
        postcode="M5 4WT",
        latitude=53.483487,
        longitude=-2.270651,
        neighbourhood_code="E01033991",
        neighbourhood_name="Salford 034A",
        imd_decile=3,
        outside_area=False,
    )


def test_an_invalid_postcode_gets_a_plain_message(salford_demo) -> None:
    with pytest.raises(InvalidPostcode, match="Enter a real postcode, like M5 4WT"):
        postcode_lookup(postcode="M5 4")


def test_an_unknown_postcode_gets_a_plain_message(salford_demo) -> None:
    with pytest.raises(UnknownPostcode, match="We could not find the postcode M1 1AE") as caught:
        postcode_lookup(postcode="m11ae")
    assert caught.value.postcode == "M1 1AE"


def test_a_stored_neighbourhood_code_wins_over_the_point(salford_demo) -> None:
    # An official best-fit lookup (ONSPD) may differ from point in polygon near
    # a border; the stored assignment is kept when it names a loaded LSOA.
    Postcode.objects.filter(postcode="M5 4WT").update(neighbourhood_code="E01005599")
    assert postcode_lookup(postcode="M5 4WT").neighbourhood_code == "E01005599"


def test_without_a_stored_code_the_point_decides(salford_demo) -> None:
    Postcode.objects.filter(postcode="M5 4WT").update(neighbourhood_code="")
    assert postcode_lookup(postcode="M5 4WT").neighbourhood_code == "E01033991"


def test_a_known_postcode_outside_the_loaded_area_is_outside_not_an_error(salford_demo) -> None:
    Postcode.objects.create(postcode="SW1A 2AA", latitude=51.50354, longitude=-0.127695)
    location = postcode_lookup(postcode="sw1a2aa")
    assert location.outside_area is True
    assert (location.latitude, location.neighbourhood_code, location.imd_decile) == (
        51.50354,
        None,
        None,
    )
