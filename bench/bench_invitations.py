"""Sending 10,000 invitations through Celery + Redis to a local SMTP sink.

Baseline (same run): render and send the same 10,000 messages in a plain loop over one
SMTP connection, with no database state and no broker. The Celery figure is the wall time
from `invitations_create` (parse, bulk insert, enqueue after commit) until the database
says every invitation is `sent`, with real worker processes started here; the SMTP sink
(aiosmtpd, its own process) must have received every Message-ID.

Needs PostgreSQL (bench/common.py) and Redis on 127.0.0.1:6379 (db 13).
Knobs: BENCH_INVITATIONS (10000), BENCH_INVITATION_WORKERS (1),
BENCH_INVITATION_CONCURRENCY (4), BENCH_CELERY_BROKER_URL.
"""

# ruff: noqa: E402 (the app's modules are imported once Django is set up, below)

import asyncio
import datetime as dt
import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import psutil
import redis
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BROKER = os.environ.get("BENCH_CELERY_BROKER_URL", "redis://127.0.0.1:6379/13")
COUNT = int(os.environ.get("BENCH_INVITATIONS", "10000"))
WORKERS = int(os.environ.get("BENCH_INVITATION_WORKERS", "1"))
CONCURRENCY = int(os.environ.get("BENCH_INVITATION_CONCURRENCY", "4"))
VAR = ROOT / "var"


def run_sink(port: int, log_path: str) -> None:
    """The SMTP sink process: accept everything, append each Message-ID to a file."""
    out = open(log_path, "a", buffering=1)  # noqa: SIM115 (lives as long as the process)
    pattern = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
            match = pattern.search(envelope.content)
            out.write((match.group(1).decode() if match else "-") + "\n")
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    print("sink ready", flush=True)
    try:
        asyncio.new_event_loop().run_forever()
    finally:
        controller.stop()


if __name__ == "__main__" and sys.argv[1:2] == ["--sink"]:
    # The sink process needs no Django (nor its database).
    run_sink(int(sys.argv[2]), sys.argv[3])
    sys.exit(0)

from bench.common import report, setup_django

os.environ["CELERY_BROKER_URL"] = BROKER
setup_django()

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone

from events.invitations import services
from events.invitations.models import Invitation
from events.models import Event
from forum_site.celery import app as celery_app
from forum_site.emails import stable_message_id
from members.models import Platform
from tests.services import free_port


def cpu_seconds(pid: int, *, children: bool = False) -> float:
    try:
        procs = [psutil.Process(pid)]
        if children:
            procs += procs[0].children(recursive=True)
        return sum(sum(p.cpu_times()[:2]) for p in procs)
    except psutil.NoSuchProcess:
        return 0.0


def received(log_path: Path) -> list[str]:
    return log_path.read_text().split() if log_path.exists() else []


