"""Privacy of places on every map: no point for a group meeting at home (or
one not listed publicly), small counts suppressed, no personal data."""

from __future__ import annotations

import pytest
from django.urls import reverse

from maps.builders import features_of
from maps.figures import MapFilters
from maps.frames import board_frames, group_points
from matching.models import MatchStatus
from tests import factories as f

pytestmark = pytest.mark.django_db

# Somewhere inside the neighbourhood, away from its representative point.
HOME = (53.497312, -2.338147)


@pytest.fixture
def home_group():
    place = f.NeighbourhoodFactory(imd_decile=1, name="Weaste 005C")
    group = f.CommunityGroupFactory(
        name="Kitchen Table Knitters",
        neighbourhood=place,
        meets_at_home=True,
        latitude=HOME[0],
        longitude=HOME[1],
        postcode="M5 2AB",
        address="12 Private Road",
    )
    activity = f.ActivityFactory(group=group, themes=["food"])
    need = f.NeedFactory(activity=activity)
    f.MatchFactory(need=need, status=MatchStatus.ACTIVE)  # so a line is drawn to it
    return group


def coordinate_strings(lat, lon):
    for places in range(3, 7):
        yield f"{lat:.{places}f}"
        yield f"{lon:.{places}f}"


def all_map_documents(client, personas):
    client.force_login(personas.carol)
    documents = [
        client.get(reverse(name) + level).content.decode()
        for name in ("maps:board-map", "maps:board-map-frame", "maps:board-map-download")
        # Every level: an aggregate view must not leak what the detailed one hides.
        for level in ("", "?level=msoa", "?level=la")
    ]
    client.logout()
    documents += [
        client.get(reverse(name)).content.decode()
        for name in ("maps:directory-map", "maps:directory-map-frame")
    ]
    return documents


def test_a_group_meeting_at_home_is_never_a_point_in_any_map(client, personas, home_group):
    for html in all_map_documents(client, personas):
        for text in coordinate_strings(*HOME):
            assert text not in html
        assert "12 Private Road" not in html and "M5 2AB" not in html
        assert "Kitchen Table Knitters" not in html


def test_a_line_to_a_group_meeting_at_home_ends_at_its_neighbourhood(home_group):
    lines = board_frames(filters=MapFilters()).lines
    assert len(lines) == 1
    place = home_group.neighbourhood
    assert lines.loc[0, "to_lat"] == pytest.approx(place.point_lat, abs=1e-5)
    assert lines.loc[0, "to_lon"] == pytest.approx(place.point_lon, abs=1e-5)
    assert lines.loc[0, "to_label"] == "Groups in Weaste 005C"


def test_groups_not_listed_publicly_are_counted_but_not_drawn(client, personas):
    place = f.NeighbourhoodFactory()
    hidden = f.CommunityGroupFactory(
        name="Unlisted Allotment",
        neighbourhood=place,
        consent_public=False,
        latitude=53.491234,
        longitude=-2.301234,
    )
    pending = f.CommunityGroupFactory(name="Pending Patch", status="pending", neighbourhood=place)
    assert set(group_points()["id"]) & {hidden.id, pending.id} == set()
    for html in all_map_documents(client, personas):
        assert "Unlisted Allotment" not in html and "Pending Patch" not in html
        assert "53.49123" not in html
    frames = board_frames(filters=MapFilters())
    counted = frames.neighbourhoods.set_index("code").loc[place.code, "groups_registered"]
    assert counted == 1  # the unlisted one; pending groups are not registered yet


@pytest.mark.parametrize(
    ("at_home", "shown"), [(0, "0"), (1, "fewer than 8"), (7, "fewer than 8"), (8, "8")]
)
def test_counts_of_one_to_seven_groups_at_home_are_not_shown(client, personas, at_home, shown):
    place = f.NeighbourhoodFactory(imd_decile=4)
    for _ in range(at_home):
        f.CommunityGroupFactory(neighbourhood=place, meets_at_home=True)
    client.force_login(personas.carol)
    frame = client.get(reverse("maps:board-map-frame")).content.decode()
    feature = next(x for x in features_of(frame) if x["properties"].get("code") == place.code)
    assert feature["properties"]["home_groups"] == shown
    page = client.get(reverse("maps:board-map"))
    row = next(r for r in page.context["rows"] if r["code"] == place.code)
    assert row["home_groups"] == shown
    client.logout()
    public = client.get(reverse("maps:directory-map-frame")).content.decode()
    feature = next(x for x in features_of(public) if x["properties"].get("code") == place.code)
    assert feature["properties"]["home_groups"] == shown


def test_no_contact_field_reaches_any_map(client, personas):
    place = f.NeighbourhoodFactory()
    f.CommunityGroupFactory(
        neighbourhood=place,
        contact_name="Margaret Privateperson",
        contact_email="margaret@private.example",
        contact_phone="07700 900123",
    )
    for html in all_map_documents(client, personas):
        for personal in ("Margaret Privateperson", "margaret@private.example", "07700 900123"):
            assert personal not in html
