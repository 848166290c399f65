from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _theme_slugs(using: str = "default", **_kwargs: Any) -> None:
    """After every migrate: a migration that rebuilt a table (SQLite copies
    it to a new one) dropped its triggers, or the group's theme_slugs
    column; make them again (partners/theme_slugs.py)."""
    from django.db import connections

    from partners.theme_slugs import theme_slugs_install

    theme_slugs_install(connections[using])


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partners"

    def ready(self) -> None:
        post_migrate.connect(_theme_slugs, sender=self, dispatch_uid="partners.theme_slugs")
