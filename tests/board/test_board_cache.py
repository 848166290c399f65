"""The dashboard's figures are precomputed by data version (board.cache):
a first load reads what loading warmed, and any change to the data is on the
next load."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from board import cache as board_cache
from board.dashboard import dashboard_figures
from board.models import BoardFigureSnapshot
from board.scope import BoardScope
from board.tasks import rebuild_board_maps
from matching.models import MatchStatus
from partners.models import NeedKind
from tests import factories as f


def match(anchor, hood, *, status=MatchStatus.ACTIVE, amount=12_000):  # type: ignore[no-untyped-def]
    group = f.CommunityGroupFactory(neighbourhood=hood)
    need = f.NeedFactory(
        activity=f.ActivityFactory(group=group), kind=NeedKind.SEED_FUNDING, amount=amount
    )
    resource = f.ResourceFactory(anchor=anchor, kind=NeedKind.SEED_FUNDING)
    return f.MatchFactory(need=need, resource=resource, amount=amount, status=status)


@pytest.fixture
def board(personas):  # type: ignore[no-untyped-def]
    hood = f.NeighbourhoodFactory(imd_decile=2, population=1500)
    match(personas.anchor_a, hood, amount=12_000)
    match(personas.anchor_a, hood, status=MatchStatus.APPROVED)
    return hood


def figure(body: str, name: str) -> str:
    found = re.search(rf'data-figure="{name}">([^<]*)<', body)
    assert found, f"{name} is not on the page"
    return found.group(1)


def dashboard(client, personas) -> str:  # type: ignore[no-untyped-def]
    client.force_login(personas.carol)
    response = client.get(reverse("board:board"))
    assert response.status_code == 200
    return response.content.decode()


def test_a_new_approved_match_shows_on_the_next_load(client, personas, board):  # type: ignore[no-untyped-def]
    assert figure(dashboard(client, personas), "matches_approved") == "1"

    match(personas.anchor_a, board, status=MatchStatus.APPROVED)

    assert figure(dashboard(client, personas), "matches_approved") == "2"


def test_new_backing_changes_the_stored_charts_too(client, personas, board):  # type: ignore[no-untyped-def]
    client.force_login(personas.carol)
    before = client.get(reverse("board:board-chart", args=["time"])).content

    match(personas.anchor_a, board, amount=900_000)

    assert client.get(reverse("board:board-chart", args=["time"])).content != before


def test_the_first_load_reads_what_the_warm_stored(client, personas, board, monkeypatch):  # type: ignore[no-untyped-def]
    call_command("warm_board_figures", stdout=open("/dev/null", "w"))  # noqa: SIM115
    # Another process warmed: this one's memory is empty, the table is not.
    cache.clear()

    def not_again(**kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the figures were computed again on the first load")

    monkeypatch.setattr(board_cache, "dashboard_figures", not_again)
    monkeypatch.setattr(board_cache.charts, "chart_map", not_again)
    body = dashboard(client, personas)

    assert figure(body, "pounds_awarded") == "£120"
    assert figure(body, "matches_approved") == "1"
    chart = client.get(reverse("board:board-chart", args=["map"]))
    assert chart.status_code == 200 and chart.content.startswith(b"\x89PNG")


def test_the_warm_covers_each_anchor_and_all_together(personas, board):  # type: ignore[no-untyped-def]
    assert board_cache.board_figures_warm() == 3
    keys = set(BoardFigureSnapshot.objects.values_list("key", flat=True))
    a, b = personas.anchor_a.pk, personas.anchor_b.pk
    for anchors in (f"{a}", f"{b}", "-".join(sorted([str(a), str(b)]))):
        assert any(key.startswith(f"board:figures:{anchors}:") for key in keys), anchors
    assert len(keys) == 3 * (1 + len(board_cache.CHART_NAMES))


def test_the_beat_task_warms_the_dashboard(personas, board):  # type: ignore[no-untyped-def]
    rebuild_board_maps()

    assert BoardFigureSnapshot.objects.filter(key__startswith="board:figures:").count() == 3


def test_a_new_version_replaces_the_old_row(personas, board):  # type: ignore[no-untyped-def]
    scope = BoardScope(anchor_ids=(personas.anchor_a.pk,))
    board_cache.board_figures_get(scope=scope)
    match(personas.anchor_a, board)
    board_cache.board_figures_get(scope=scope)

    assert BoardFigureSnapshot.objects.filter(key__startswith="board:figures:").count() == 1


def test_the_day_is_in_the_key(personas):  # type: ignore[no-untyped-def]
    """Hours given to date and the periods move with the calendar."""
    scope = BoardScope(anchor_ids=(personas.anchor_a.pk,))
    today = datetime.date(2026, 5, 1)
    assert board_cache.snapshot_key(
        what="figures", scope=scope, today=today
    ) != board_cache.snapshot_key(
        what="figures", scope=scope, today=today + datetime.timedelta(days=1)
    )


def test_stored_figures_read_back_equal(personas, board):  # type: ignore[no-untyped-def]
    scope = BoardScope(anchor_ids=(personas.anchor_a.pk,), period="12m")
    computed = dashboard_figures(scope=scope)

    assert board_cache._decode(board_cache._encode(computed)) == computed
