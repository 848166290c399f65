"""Suppliers' pledges against what they delivered, for the board.

Pledged is a supplier resource's capacity; delivered is the amount of its
completed matches. Both per supplier and kind of backing (each kind has its
own unit), over the scope's anchors, all time: a pledge is not dated the way
a match is, so the board period does not narrow this table.

Aggregates of organisations only: no group, contact or place, so the board
role may see all of it. One query per figure, grouped in the database.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Sum

from board.scope import BoardScope, share
from matching.models import Match, MatchStatus, Resource
from partners.models import NeedKind


@dataclass(frozen=True)
class SupplierPledgeRow:
    anchor: str
    supplier: str
    kind: str
    kind_display: str
    pledged: int
    delivered: int

    @property
    def delivered_share(self) -> float:
        return share(self.delivered, self.pledged)


def supplier_pledges(*, scope: BoardScope) -> list[SupplierPledgeRow]:
    key = ("anchor__name", "supplier__name", "supplier_id", "kind")
    pledged = (
        Resource.objects.filter(anchor_id__in=scope.anchor_ids, supplier__isnull=False)
        .values(*key)
        .annotate(total=Sum("capacity"))
        .order_by()
    )
    completed = (
        Match.objects.filter(
            resource__anchor_id__in=scope.anchor_ids,
            resource__supplier__isnull=False,
            status=MatchStatus.COMPLETED,
        )
        .values("resource__supplier_id", "resource__kind")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    delivered = {
        (row["resource__supplier_id"], row["resource__kind"]): row["total"] for row in completed
    }
    kinds = dict(NeedKind.choices)
    rows = [
        SupplierPledgeRow(
            anchor=row["anchor__name"],
            supplier=row["supplier__name"],
            kind=row["kind"],
            kind_display=str(kinds.get(row["kind"], row["kind"])),
            pledged=int(row["total"] or 0),
            delivered=int(delivered.get((row["supplier_id"], row["kind"]), 0) or 0),
        )
        for row in pledged
    ]
    return sorted(rows, key=lambda r: (r.anchor, r.supplier, r.kind_display))
