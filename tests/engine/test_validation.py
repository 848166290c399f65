"""The boundary refuses bad input with a ValueError that says what is wrong."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

from matching.engine import Need, Problem, Resource, Weights
from tests.engine.helpers import need, pool


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "money"}, "need_kind must be one of"),
        ({"amount": 0}, "need_amount must be > 0"),
        ({"lat": 91.0}, "lat must be in"),
        ({"imd_decile": 11}, "imd_decile"),
        ({"months_since_backed": -1}, "months_since_backed"),
        ({"people_reached": -5}, "people_reached"),
    ],
)
def test_it_rejects_a_bad_need(change: dict[str, object], message: str) -> None:
    bad = dataclasses.replace(need(1, 5, 3), **change)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=message):
        Problem.from_records([bad], [pool(9, 10)])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"capacity": -1}, "capacity must be >= 0"),
        ({"min_award": 50, "max_award": 10}, "max_award must be >= min_award"),
        ({"radius_m": None}, "exactly one eligible area"),
        ({"neighbourhoods": frozenset({"E01"})}, "exactly one eligible area"),
        ({"radius_m": -3.0}, "radius_m must be > 0"),
        ({"lat": None, "lon": None}, "needs the resource's lat and lon"),
    ],
)
def test_it_rejects_a_bad_resource(change: dict[str, object], message: str) -> None:
    bad = dataclasses.replace(pool(9, 10), **change)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=message):
        Problem.from_records([need(1, 5, 3)], [bad])


@pytest.mark.parametrize("kind", [["time"], 1, None, b"time", "Time"])
def test_it_rejects_a_kind_that_is_not_one_by_name(kind: object) -> None:
    # Looked up in a dict: an unhashable value, a number or bytes are no kind.
    with pytest.raises(ValueError, match=r"need_kind must be one of .* \(id 2: "):
        Problem.from_arrays(
            need_id=[1, 2],
            need_group_id=[1, 1],
            need_kind=np.array(["time", kind], dtype=object),
            need_amount=[5, 5],
            need_lat=[53.0, 53.0],
            need_lon=[-2.0, -2.0],
            resource_id=[9],
            resource_anchor_id=[1],
            resource_kind=["time"],
            resource_capacity=[10],
            resource_lat=[53.0],
            resource_lon=[-2.0],
            resource_radius_m=[1000.0],
        )


def test_kinds_may_be_any_strings_equal_to_one() -> None:
    columns: dict[str, Any] = {
        "need_id": [1, 2],
        "need_group_id": [1, 1],
        "need_amount": [5, 5],
        "need_lat": [53.0, 53.0],
        "need_lon": [-2.0, -2.0],
        "resource_id": [9],
        "resource_anchor_id": [1],
        "resource_capacity": [10],
        "resource_lat": [53.0],
        "resource_lon": [-2.0],
        "resource_radius_m": [1000.0],
    }
    as_list = Problem.from_arrays(
        need_kind=["time", "seed_funding"], resource_kind=["time"], **columns
    )
    as_numpy = Problem.from_arrays(
        need_kind=np.array(["time", "seed_funding"]), resource_kind=np.array(["time"]), **columns
    )
    assert as_list.need_kind.tolist() == as_numpy.need_kind.tolist()
    assert as_list.need_kind[0] == as_list.res_kind[0] != as_list.need_kind[1]


def test_it_rejects_repeated_ids() -> None:
    with pytest.raises(ValueError, match="need_id must be unique"):
        Problem.from_records([need(1, 5, 3), need(1, 6, 3)], [pool(9, 10)])


@pytest.mark.parametrize(
    "weights",
    [Weights(0, 0, 0, 0, 0), Weights(theme_fit=-1.0), Weights(value=float("nan"))],
)
def test_it_rejects_bad_weights(weights: Weights) -> None:
    with pytest.raises(ValueError, match="weights must be"):
        Problem.from_records([need(1, 5, 3)], [pool(9, 10)], anchor_weights={1: weights})


@pytest.mark.parametrize("cap", [0, -1, 1.5, True])
def test_it_rejects_a_bad_group_cap(cap: object) -> None:
    with pytest.raises(ValueError, match="group_cap must be"):
        Problem.from_records([need(1, 5, 3)], [pool(9, 10)], group_cap=cap)  # type: ignore[arg-type]


def test_it_rejects_records_of_the_wrong_type() -> None:
    with pytest.raises(ValueError, match="Need objects"):
        Problem.from_records([pool(9, 10)], [])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="Resource objects"):
        Problem.from_records([], [need(1, 5, 3)])  # type: ignore[list-item]


def test_an_empty_problem_is_valid() -> None:
    from matching.engine import solve

    allocation = solve(Problem.from_records([], []))
    assert len(allocation) == 0 and allocation.objective == 0.0


def test_none_means_unknown_or_never() -> None:
    problem = Problem.from_records(
        [Need(id=1, group_id=1, kind="time", amount=1, lat=53.0, lon=-2.0)],
        [
            Resource(
                id=2,
                anchor_id=1,
                kind="time",
                capacity=1,
                lat=53.0,
                lon=-2.0,
                radius_m=1.0,
                max_award=None,
            )
        ],
    )
    assert problem.need_imd[0] == 5.5
    assert problem.res_max_award[0] == 0
