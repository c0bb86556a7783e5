import logging

from django.apps import AppConfig
from django.conf import settings

log = logging.getLogger("forum_site")


class ForumSiteConfig(AppConfig):
    name = "forum_site"
    verbose_name = "Platform"

    def ready(self) -> None:
        from django.urls import register_converter

        from forum_site import checks  # noqa: F401 (registers the system checks)
        from forum_site.ids import IdConverter

        # `<id:pk>` in every app's URLs (forum_site/ids.py).
        register_converter(IdConverter, "id")
        if settings.CELERY_TASK_ALWAYS_EAGER and settings.FORUM_LOG_EAGER_TASKS:
            log.info(
                "CELERY_BROKER_URL is not set: background tasks run eagerly in-process "
                "(set it to a Redis URL and start `make worker` for production)."
            )
