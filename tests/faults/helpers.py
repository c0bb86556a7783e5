"""What the fault tests share (imported by them; not a test module): a Redis server of
their own, an SMTP server that misbehaves, and the sweeper run as beat would run it."""

import asyncio
import contextlib
import subprocess
import tempfile
import threading
import time
from collections import Counter

import redis

from events.invitations import services
from events.invitations.models import Invitation
from tests.services import ProcessGroup, SmtpSink, free_port, redis_available


def purge(broker: str) -> None:
    """Drop queued and unacknowledged messages (a killed worker's would come back later)."""
    client = redis.Redis.from_url(broker, socket_connect_timeout=2)
    client.delete("celery", "unacked", "unacked_index")


class RedisServer(ProcessGroup):
    """A redis-server of the test's own on a free port, which the test may kill and start
    again (never the shared one). Append-only file on, as a broker should run."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = tempfile.TemporaryDirectory(prefix="forum-test-redis-")
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 20) -> "RedisServer":
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                self.dir.name,
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if redis_available(self.url):
                return self
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stopped(self) -> None:
        self.dir.cleanup()


def sweep_until_settled(*, timeout: float, done) -> None:
    """What beat does every minute, as often as the test needs: run the sweeper until
    `done()` (a broker that is away is tried again on the next round)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not done():
        with contextlib.suppress(Exception):  # the broker may be down: beat would wait too
            services.invitations_sweep()
        time.sleep(0.5)


def unsettled() -> bool:
    return Invitation.objects.filter(status__in=["pending", "sending"]).exists()


def message_id_counts(messages) -> Counter:
    return Counter(m["Message-ID"] for m in messages)


class FaultySmtp(SmtpSink):
    """A real SMTP server that misbehaves by the recipient's local part:

    - `ok-…`: accepted;
    - `soft-…`: 451 to RCPT on the first two tries (greylisting), then accepted;
    - `busy-…`: 452 after DATA on the first try, then accepted;
    - `drop-…`: the connection dropped after the message's data, before any reply, on the
      first two tries (the client cannot know whether it was taken: it was not);
    - `bad-…`: 550 to RCPT, always; `reject-…`: 554 after DATA, always.

    `messages` holds what was accepted (250) only; `delay` slows every acceptance."""

    NO_USER = "550 5.1.1 No such user here"
    SPAM = "554 5.7.1 Message rejected as spam"

    def __init__(self, delay: float = 0.0) -> None:
        super().__init__()
        self.delay = delay
        self.tries: Counter = Counter()
        self._tries_lock = threading.Lock()

    def _try(self, step: str, address: str) -> int:
        with self._tries_lock:
            self.tries[step, address] += 1
            return self.tries[step, address]

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        kind = address.split("-", 1)[0]
        tries = self._try("rcpt", address)
        if kind == "bad":
            return self.NO_USER
        if kind == "soft" and tries <= 2:
            return "451 4.7.1 Greylisted, please try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        address = envelope.rcpt_tos[0]
        kind = address.split("-", 1)[0]
        tries = self._try("data", address)
        if kind == "reject":
            return self.SPAM
        if kind == "busy" and tries == 1:
            return "452 4.3.1 Insufficient system storage"
        if kind == "drop" and tries <= 2:
            server.transport.abort()  # no reply ever leaves: the client sees the link die
            return "421 4.4.2 Connection dropped"
        if self.delay:
            await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)
