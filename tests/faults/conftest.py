"""Fault tests: real processes (Celery workers, a Redis server of their own, SMTP servers
that misbehave, PostgreSQL backends terminated) and the outcome checked exactly."""

import contextlib

import pytest
import redis

from forum_site.celery import app as celery_app
from tests.faults.helpers import RedisServer, purge
from tests.services import CeleryWorker, database_url, redis_available, redis_url, unavailable


@pytest.fixture
def start_worker(transactional_db):
    """Start real Celery workers (against the test database); each is stopped at the end.

    `start(broker=…, email_url=…, env={…})`; the broker defaults to CELERY_BROKER_URL."""
    db_url = database_url()
    celery_app.conf.task_always_eager = False
    workers: list[tuple[CeleryWorker, str]] = []

    def start(*, email_url: str, broker: str | None = None, env=None, concurrency: int = 2):
        broker = broker or redis_url()
        if not broker or not redis_available(broker):
            unavailable("a real Celery worker needs Redis (set CELERY_BROKER_URL)")
        if not workers:
            purge(broker)
        worker = CeleryWorker(
            database_url=db_url,
            broker_url=broker,
            email_url=email_url,
            concurrency=concurrency,
            extra_env=env,
        ).start()
        workers.append((worker, broker))
        return worker

    yield start
    for worker, broker in workers:
        worker.stop()
        with contextlib.suppress(redis.RedisError):
            purge(broker)


def _reset_broker_pools() -> None:
    celery_app._pool = None
    with contextlib.suppress(AttributeError, KeyError):
        celery_app.__dict__["amqp"]._producer_pool = None


@pytest.fixture
def own_redis():
    """A Redis server of this test's own, which this process also publishes to."""
    try:
        server = RedisServer().start()
    except (OSError, RuntimeError) as exc:
        unavailable(f"cannot start redis-server: {exc}")
    keys = ("broker_url", "broker_read_url", "broker_write_url")
    previous = {key: celery_app.conf[key] for key in keys}
    celery_app.conf.update(dict.fromkeys(keys, server.url))
    _reset_broker_pools()
    yield server
    celery_app.conf.update(previous)
    _reset_broker_pools()
    server.stop()