def start_sink(log_path: Path) -> subprocess.Popen:
    """The sink in its own process; Django's mail goes to it from here on."""
    port = free_port()
    sink = subprocess.Popen(
        [sys.executable, __file__, "--sink", str(port), str(log_path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert sink.stdout.readline().strip() == "sink ready"
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    return sink


def bench_event() -> tuple[Event, AbstractBaseUser]:
    """A published event a month ahead, without invitations, and a staff member."""
    platform, _ = Platform.objects.get_or_create(slug="bench-platform", defaults={"name": "Bench"})
    start = timezone.now() + dt.timedelta(days=30)
    event, _ = Event.objects.update_or_create(
        slug="bench-invitations",
        defaults={
            "platform": platform,
            "kind": "forum_session",
            "title": "Bench: SME pairing day",
            "title_ja": "ベンチ：中小企業マッチングデー",
            "starts_at": start,
            "ends_at": start + dt.timedelta(hours=6),
            "time_zone": "Asia/Kolkata",
            "venue": "Convention Centre",
            "city": "Ahmedabad",
            "country": "IN",
            "status": "published",
            "description": "Japanese chuken companies meet Indian mid-tier manufacturers.",
        },
    )
    Invitation.objects.filter(event=event).delete()
    staff, _ = get_user_model().objects.get_or_create(
        username="bench-staff", defaults={"is_staff": True, "email": "staff@bench.example"}
    )
    return event, staff


def loop_baseline(event: Event, emails: list[str], sink: subprocess.Popen) -> dict:
    """Render and send every message in a plain loop over one SMTP connection."""
    template = [
        Invitation(
            pk=10_000_000 + i,
            event=event,
            email=e,
            language="ja" if i % 3 == 0 else "en",
            time_zone="Asia/Tokyo" if i % 3 == 0 else "Asia/Kolkata",
            expires_at=event.starts_at,
        )
        for i, e in enumerate(emails)
    ]
    connection = get_connection()
    connection.open()
    cpu0, sink0 = cpu_seconds(os.getpid()), cpu_seconds(sink.pid)
    t0 = time.perf_counter()
    for invitation in template:
        message = services.invitation_message(invitation, secrets.token_urlsafe(32), "invitation")
        message.connection = connection
        connection.send_messages([message])
    seconds = time.perf_counter() - t0
    figures = {
        "seconds": seconds,
        "cpu": cpu_seconds(os.getpid()) - cpu0,
        "sink_cpu": cpu_seconds(sink.pid) - sink0,
    }
    connection.close()
    return figures


def start_workers(port: int, workers: list[subprocess.Popen]) -> None:
    """Real workers (appended to `workers`, to be stopped whatever happens) on an empty
    queue; returns once each answers a ping."""
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")
        conn.default_channel.client.delete("unacked", "unacked_index")
    env = {**os.environ, "CELERY_BROKER_URL": BROKER, "EMAIL_URL": f"smtp://127.0.0.1:{port}"}
    logs = []
    for n in range(WORKERS):
        log_path = VAR / f"bench-worker-{os.getpid()}-{n}.log"
        logs.append(log_path)
        workers.append(
            subprocess.Popen(
                [
                    *(sys.executable, "-m", "celery", "-A", "forum_site", "worker"),
                    "--loglevel=WARNING",
                    f"--concurrency={CONCURRENCY}",
                    "--pool=prefork",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    f"--hostname=bench{n}-{os.getpid()}@%h",
                ],
                cwd=ROOT,
                env=env,
                stdout=open(log_path, "w"),  # noqa: SIM115 (kept open for the process)
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            replies = celery_app.control.ping(timeout=0.5) or []
        except Exception:  # the broker connection while workers boot
            replies = []
        if len(replies) >= WORKERS:
            return
    raise RuntimeError(f"workers did not start: {logs[0].read_text()[-2000:]}")


def celery_run(
    event: Event,
    staff: AbstractBaseUser,
    emails: list[str],
    workers: list[subprocess.Popen],
    sink: subprocess.Popen,
) -> dict:
    """Invite everyone (the real path) and wait until the database says all are sent."""
    workers_cpu0 = sum(cpu_seconds(w.pid, children=True) for w in workers)
    sink0 = cpu_seconds(sink.pid)
    t0 = time.perf_counter()
    with transaction.atomic():
        result = services.invitations_create(
            actor=staff, event=event, emails_text="\n".join(emails), language="en"
        )
        t_commit = time.perf_counter()
    # Leaving the block committed and ran the on-commit enqueue (200 tasks).
    assert len(result.created) == COUNT
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        if Invitation.objects.filter(event=event, status="sent").count() == COUNT:
            break
        time.sleep(0.1)
    done = time.perf_counter()
    return {
        "create": t_commit - t0,
        "seconds": done - t_commit,
        "total": done - t0,
        "workers_cpu": sum(cpu_seconds(w.pid, children=True) for w in workers) - workers_cpu0,
        "sink_cpu": cpu_seconds(sink.pid) - sink0,
    }


def report_all(loop: dict, celery: dict, ids: list[str]) -> None:
    report("invitations.create_10k", celery["create"], "s")
    report("invitations.loop_send_rate", COUNT / loop["seconds"], "msg/s")
    report("invitations.loop_wall", loop["seconds"], "s")
    # From the commit (tasks enqueued) until the database says every one is sent.
    report("invitations.celery_wall", celery["seconds"], "s", loop["seconds"])
    report(
        "invitations.celery_send_rate",
        COUNT / celery["seconds"],
        "msg/s",
        COUNT / loop["seconds"],
    )
    # Including the invite itself (parse, merge, bulk insert).
    report("invitations.celery_wall_with_create", celery["total"], "s", loop["seconds"])
    # Where the CPU goes (this machine has few cores, often shared).
    per_msg = 1000 / COUNT
    report("invitations.loop_cpu_per_msg", loop["cpu"] * per_msg, "ms")
    report(
        "invitations.celery_workers_cpu_per_msg",
        celery["workers_cpu"] * per_msg,
        "ms",
        loop["cpu"] * per_msg,
    )
    report(
        "invitations.sink_cpu_per_msg",
        celery["sink_cpu"] * per_msg,
        "ms",
        loop["sink_cpu"] * per_msg,
    )
    report("invitations.duplicates_at_smtp", len(ids) - len(set(ids)), "msgs")
    print(
        f"# {WORKERS} worker(s) x concurrency {CONCURRENCY}, batch "
        f"{settings.INVITATION_SEND_BATCH}, on {os.cpu_count()} CPUs",
        flush=True,
    )


def stop(workers: list[subprocess.Popen], sink: subprocess.Popen, sink_log: Path) -> None:
    for worker in workers:
        if worker.poll() is None:
            os.killpg(worker.pid, 15)
            try:
                worker.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, 9)
    sink.kill()
    sink.wait()
    sink_log.unlink(missing_ok=True)


def main() -> int:
    try:
        redis.Redis.from_url(BROKER, socket_connect_timeout=2).ping()
    except Exception as exc:
        print(f"bench_invitations needs Redis at {BROKER}: {exc}", file=sys.stderr)
        return 1
    VAR.mkdir(exist_ok=True)
    sink_log = VAR / f"bench-sink-{os.getpid()}.log"
    sink = start_sink(sink_log)
    workers: list[subprocess.Popen] = []
    try:
        event, staff = bench_event()
        emails = [f"person{i:05d}@bench.example" for i in range(COUNT)]
        loop = loop_baseline(event, emails, sink)
        assert len(received(sink_log)) == COUNT
        sink_log.write_text("")
        start_workers(settings.EMAIL_PORT, workers)
        celery = celery_run(event, staff, emails, workers, sink)
        ids = received(sink_log)
        expected = {
            stable_message_id("invitation", pk, 0)
            for pk in Invitation.objects.filter(event=event).values_list("pk", flat=True)
        }
        missing = expected - set(ids)
        assert not missing, f"{len(missing)} invitations never reached the SMTP server"
        report_all(loop, celery, ids)
        Invitation.objects.filter(event=event).delete()
        return 0
    finally:
        stop(workers, sink, sink_log)


if __name__ == "__main__":
    sys.exit(main())
