"""The printable board report, the dashboard's filters and the chart images."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from board import charts
from matching.models import MatchStatus
from tests import factories as f


@pytest.fixture
def board(personas):  # type: ignore[no-untyped-def]
    cache.clear()
    for decile in (1, 2, 6, 9):
        group = f.CommunityGroupFactory(neighbourhood=f.NeighbourhoodFactory(imd_decile=decile))
        f.MatchFactory(
            need=f.NeedFactory(activity=f.ActivityFactory(group=group, themes=["food"])),
            resource=f.ResourceFactory(anchor=personas.anchor_a),
            status=MatchStatus.ACTIVE,
        )
    return personas


def test_the_report_is_printable_and_accessible(client, board):  # type: ignore[no-untyped-def]
    client.force_login(board.carol)

    response = client.get(reverse("board:board-report"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "css/print.css" in content
    images = re.findall(r"<img [^>]*>", content)
    assert len(images) == 4
    assert all(re.search(r'alt="[^"]{20,}"', image) for image in images)
    assert content.count("<caption") >= 4
    assert 'scope="col"' in content and 'scope="row"' in content
    assert "style=" not in content
    assert "<script>" not in content and "<style>" not in content
    assert "Salford Royal Test Trust" in content


def test_the_report_summarises_backing_of_deprived_neighbourhoods_in_words(client, board):  # type: ignore[no-untyped-def]
    client.force_login(board.carol)

    content = client.get(reverse("board:board-report")).content.decode()

    assert "In this period 4 matches were taken up by groups" in content
    assert "they received 50% of matches" in content


def test_the_pages_keep_the_strict_content_security_policy(client, board):  # type: ignore[no-untyped-def]
    client.force_login(board.carol)

    policy = client.get(reverse("board:board"))["Content-Security-Policy"]

    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


@pytest.mark.parametrize("name", ["deciles", "time", "themes", "map"])
def test_each_chart_is_served_as_a_png(client, board, name):  # type: ignore[no-untyped-def]
    client.force_login(board.carol)

    response = client.get(reverse("board:board-chart", args=[name]), {"period": "12m"})

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")


def test_an_unknown_chart_or_round_is_not_found(client, board):  # type: ignore[no-untyped-def]
    client.force_login(board.carol)

    assert client.get(reverse("board:board-chart", args=["pie"])).status_code == 404
    assert client.get(reverse("board:board-chart", args=["radar"])).status_code == 404
    radar = reverse("board:board-chart", args=["radar"])
    assert client.get(radar, {"round": "x"}).status_code == 404
    assert client.get(radar, {"round": "99999"}).status_code == 404


def test_the_radar_chart_of_a_round_is_a_png(client, board):  # type: ignore[no-untyped-def]
    round_ = f.AssessmentRoundFactory(anchor=board.anchor_a)
    client.force_login(board.carol)

    response = client.get(reverse("board:board-chart", args=["radar"]), {"round": round_.pk})

    assert response["Content-Type"] == "image/png"


def test_a_chart_is_drawn_once_until_the_data_changes(client, board, monkeypatch):  # type: ignore[no-untyped-def]
    drawn = []
    real = charts.chart_decile
    monkeypatch.setattr(charts, "chart_decile", lambda rows: drawn.append(1) or real(rows))
    client.force_login(board.carol)
    chart = reverse("board:board-chart", args=["deciles"])

    client.get(chart)
    client.get(chart)
    f.MatchFactory(resource=f.ResourceFactory(anchor=board.anchor_a), status=MatchStatus.ACTIVE)
    client.get(chart)

    assert len(drawn) == 2


def test_a_bad_filter_shows_an_error_summary_and_the_unfiltered_figures(client, board):  # type: ignore[no-untyped-def]
    client.force_login(board.carol)

    response = client.get(reverse("board:board"), {"period": "forever"})

    content = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in content
    assert 'href="#id_period"' in content
    assert "Choose a period from the list" in content
    assert response.context["scope"].period == "all"


def test_the_filters_travel_to_the_chart_images_and_the_map_download(client, board):  # type: ignore[no-untyped-def]
    client.force_login(board.carol)

    content = client.get(reverse("board:board"), {"period": "fy"}).content.decode()

    assert reverse("board:board-chart", args=["deciles"]) + "?period=fy" in content
    assert reverse("maps:board-map-download") + "?anchor=anchor-a&amp;period=fy" in content


def test_it_says_so_when_population_is_not_loaded(client, board):  # type: ignore[no-untyped-def]
    f.NeighbourhoodFactory(imd_decile=4, population=None)
    client.force_login(board.carol)

    content = client.get(reverse("board:board")).content.decode()

    assert "Population figures are not loaded" in content
    assert "not loaded</td>" in content
