"""Moving a model from one app to another without moving its data.

The table keeps its name (Meta.db_table), the old app's migration removes
the model from its state and the new app's adds it, both with
SeparateDatabaseAndState, so no SQL runs. The content types follow, so the
admin's history of those rows still points at them.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def content_types_move(apps: Any, *, models: list[str], old_app: str, new_app: str) -> None:
    """Relabel the content types of ``models`` from ``old_app`` to ``new_app``
    (a database migrated before the move has them; a new one has none yet)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    taken = set(ContentType.objects.filter(app_label=new_app).values_list("model", flat=True))
    ContentType.objects.filter(app_label=old_app, model__in=set(models) - taken).update(
        app_label=new_app
    )


def content_types_moved(*, models: list[str], old_app: str, new_app: str) -> migrations.RunPython:
    """The migration operation that moves the content types of ``models`` from
    ``old_app`` to ``new_app`` (content_types_move), and back when unapplied."""

    def forward(apps: Any, schema_editor: Any) -> None:
        content_types_move(apps, models=models, old_app=old_app, new_app=new_app)

    def backward(apps: Any, schema_editor: Any) -> None:
        content_types_move(apps, models=models, old_app=new_app, new_app=old_app)

    return migrations.RunPython(forward, backward)
