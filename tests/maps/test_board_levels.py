"""The board map, its table, summary and download by neighbourhood, MSOA or
local authority: chosen in the URL, or for the user when a view has too
many neighbourhoods to draw."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from maps import levels
from maps.builders import features_of
from matching.models import MatchStatus
from tests import factories as f

pytestmark = pytest.mark.django_db


def hood(name: str, la: str = "E08000006", la_name: str = "Salford", **kwargs):
    return f.NeighbourhoodFactory(
        name=name, msoa_name=name[:-1], la_code=la, la_name=la_name, **kwargs
    )


@pytest.fixture
def place(personas):
    """Salford 001 (A: deprived, backed £200; B: deprived, active, not backed:
    a gap), Salford 002A, and Trafford 001A with 6 hours of backing."""
    a = hood("Salford 001A", imd_decile=1)
    b = hood("Salford 001B", imd_decile=2)
    c = hood("Salford 002A", imd_decile=7)
    d = hood("Trafford 001A", la="E08000009", la_name="Trafford", imd_decile=9)
    group = f.CommunityGroupFactory(neighbourhood=a, name="Ordsall Lunch Club")
    f.MatchFactory(
        need=f.NeedFactory(activity=f.ActivityFactory(group=group), amount=20_000),
        resource=f.ResourceFactory(anchor=personas.anchor_a),
        amount=20_000,
        status=MatchStatus.ACTIVE,
    )
    f.ActivityFactory(group=f.CommunityGroupFactory(neighbourhood=b))
    other = f.CommunityGroupFactory(neighbourhood=d)
    f.MatchFactory(
        # Expertise: hours given in full (time would count by the days under way).
        need=f.NeedFactory(activity=f.ActivityFactory(group=other), kind="expertise", amount=6),
        resource=f.ResourceFactory(anchor=personas.anchor_b, kind="expertise"),
        amount=6,
        status=MatchStatus.ACCEPTED,
    )
    return {"a": a, "b": b, "c": c, "d": d}


def page(client, personas, query=""):
    # An admin: the figures of both anchors (a board sees only its own).
    client.force_login(personas.root)
    return client.get(reverse("maps:board-map") + query)


def frame(client, query=""):
    return features_of(client.get(reverse("maps:board-map-frame") + query).content.decode())


def shaded(features):
    """The neighbourhood (or area) layer's features: the ones with a fill."""
    return {
        x["properties"]["code"]: x["properties"] for x in features if "fill_imd" in x["properties"]
    }


def test_a_small_view_is_drawn_by_neighbourhood(client, personas, place):
    response = page(client, personas)
    assert response.context["level"].level == "neighbourhood"
    assert "map-level-note" not in response.content.decode()
    assert set(shaded(frame(client))) >= {h.code for h in place.values()}


def test_msoas_in_the_url_show_msoas_on_the_map_and_in_the_table(client, personas, place):
    response = page(client, personas, "?level=msoa")
    rows = {row["code"]: row for row in response.context["rows"]}
    assert {"Salford 001", "Salford 002", "Trafford 001"} <= set(rows)
    salford = rows["Salford 001"]
    assert (salford["neighbourhoods"], salford["deprived_label"]) == (2, "2 of 2 (100%)")
    assert (salford["active_matches"], salford["pounds_awarded"]) == (1, "£200")
    assert salford["gap_neighbourhoods"] == 1
    on_map = shaded(frame(client, "?level=msoa"))
    for code in ("Salford 001", "Salford 002", "Trafford 001"):
        for field in ("neighbourhoods", "active_matches", "hours_given", "gap_neighbourhoods"):
            assert on_map[code][field] == rows[code][field], (code, field)
    assert on_map["Salford 001"]["deprived_label"] == "2 of 2 (100%)"
    body = response.content.decode()
    assert "Figures by middle layer area (MSOA)" in body
    assert 'src="/board/map/frame/?level=msoa"' in body
    assert "/board/map/download/?level=msoa" in body
    assert 'value="msoa" selected' in body  # the form keeps what was chosen


def test_local_authorities_add_up_their_neighbourhoods(client, personas, place):
    rows = {row["code"]: row for row in page(client, personas, "?level=la").context["rows"]}
    assert rows["E08000006"]["name"] == "Salford"
    assert rows["E08000006"]["neighbourhoods"] >= 3
    assert rows["E08000009"]["hours_given"] == 6
    gaps = [x for x in frame(client, "?level=la") if x["properties"].get("gaps")]
    assert {x["properties"]["name"] for x in gaps} >= {"Salford"}


