"""The board's joint view: aggregate matching figures across its anchors.

Aggregates only: no group names, contacts or places, so nothing personal
can reach the board role from here.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.access import anchors_as_board_member
from matching.selectors import board_summary, groups_backed_by_several
from matching.views_common import board_required
from partners.models import Anchor


@board_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    ids = anchors_as_board_member(user=request.user)
    return render(
        request,
        "matching/board.html",
        {
            "anchors": Anchor.objects.filter(pk__in=ids).order_by("name"),
            "rows": board_summary(anchor_ids=ids),
            "backed_by_several": groups_backed_by_several(anchor_ids=ids),
        },
    )
