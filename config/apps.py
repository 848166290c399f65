from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.module_loading import autodiscover_modules

from config.dbtimes import fast_timestamptz


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
        # Date-times parsed by psycopg's C loader, not Django's Python one.
        connection_created.connect(fast_timestamptz, dispatch_uid="config.fast_timestamptz")
