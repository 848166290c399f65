"""Once loaded the self-assessment's statements; they moved with the
self-assessment to its own app, and assessment.0002_statements loads them now
(on a database migrated before the move, this migration had loaded them)."""

from __future__ import annotations

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("maps", "0001_initial")]

    operations: list[migrations.operations.base.Operation] = []
