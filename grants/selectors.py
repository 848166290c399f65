"""Reads of other funders' grants, for the board map and its table."""

from __future__ import annotations

import pandas as pd
from django.db.models import Count, Q, Sum

from grants.models import Grant

__all__ = ["GRANT_COLUMNS", "grants_by_neighbourhood", "grants_wider_areas"]

GRANT_COLUMNS = ["code", "name", "grants", "pence", "funders"]
# Pounds add up only in pounds: a grant in another currency is counted, not summed.
_IN_POUNDS = Q(currency="GBP")


def grants_by_neighbourhood(*, codes: list[str]) -> pd.DataFrame:
    """Per neighbourhood of ``codes`` (a board's view) with any placed grant:
    grants, pence and distinct funders, most money first. One query."""
    rows = (
        Grant.objects.filter(neighbourhood__code__in=codes)
        .values("neighbourhood__code", "neighbourhood__name")
        .annotate(
            grants=Count("id"),
            pence=Sum("amount_pence", filter=_IN_POUNDS),
            funders=Count("funder_name", distinct=True),
        )
    )
    frame = pd.DataFrame(
        [
            (
                r["neighbourhood__code"],
                r["neighbourhood__name"],
                r["grants"],
                r["pence"] or 0,
                r["funders"],
            )
            for r in rows
        ],
        columns=GRANT_COLUMNS,
    )
    return frame.sort_values(["pence", "code"], ascending=[False, True]).reset_index(drop=True)


def grants_wider_areas() -> dict[str, int]:
    """Grants placed on the loaded place but in no one neighbourhood (for an
    MSOA, ward or local authority): the line under the table."""
    totals = (
        Grant.objects.filter(neighbourhood__isnull=True)
        .exclude(placed_by="")
        .aggregate(grants=Count("id"), pence=Sum("amount_pence", filter=_IN_POUNDS))
    )
    return {"grants": totals["grants"] or 0, "pence": totals["pence"] or 0}
