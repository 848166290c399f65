"""The map pages: who may see them, their security headers, filters, download."""

from __future__ import annotations

import pytest
from django.urls import reverse

from matching.models import MatchStatus
from places.models import Neighbourhood
from tests import factories as f

pytestmark = pytest.mark.django_db

BOARD_PAGES = ("maps:board-map", "maps:board-map-frame", "maps:board-map-download")


@pytest.fixture
def place(personas):
    neighbourhood = f.NeighbourhoodFactory(imd_decile=1, name="Ordsall 001A", la_name="Salford")
    group = personas.group_a
    group.neighbourhood = neighbourhood
    group.save()
    # The personas' own neighbourhoods take deciles from a factory sequence,
    # which depends on what ran before: make them the least deprived.
    Neighbourhood.objects.exclude(pk=neighbourhood.pk).update(imd_decile=10)
    activity = f.ActivityFactory(group=group, themes=["food"])
    need = f.NeedFactory(activity=activity, amount=20_000)
    f.MatchFactory(
        need=need,
        resource=f.ResourceFactory(anchor=personas.anchor_a),
        amount=20_000,
        status=MatchStatus.ACTIVE,
    )
    return neighbourhood


@pytest.mark.parametrize("name", BOARD_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize("name", BOARD_PAGES)
def test_group_contacts_may_not_see_the_board_map(client, personas, name):
    client.force_login(personas.dave)
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("who", ["carol", "alice", "root"])
def test_board_team_and_admin_see_the_board_map(client, personas, place, who):
    client.force_login(getattr(personas, who))
    response = client.get(reverse("maps:board-map"))
    assert response.status_code == 200
    assert b"Ordsall 001A" in response.content


def test_the_board_sees_figures_and_no_personal_data(client, personas, place):
    client.force_login(personas.carol)
    group = personas.group_a
    bodies = [client.get(reverse(name)).content.decode() for name in BOARD_PAGES]
    for body in bodies:
        for personal in (group.contact_name, group.contact_email, group.contact_phone):
            assert personal not in body
    page = bodies[0]
    assert "£200" in page
    assert (
        "Backing reached 1 of Salford&#x27;s 1 most deprived neighbourhood (deciles 1 to 3 of"
        in page
    )


def test_the_public_sees_the_directory_map_without_signing_in(client, personas, place):
    page = client.get(reverse("maps:directory-map"))
    frame = client.get(reverse("maps:directory-map-frame"))
    assert page.status_code == 200 and frame.status_code == 200
    assert b"Ordsall Lunch Club" in frame.content
    # Backing figures are for boards only.
    assert b"active_matches" not in frame.content and b"pounds" not in frame.content


def test_the_frame_alone_allows_its_own_inline_script_and_style_by_hash(client, personas, place):
    client.force_login(personas.carol)
    page = client.get(reverse("maps:board-map"))
    frame = client.get(reverse("maps:board-map-frame"))
    page_policy = page["Content-Security-Policy"]
    frame_policy = frame["Content-Security-Policy"]
    assert "unsafe-inline" not in page_policy
    assert "unsafe-inline" not in frame_policy
    assert "script-src 'self' 'sha256-" in frame_policy
    assert "style-src 'self' 'sha256-" in frame_policy
    assert "'sha256-" not in page_policy
    assert "frame-ancestors 'self'" in frame_policy
    assert "http" not in frame_policy  # no third-party host
    assert frame["X-Frame-Options"] == "SAMEORIGIN"
    public = client.get(reverse("maps:directory-map"))
    assert "unsafe-inline" not in public["Content-Security-Policy"]


def test_the_frame_loads_leaflet_from_our_own_static_files(client, personas, place):
    client.force_login(personas.carol)
    html = client.get(reverse("maps:board-map-frame")).content.decode()
    assert '<script src="/static/vendor/leaflet/leaflet.js">' in html
    assert "/static/vendor/leaflet.markercluster/leaflet.markercluster.js" in html
    assert "https://" not in html and "http://" not in html


def test_the_filters_are_kept_in_the_url_of_the_frame_and_the_form(client, personas, place):
    client.force_login(personas.carol)
    response = client.get(
        reverse("maps:board-map"), {"anchor": "anchor-a", "kind": "seed_funding", "period": "12m"}
    )
    frame_url = response.context["frame_url"]
    assert frame_url.startswith(reverse("maps:board-map-frame") + "?")
    for part in ("anchor=anchor-a", "kind=seed_funding", "period=12m"):
        assert part in frame_url
        assert part in response.context["download_url"]
    assert '<option value="anchor-a" selected>' in response.content.decode()


def test_filters_change_the_figures(client, personas, place):
    client.force_login(personas.carol)
    mine = client.get(reverse("maps:board-map"), {"anchor": "anchor-a"})
    theirs = client.get(reverse("maps:board-map"), {"anchor": "anchor-b"})
    time = client.get(reverse("maps:board-map"), {"kind": "time"})
    assert mine.context["summary"]["active_matches"] == 1
    assert theirs.status_code == 404  # not carol's anchor: not there for her
    assert time.context["summary"]["active_matches"] == 0
    client.force_login(personas.root)
    theirs = client.get(reverse("maps:board-map"), {"anchor": "anchor-b"})
    assert theirs.context["summary"]["active_matches"] == 0


def test_an_unknown_filter_value_is_explained_not_an_error(client, personas, place):
    client.force_login(personas.carol)
    response = client.get(reverse("maps:board-map"), {"period": "forever"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    assert 'href="#id_period"' in body
    assert "Select a valid choice" in body
    frame = client.get(reverse("maps:board-map-frame"), {"period": "forever"})
    assert frame.status_code == 400
    assert b"not recognised" in frame.content


def test_the_table_has_a_caption_and_header_scopes(client, personas, place):
    client.force_login(personas.carol)
    body = client.get(reverse("maps:board-map")).content.decode()
    assert "<caption>" in body
    assert '<th scope="col"' in body and '<th scope="row">' in body
    assert f'<tr data-code="{place.code}">' in body


def test_the_download_is_one_standalone_file(client, personas, place):
    client.force_login(personas.carol)
    response = client.get(reverse("maps:board-map-download"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; filename=")
    html = response.content.decode()
    assert "<script src=" not in html and '<link rel="stylesheet"' not in html
    assert "Leaflet" in html  # the library itself, inlined
    assert "BackerMap" in html
