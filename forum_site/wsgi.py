"""The WSGI application (gunicorn forum_site.wsgi). It refuses to start in production
without collected static files, with a message saying how to fix it (forum_site/checks.py)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forum_site.settings")
application = get_wsgi_application()

from forum_site.checks import refuse_to_start_without_static_files  # noqa: E402

refuse_to_start_without_static_files()
