"""The Celery application. Workers: `make worker`; periodic tasks: `make beat`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forum_site.settings")

app = Celery("forum_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
