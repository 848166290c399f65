"""The public directory: verified, consenting groups only; search by words,
theme and distance from a postcode; home-based groups at their
neighbourhood only."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from partners.models import VerificationStatus
from partners.selectors_directory import haversine_miles
from tests import factories as f

ORIGIN = (53.4850, -2.3000)  # EPSG:4326, the searcher's postcode "M5 4WT"


@pytest.fixture
def place(db):
    near_hood = f.NeighbourhoodFactory(
        name="Ordsall Near", code="E01000101", point_lat=53.4860, point_lon=-2.3000
    )
    far_hood = f.NeighbourhoodFactory(
        name="Irlam Far", code="E01000102", point_lat=53.4400, point_lon=-2.4200
    )
    f.PostcodeFactory(
        postcode="M5 4WT",
        latitude=ORIGIN[0],
        longitude=ORIGIN[1],
        neighbourhood_code=near_hood.code,
    )
    return near_hood, far_hood


def _names(client, query=""):
    body = client.get(f"/directory/{query}").content.decode()
    return body


def test_only_verified_consenting_live_groups_are_listed(client, place):
    near, _far = place
    f.CommunityGroupFactory(name="Listed Larder", neighbourhood=near)
    f.CommunityGroupFactory(name="Pending Pantry", status=VerificationStatus.PENDING)
    f.CommunityGroupFactory(name="Shy Singers", consent_public=False)
    f.CommunityGroupFactory(name="Withdrawn Walkers", withdrawn_at=timezone.now())
    f.CommunityGroupFactory(name="Suspended Swimmers", status=VerificationStatus.SUSPENDED)
    body = _names(client)
    assert "Listed Larder" in body
    for hidden in ("Pending Pantry", "Shy Singers", "Withdrawn Walkers", "Suspended Swimmers"):
        assert hidden not in body


def test_it_searches_words_in_names_descriptions_and_activities(client, place):
    f.CommunityGroupFactory(name="Seedley Stitchers", description="Sewing circle")
    group = f.CommunityGroupFactory(name="Monday Crew", description="We meet")
    f.ActivityFactory(group=group, title="Tai chi in the park")
    assert "Seedley Stitchers" in _names(client, "?q=sewing")
    assert "Monday Crew" not in _names(client, "?q=sewing")
    assert "Monday Crew" in _names(client, "?q=tai+chi")


def test_it_filters_by_any_of_the_ticked_themes(client, place):
    food = f.CommunityGroupFactory(name="Food Friends")
    f.ActivityFactory(group=food, themes=["food"])
    walk = f.CommunityGroupFactory(name="Walk Talk")
    f.ActivityFactory(group=walk, themes=["physical-activity"])
    art = f.CommunityGroupFactory(name="Art Attack")
    f.ActivityFactory(group=art, themes=["arts-and-culture"])
    body = _names(client, "?theme=food&theme=physical-activity")
    assert "Food Friends" in body and "Walk Talk" in body
    assert "Art Attack" not in body
    assert 'value="food" id="id_theme_' in body and "checked" in body


def test_it_finds_groups_within_a_distance_nearest_first(client, place):
    near, far = place
    f.CommunityGroupFactory(
        name="Next Door Club", neighbourhood=near, latitude=53.4851, longitude=-2.3001
    )
    f.CommunityGroupFactory(
        name="Up The Road", neighbourhood=near, latitude=53.4950, longitude=-2.3000
    )
    f.CommunityGroupFactory(
        name="Far Away Club", neighbourhood=far, latitude=53.4400, longitude=-2.4200
    )
    body = _names(client, "?postcode=m54wt&miles=2")
    assert "Next Door Club" in body and "Up The Road" in body
    assert "Far Away Club" not in body
    assert body.index("Next Door Club") < body.index("Up The Road")
    assert "0.7 miles" in body  # 0.01 degrees of latitude north
    assert "Far Away Club" in _names(client, "?postcode=M5+4WT&miles=10")


def test_a_home_based_group_is_placed_at_its_neighbourhood(client, place):
    _near, far = place
    # The home is right beside the searcher, but the group's neighbourhood
    # point is 6 miles away: distance is measured from the neighbourhood.
    f.CommunityGroupFactory(
        name="Kitchen Table Crafts",
        neighbourhood=far,
        meets_at_home=True,
        latitude=ORIGIN[0],
        longitude=ORIGIN[1],
    )
    assert "Kitchen Table Crafts" not in _names(client, "?postcode=M5+4WT&miles=2")
    body = _names(client, "?postcode=M5+4WT&miles=10")
    assert "Kitchen Table Crafts" in body
    expected = haversine_miles(*ORIGIN, far.point_lat, far.point_lon)
    assert f"{expected:.1f} miles (from the middle of its neighbourhood)" in body
    assert "Irlam Far" in body


def test_a_bad_postcode_is_explained_and_the_rest_still_searches(client, place):
    f.CommunityGroupFactory(name="Seedley Stitchers", description="Sewing circle")
    body = _names(client, "?q=sewing&postcode=QQ1+1AA")
    assert 'class="error-summary"' in body
    assert 'href="#id_postcode"' in body
    assert "Enter a real postcode" in body
    assert 'value="QQ1 1AA"' in body
    assert "Seedley Stitchers" in body


def test_an_unknown_postcode_is_explained(client, place):
    body = _names(client, "?postcode=M1+1AE")
    assert "We could not find the postcode M1 1AE" in body


def test_it_shows_only_what_the_group_chose_to_publish(client, place):
    group = f.CommunityGroupFactory(
        name="Open Door", website="https://opendoor.example.org", public_phone="0161 000 1111"
    )
    body = _names(client)
    assert "https://opendoor.example.org" in body
    assert "0161 000 1111" in body
    assert group.contact_email not in body


def test_it_paginates_and_keeps_the_search(client, place):
    for n in range(23):
        f.CommunityGroupFactory(name=f"Quilters {n:02d}")
    body = _names(client, "?q=quilters")
    assert "23 groups found" in body
    assert "?q=quilters&amp;page=2" in body
    assert "Quilters 22" in _names(client, "?q=quilters&page=2")


def test_the_page_works_without_javascript(client, place):
    body = _names(client)
    # No script of ours is needed: the one static script only moves focus.
    assert not re.search(r"<script(?![^>]*\bsrc=\"/static/js/error_summary.js\")", body)
    assert 'method="get"' in body
