from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class ConfigConfig(AppConfig):
    name = "config"
    verbose_name = "Backer site"

    def ready(self) -> None:
        # Register every app's Celery tasks in every process, not only in the
        # worker (whose autodiscovery runs at its start). Without a broker the
        # web process runs outbox messages itself and looks tasks up by name:
        # a task module no view had imported yet was "NotRegistered", and the
        # follow-up (e.g. the match run a verification asks for) never ran.
        autodiscover_modules("tasks")
