"""The board's stored figures moved from the maps app to its own without
moving any data, and its warm task kept the name the beat schedule and
queued messages use."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from board.models import BoardFigureSnapshot
from board.tasks import rebuild_board_maps
from config.celery import app

BEFORE_THE_MOVE = ("maps", "0006_assessment_moved")


def migrate_to_the_end() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def migrated_back() -> Iterator[None]:
    """Leaves the database fully migrated, whatever the test did to it."""
    yield
    migrate_to_the_end()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("migrated_back")
def test_a_database_from_before_the_move_keeps_its_snapshots():  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE_THE_MOVE, ("board", None)])
    old = executor.loader.project_state([BEFORE_THE_MOVE]).apps
    Snapshot = old.get_model("maps", "BoardFigureSnapshot")
    ContentType.objects.get_or_create(app_label="maps", model="boardfiguresnapshot")
    Snapshot.objects.create(key="board:figures:1", version="v1", payload=b"{}")

    migrate_to_the_end()

    kept = BoardFigureSnapshot.objects.get()
    assert (kept.key, kept.version, bytes(kept.payload)) == ("board:figures:1", "v1", b"{}")
    ContentType.objects.clear_cache()
    assert ContentType.objects.filter(app_label="board", model="boardfiguresnapshot").exists()
    assert not ContentType.objects.filter(app_label="maps", model="boardfiguresnapshot").exists()


def test_the_warm_task_keeps_the_name_beat_sends():  # type: ignore[no-untyped-def]
    name = settings.CELERY_BEAT_SCHEDULE["maps-rebuild"]["task"]
    assert name == "maps.tasks.rebuild_board_maps"
    assert rebuild_board_maps.name == name
    app.loader.import_default_modules()
    assert app.tasks[name].run.__module__ == "board.tasks"
