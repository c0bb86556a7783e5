import os

import pytest
from django.db import connection

from forum_site.celery import app as celery_app
from tests.services import (
    CeleryWorker,
    SmtpSink,
    chromium_path,
    database_url,
    redis_available,
    redis_url,
    unavailable,
)


@pytest.fixture(scope="session")
def smtp_sink():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture(autouse=True)
def mailbox(smtp_sink, settings):
    """Every test sends its email over SMTP to a real local server; read it from here."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_sink.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    smtp_sink.clear()
    return smtp_sink


@pytest.fixture(autouse=True)
def eager_tasks():
    """Unit and API tests run tasks in-process; `celery_worker` tests use a real worker."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run on-commit callbacks (task enqueues) as the real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def require_postgres(transactional_db):
    if connection.vendor != "postgresql":
        unavailable("needs PostgreSQL (set DATABASE_URL=postgres://…)")


@pytest.fixture
def celery_worker(transactional_db, smtp_sink):
    """A real Celery worker on Redis, sharing the test database (so tests must commit)."""
    broker = redis_url()
    if not broker or not redis_available(broker):
        unavailable("a real Celery worker needs Redis (set CELERY_BROKER_URL)")
    db_url = database_url()
    celery_app.conf.task_always_eager = False
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")
    worker = CeleryWorker(
        database_url=db_url,
        broker_url=broker,
        email_url=f"smtp://127.0.0.1:{smtp_sink.port}",
    ).start()
    yield worker
    worker.stop()


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if not path:
        unavailable("Chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls the tests
    # make between browser steps are still plain synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=path,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    yield page
    context.close()
