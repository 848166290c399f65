from django.apps import AppConfig


class MapsConfig(AppConfig):
    name = "maps"
    verbose_name = "Maps"

    def ready(self) -> None:
        # Registers the check of the tile settings (maps.E001).
        from maps import tiles  # noqa: F401
