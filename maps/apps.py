from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _data_version_triggers(using: str = "default", **_kwargs: Any) -> None:
    """After every migrate: a migration that rebuilt a table (SQLite copies
    it to a new one) dropped its triggers; make them again (maps/version.py)."""
    from django.db import connections

    from maps.version import data_version_triggers_install

    data_version_triggers_install(connections[using])


class MapsConfig(AppConfig):
    name = "maps"
    verbose_name = "Maps"

    def ready(self) -> None:
        # Registers the check of the tile settings (maps.E001).
        from maps import tiles  # noqa: F401

        post_migrate.connect(
            _data_version_triggers, sender=self, dispatch_uid="maps.data_version_triggers"
        )