def test_the_summary_counts_neighbourhoods_whatever_the_level(client, personas, place):
    texts = {
        level: page(client, personas, f"?level={level}").context["summary"]["text"]
        for level in ("neighbourhood", "msoa", "la")
    }
    for text in texts.values():
        assert "Backing reached 1 of" in text
    assert texts["msoa"].startswith(texts["neighbourhood"])
    assert "group them into" in texts["msoa"] and "local authorit" in texts["la"]


def test_too_many_neighbourhoods_are_drawn_by_msoa_and_the_page_says_so(
    client, personas, place, monkeypatch
):
    monkeypatch.setitem(levels.DRAW_LIMITS, "neighbourhood", 3)
    for query in ("", "?level=neighbourhood"):
        response = page(client, personas, query)
        assert response.context["level"].level == "msoa"
        body = response.content.decode()
        assert 'id="map-level-note"' in body
        assert "more than one map can draw (3)" in body
    codes = set(shaded(frame(client)))
    assert "Salford 001" in codes and place["a"].code not in codes


def test_a_home_group_count_cannot_be_worked_out_from_two_levels(client, personas, place):
    for _ in range(3):
        f.CommunityGroupFactory(neighbourhood=place["a"], meets_at_home=True)
    for _ in range(8):
        f.CommunityGroupFactory(neighbourhood=place["b"], meets_at_home=True)
    lsoa = {r["code"]: r["home_groups"] for r in page(client, personas).context["rows"]}
    assert (lsoa[place["a"].code], lsoa[place["b"].code]) == ("fewer than 8", "8")
    msoa = {r["code"]: r for r in page(client, personas, "?level=msoa").context["rows"]}
    assert msoa["Salford 001"]["home_groups"] == "9 to 15"  # never 11
    assert shaded(frame(client, "?level=msoa"))["Salford 001"]["home_groups"] == "9 to 15"
    la = {r["code"]: r for r in page(client, personas, "?level=la").context["rows"]}
    assert la["E08000006"]["home_groups"] == "9 to 15"


def test_an_unknown_level_is_a_clear_error_not_a_crash(client, personas, place):
    response = page(client, personas, "?level=county")
    assert response.status_code == 400
    assert "Choose how to show the map from the list" in response.content.decode()
    frame_response = client.get(reverse("maps:board-map-frame") + "?level=county")
    assert frame_response.status_code == 400


def test_the_download_and_export_follow_the_level(client, personas, place, tmp_path):
    client.force_login(personas.carol)
    download = client.get(reverse("maps:board-map-download") + "?level=msoa").content.decode()
    assert "Salford 001" in {x["properties"].get("name") for x in features_of(download)}
    out = tmp_path / "map.html"
    call_command("export_map", "--out", str(out), "--level", "la", stdout=io.StringIO())
    names = {x["properties"].get("name") for x in features_of(out.read_text())}
    assert {"Salford", "Trafford"} <= names
    assert "Salford 001A" not in names


def test_an_anchors_map_draws_only_the_groups_in_its_service_area(client, personas, place):
    personas.anchor_a.service_area.set([place["a"], place["b"]])
    inside = f.CommunityGroupFactory(neighbourhood=place["b"], name="Inside Walkers")
    outside = f.CommunityGroupFactory(neighbourhood=place["d"], name="Outside Rowers")
    client.force_login(personas.carol)
    html = client.get(reverse("maps:board-map-frame") + "?anchor=anchor-a").content.decode()
    assert inside.name in html and outside.name not in html
    # Carol has one anchor: her map is always its map, as the dashboard links it.
    assert outside.name not in client.get(reverse("maps:board-map-frame")).content.decode()
    client.force_login(personas.root)  # every anchor together: the whole of what is loaded
    assert outside.name in client.get(reverse("maps:board-map-frame")).content.decode()


def test_the_public_directory_map_of_too_many_neighbourhoods_is_drawn_by_area(
    client, place, monkeypatch
):
    monkeypatch.setitem(levels.DRAW_LIMITS, "neighbourhood", 3)
    for _ in range(3):
        f.CommunityGroupFactory(neighbourhood=place["a"], meets_at_home=True)
    for _ in range(8):
        f.CommunityGroupFactory(neighbourhood=place["b"], meets_at_home=True)
    page = client.get(reverse("maps:directory-map"))
    assert page.context["level"].level == "msoa"
    assert 'id="map-level-note"' in page.content.decode()
    rows = {row["code"]: row for row in page.context["rows"]}
    assert rows["Salford 001"]["home_groups"] == "9 to 15"  # never 11
    html = client.get(reverse("maps:directory-map-frame")).content.decode()
    names = {x["properties"].get("name") for x in features_of(html)}
    assert "Salford 001" in names and "Salford 001A" not in names
