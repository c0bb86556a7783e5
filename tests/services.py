"""Real services for the tests: an SMTP sink, a Celery worker, Chromium.

When a service cannot run here, its tests skip with the reason, except under
FORUM_REQUIRE_SERVICES=1 (set by .ci/run), where a missing service fails the test.
"""

import email
import email.policy
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
import redis

ROOT = Path(__file__).resolve().parent.parent
REQUIRE_SERVICES = os.environ.get("FORUM_REQUIRE_SERVICES") == "1"


def unavailable(reason: str):
    """Skip the test, or fail it when CI requires every service."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service unavailable: {reason}", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpSink:
    """A real SMTP server (aiosmtpd) on a free local port that keeps what it receives."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self._lock = threading.Lock()
        self._messages: list[EmailMessage] = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        with self._lock:
            self._messages.append(message)
        return "250 Message accepted for delivery"

    def start(self) -> "SmtpSink":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list[EmailMessage]:
        with self._lock:
            return list(self._messages)

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in m["X-Envelope-To"].split(", ")]

    def wait_for(self, count: int, timeout: float = 30) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.messages) >= count:
                return self.messages
            time.sleep(0.05)
        return self.messages

    @staticmethod
    def text(message: EmailMessage) -> str:
        part = message.get_body(preferencelist=("plain",))
        return part.get_content() if part else ""


def redis_url() -> str | None:
    return os.environ.get("CELERY_BROKER_URL") or None


def redis_available(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


class ProcessGroup:
    """A child started with `start_new_session=True`, so that killing its group takes its
    own children too (a worker's pool)."""

    proc: subprocess.Popen | None = None
    stop_seconds = 10

    def kill(self) -> None:
        """kill -9 the whole group: gone mid-conversation, as in a crash."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        """SIGTERM, then kill -9 if it has not ended within `stop_seconds`."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(self.stop_seconds)
            except subprocess.TimeoutExpired:
                self.kill()
        self.stopped()

    def stopped(self) -> None:
        """What to tidy up once the process has ended."""


class CeleryWorker(ProcessGroup):
    """A real `celery worker` process against the test database and the SMTP sink."""

    stop_seconds = 20

    def __init__(
        self,
        *,
        database_url: str,
        broker_url: str,
        email_url: str,
        concurrency: int = 2,
        queues: str | None = None,
        extra_env=None,
    ) -> None:
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": broker_url,
            "EMAIL_URL": email_url,
            "DJANGO_DEBUG": "1",
            "PYTHONUNBUFFERED": "1",
            **(extra_env or {}),
        }
        self.concurrency = concurrency
        self.queues = queues
        self.proc: subprocess.Popen | None = None
        self.log_path = ROOT / "var" / f"test-worker-{os.getpid()}-{time.monotonic_ns()}.log"

    def start(self, timeout: float = 60) -> "CeleryWorker":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        cmd = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "forum_site",
            "worker",
            "--loglevel=INFO",
            f"--concurrency={self.concurrency}",
            "--pool=prefork",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            f"--hostname=test-{time.monotonic_ns()}@%h",
        ]
        if self.queues:
            cmd.append(f"--queues={self.queues}")
        self._log = open(self.log_path, "w")  # noqa: SIM115 (kept open for the process)
        self.proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"celery worker exited: {self.log_path.read_text()[-3000:]}")
            if " ready." in self.log_path.read_text():
                return self
            time.sleep(0.2)
        raise RuntimeError(f"celery worker did not start: {self.log_path.read_text()[-3000:]}")

    def stopped(self) -> None:
        self._log.close()


def chromium_path() -> str | None:
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def database_url() -> str:
    """The test database as a URL, for processes started by the tests (a Celery worker)."""
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor != "postgresql":
        unavailable("a real Celery worker needs PostgreSQL (set DATABASE_URL)")
    user = s.get("USER") or "postgres"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"
