"""manage.py warm_board_figures

Compute and store the board dashboard's figures and charts for the current
data (board/cache.py): each anchor alone and all anchors together, so a
board member's first load only reads them. load_places, seed_demo and
seed_demo_backing run it at their end; the beat task keeps it current.
Does nothing for what is already stored for the current data.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from board.cache import board_figures_warm


class Command(BaseCommand):
    help = "Compute and store the board dashboard's figures and charts for the current data."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        count = board_figures_warm()
        self.stdout.write(
            f"Board figures ready for {count} view{'' if count == 1 else 's'} "
            f"in {time.perf_counter() - started:.1f} s."
        )
