"""Services of the maps: keep the common maps, and their pages' tables, warm.

``maps_warm`` is run by the beat task (board.tasks.rebuild_board_maps) every
few minutes. It builds only what the current data version lacks, so a run
with nothing changed costs one query per map. It first prepares the maps'
display geometry if the neighbourhoods changed since it was (load_places
does that too; an edit in the admin does not).
"""

from __future__ import annotations

from maps.cache import board_map_document, data_version, directory_map_document
from maps.display import display_geometry_prepare
from maps.figures import MapFilters
from maps.page_tables import board_page_get, directory_page_get
from maps.selectors import anchor_slugs_and_ids

__all__ = ["default_map_filters", "maps_warm"]


def default_map_filters() -> list[MapFilters]:
    """The views boards open first: all anchors together, then each anchor
    (as maps.forms.map_scope spells it, so the board's request finds it)."""
    anchors = anchor_slugs_and_ids()
    return [MapFilters(), *(MapFilters(anchor=slug, anchor_ids=(pk,)) for slug, pk in anchors)]


def maps_warm() -> int:
    """Render the default board maps and the directory map, and their pages'
    tables, for the current data. Returns how many maps it made sure of."""
    display_geometry_prepare()  # nothing to do unless the neighbourhoods changed
    version = data_version()
    views = default_map_filters()
    for filters in views:
        board_map_document(filters=filters, version=version)
        board_page_get(filters=filters, version=version)
    directory_map_document(filters=MapFilters(), version=version)
    directory_page_get(theme="", version=version)
    return len(views) + 1
