"""Point -> neighbourhood through the cached STRtree."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from django.utils import timezone

from places import spatial
from places.geocoding import point_locate
from places.models import Neighbourhood, NeighbourhoodKind
from places.spatial import NoNeighbourhoods, neighbourhood_index, points_locate
from tests.factories import NeighbourhoodFactory, square

pytestmark = pytest.mark.django_db

M_PER_DEG_LAT = 111_320.0


def test_every_representative_point_lands_in_its_own_neighbourhood(salford) -> None:
    rows = list(Neighbourhood.objects.values_list("code", "point_lon", "point_lat"))
    codes = points_locate(longitudes=[r[1] for r in rows], latitudes=[r[2] for r in rows])
    assert codes == [r[0] for r in rows]


def test_it_returns_name_and_decile_with_the_code(salford) -> None:
    n = Neighbourhood.objects.get(code="E01005599")
    location = point_locate(latitude=n.point_lat, longitude=n.point_lon)
    assert (location.neighbourhood_code, location.neighbourhood_name, location.imd_decile) == (
        "E01005599",
        "Salford 026A",
        1,
    )
    assert location.outside_area is False
    assert location.postcode is None


def test_a_point_outside_every_neighbourhood_is_outside_the_area_not_an_error(salford) -> None:
    location = point_locate(latitude=51.5010, longitude=-0.1416)  # Westminster
    assert location.outside_area is True
    assert location.neighbourhood_code is None and location.imd_decile is None


def test_impossible_coordinates_are_outside(salford) -> None:
    codes = points_locate(longitudes=[np.nan, 200.0, -2.3], latitudes=[53.5, 53.5, np.inf])
    assert codes == [None, None, None]


def test_a_point_on_a_shared_border_goes_to_the_lower_code_every_time() -> None:
    NeighbourhoodFactory(code="E01900002", geometry=square(-2.30, 53.50))  # west
    NeighbourhoodFactory(code="E01900001", geometry=square(-2.29, 53.50))  # east
    border = {"longitudes": [-2.29] * 3, "latitudes": [53.505] * 3}
    assert points_locate(**border) == ["E01900001"] * 3


def test_a_point_in_a_sliver_gap_takes_the_nearest_within_10_metres() -> None:
    NeighbourhoodFactory(code="E01900001", geometry=square(-2.30, 53.50))
    # 5 m and 20 m east of the square's east edge (a degree of longitude is
    # 111,320 m x cos(latitude) here).
    m_per_deg_lon = M_PER_DEG_LAT * math.cos(math.radians(53.505))
    near, far = -2.29 + 5 / m_per_deg_lon, -2.29 + 20 / m_per_deg_lon
    assert points_locate(longitudes=[near, far], latitudes=[53.505, 53.505]) == ["E01900001", None]
    # North: a degree of latitude is longer, so the same radius is fewer degrees.
    north = 53.51 + 8 / M_PER_DEG_LAT
    assert points_locate(longitudes=[-2.295], latitudes=[north]) == ["E01900001"]


def test_the_index_is_built_once_and_rebuilt_when_neighbourhoods_change(
    django_assert_num_queries,
) -> None:
    NeighbourhoodFactory(code="E01900001", geometry=square(-2.30, 53.50))
    first = neighbourhood_index(kind="lsoa21")
    with django_assert_num_queries(1):  # the version stamp, nothing else
        assert neighbourhood_index(kind="lsoa21") is first

    NeighbourhoodFactory(code="E01900002", geometry=square(-2.20, 53.50))
    assert points_locate(longitudes=[-2.195], latitudes=[53.505], kind="lsoa21") == ["E01900002"]
    assert neighbourhood_index(kind="lsoa21") is not first

    # QuerySet.update() skips auto_now, so code that edits geometry this way
    # sets updated_at itself; that is what the stamp watches.
    Neighbourhood.objects.filter(code="E01900002").update(
        geometry=shapely.to_wkb(shapely.box(-2.10, 53.50, -2.09, 53.51)), updated_at=timezone.now()
    )
    assert points_locate(longitudes=[-2.195, -2.095], latitudes=[53.505, 53.505]) == [
        None,
        "E01900002",
    ]


def test_it_defaults_to_the_most_detailed_kind_loaded() -> None:
    NeighbourhoodFactory(
        code="E05900001", kind=NeighbourhoodKind.WARD, geometry=square(-2.30, 53.50, 0.1)
    )
    assert spatial.kind_default() == "ward"
    NeighbourhoodFactory(code="E01900001", geometry=square(-2.30, 53.50))
    assert spatial.kind_default() == "lsoa21"
    assert points_locate(longitudes=[-2.295], latitudes=[53.505]) == ["E01900001"]
    assert points_locate(longitudes=[-2.295], latitudes=[53.505], kind="ward") == ["E05900001"]


def test_no_neighbourhoods_loaded_is_said_plainly(db) -> None:
    with pytest.raises(NoNeighbourhoods, match=r"run manage\.py load_places"):
        neighbourhood_index()
    location = point_locate(latitude=53.5, longitude=-2.3)
    assert location.outside_area is True
