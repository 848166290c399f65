"""The board dashboard's stored figures (board/cache.py)."""

from __future__ import annotations

from django.db import models


class BoardFigureSnapshot(models.Model):
    """The board dashboard's figures (or one of its charts), computed for one
    scope and one data version (board/cache.py): written when data is
    loaded or the beat task warms it, so a board member's first load only
    reads it. A table rather than only the cache because the demo and small
    installations run without a shared cache: a warm in a management command
    must reach the web process."""

    # board.cache.snapshot_key: what (figures or a chart), the anchors,
    # the period and level, and the day the period resolves from.
    key = models.CharField(max_length=200)
    # maps.cache.data_version() when computed: a new version is a new row.
    version = models.CharField(max_length=32)
    # JSON text for figures, PNG bytes for a chart: never pickled.
    payload = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # Its table from before the move out of maps (maps.0007, board.0001).
        db_table = "maps_boardfiguresnapshot"
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="board_figure_snapshot_once"),
        ]

    def __str__(self) -> str:
        return f"{self.key} @ {self.version}"
