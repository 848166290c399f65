"""The Celery application.

Configuration comes from Django settings under the ``CELERY_`` namespace
(config/settings/base.py). Without CELERY_BROKER_URL tasks run in-process,
eagerly, so `make demo` needs no Redis.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("backer")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
