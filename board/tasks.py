"""Celery tasks of the board: keep the board's maps (maps.services) and its
dashboard's figures and charts (board/cache.py) warm.

Beat runs ``rebuild_board_maps`` every few minutes (CELERY_BEAT_SCHEDULE).
It builds only what the current data version lacks, so re-delivery is
harmless. Its registered name is still "maps.tasks.rebuild_board_maps", the
name it had before the board's pages left the maps app: the beat schedule
and any message already queued name it so.
"""

from __future__ import annotations

from celery import shared_task

from board.cache import board_figures_warm
from maps.services import maps_warm

__all__ = ["rebuild_board_maps"]


@shared_task(name="maps.tasks.rebuild_board_maps", acks_late=True, ignore_result=True)
def rebuild_board_maps() -> int:
    """Render the default board maps and the directory map, and compute the
    dashboard's figures and charts, for the current data. Returns how many
    maps it made sure of."""
    count = maps_warm()
    # The dashboard's figures and charts too, so its first load only reads.
    board_figures_warm()
    return count
