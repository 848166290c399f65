"""Celery tasks of the maps: keep the common maps and the board dashboard's
figures (maps/board_cache.py) warm.

Beat runs ``rebuild_board_maps`` every few minutes (CELERY_BEAT_SCHEDULE). It
builds only what the current data version lacks, so a run with nothing
changed costs one query per map and re-delivery is harmless. It first
prepares the maps' display geometry if the neighbourhoods changed since it
was (load_places does that too; an edit in the admin does not).
"""

from __future__ import annotations

from celery import shared_task

from maps.board_cache import board_figures_warm
from maps.cache import board_map_document, data_version, directory_map_document
from maps.display import display_geometry_prepare
from maps.figures import MapFilters
from partners.models import Anchor

__all__ = ["default_map_filters", "rebuild_board_maps"]


def default_map_filters() -> list[MapFilters]:
    """The views boards open first: all anchors together, then each anchor
    (as maps.views_map.map_scope spells it, so the board's request finds it)."""
    anchors = Anchor.objects.order_by("slug").values_list("slug", "pk")
    return [MapFilters(), *(MapFilters(anchor=slug, anchor_ids=(pk,)) for slug, pk in anchors)]


@shared_task(acks_late=True, ignore_result=True)
def rebuild_board_maps() -> int:
    """Render the default board maps and the directory map, and compute the
    dashboard's figures and charts, for the current data. Returns how many
    maps it made sure of."""
    display_geometry_prepare()  # nothing to do unless the neighbourhoods changed
    version = data_version()
    views = default_map_filters()
    for filters in views:
        board_map_document(filters=filters, version=version)
    directory_map_document(filters=MapFilters(), version=version)
    # The dashboard's figures and charts too, so its first load only reads.
    board_figures_warm()
    return len(views) + 1
