"""The Celery application; configuration comes from Django settings (CELERY_*)."""

import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tidings.settings")

app = Celery("tidings")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = [Queue(name) for name in ("default", "fetch", "score", "digest")]
app.autodiscover_tasks()
