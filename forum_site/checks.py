"""System checks: a production start without what production needs fails at once, with a
message that says what to do (instead of a 500 on the first page that uses a static file)."""

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured


def _manifest_missing() -> bool:
    manifest = getattr(staticfiles_storage, "manifest_name", None)
    if not manifest:
        return False  # not a manifest storage (debug, tests): files are served as they are
    return not staticfiles_storage.exists(manifest)


@register("forum_static", deploy=True)
def static_files_collected(app_configs=None, **kwargs):
    if settings.DEBUG or not _manifest_missing():
        return []
    return [
        Error(
            "Static files have not been collected, so pages would fail (debug is off and "
            f"{settings.STATIC_ROOT}/staticfiles.json is missing).",
            hint="Run `python manage.py collectstatic --noinput` before starting the server "
            "(DJANGO_STATIC_ROOT sets where the files go).",
            id="forum.E001",
        )
    ]


def refuse_to_start_without_static_files() -> None:
    """For the WSGI entry point (gunicorn runs no system checks)."""
    errors = static_files_collected()
    if errors:
        raise ImproperlyConfigured(f"{errors[0].msg} {errors[0].hint}")
