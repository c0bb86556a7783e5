import logging

from django.apps import AppConfig
from django.conf import settings

log = logging.getLogger("forum_site")


class ForumSiteConfig(AppConfig):
    name = "forum_site"
    verbose_name = "Platform"

    def ready(self) -> None:
        if settings.CELERY_TASK_ALWAYS_EAGER and settings.FORUM_LOG_EAGER_TASKS:
            log.info(
                "CELERY_BROKER_URL is not set: background tasks run eagerly in-process "
                "(set it to a Redis URL and start `make worker` for production)."
            )
