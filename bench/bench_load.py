"""The site under load, served as in production: gunicorn on PostgreSQL, debug off.

1. A burst of registrations: 1,000 distinct members register for one 300-seat event at
   once from 32 concurrent HTTP clients (threads, keep-alive connections, API tokens).
   Prints throughput, p50/p95/p99 latency and errors, then checks the outcome exactly:
   300 confirmed, 700 waitlisted at positions 1..700 (the script exits non-zero otherwise).
   Baseline (same run): the same lock-and-insert transactions in raw SQL (psycopg) over 32
   connections on a second event — what the database itself allows; the ratio is
   HTTP / raw SQL.
2. A browsing mix at 50 concurrent clients for BENCH_LOAD_BROWSE_SECONDS (12): the events
   page and an event's page (HTML, anonymous), the event list and an event (API), a
   member's conversations and a page of messages (API, token) — p95 per page.

The server: `gunicorn forum_site.wsgi --worker-class gthread --workers 2×cores --threads 4`
with DJANGO_DEBUG=0, static files collected into a temporary directory, persistent
database connections (DATABASE_CONN_MAX_AGE=60) and Celery tasks published to Redis (no
worker runs: the registration emails queue up and are purged at the end).

Database: its own (BENCH_DATABASE, default forum_bench_load), recreated on each run.
Redis: BENCH_LOAD_BROKER_URL (db 12) for the broker, BENCH_LOAD_CACHE_URL (db 13) for the
cache. Knobs: BENCH_LOAD_WORKERS (2×cores), BENCH_LOAD_THREADS (4), BENCH_LOAD_CLIENTS (32),
BENCH_LOAD_BROWSERS (50).
"""

# ruff: noqa: E402 (the app's modules are imported once Django is set up, below)

import http.client
import json
import os
import queue
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("BENCH_DATABASE", "forum_bench_load")

from bench.common import report, setup_django

MEMBERS = 1_000
SEATS = 300
CLIENTS = int(os.environ.get("BENCH_LOAD_CLIENTS", "32"))
BROWSERS = int(os.environ.get("BENCH_LOAD_BROWSERS", "50"))
BROWSE_SECONDS = float(os.environ.get("BENCH_LOAD_BROWSE_SECONDS", "12"))
WORKERS = int(os.environ.get("BENCH_LOAD_WORKERS", str(2 * (os.cpu_count() or 1))))
THREADS = int(os.environ.get("BENCH_LOAD_THREADS", "4"))
BROKER = os.environ.get("BENCH_LOAD_BROKER_URL", "redis://127.0.0.1:6379/12")
CACHE = os.environ.get("BENCH_LOAD_CACHE_URL", "redis://127.0.0.1:6379/13")
CONVERSATIONS_PER_BROWSER = 3
MESSAGES_PER_CONVERSATION = 60
PASSWORD = "load-bench-password-2026"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def together(barrier: threading.Barrier, clients: list) -> float:
    """Run each client in its own thread; once all of them wait at `barrier` (which holds
    one more party, this one), the seconds until the last has finished."""
    threads = [threading.Thread(target=c) for c in clients]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - start


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


# --- data ---------------------------------------------------------------------------------


def generate() -> dict:
    """1,000 members (each their own approved SME with an API token), the 300-seat event, a
    second one for the SQL baseline, 30 more events to list and the browsers' conversations."""
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from events.models import Event
    from members.messaging.models import Message
    from members.messaging.services import conversation_start
    from members.models import Affiliation, Membership, Organisation, Platform, Profile

    platform, _ = Platform.objects.get_or_create(
        slug="sme-forum", defaults={"name": "Japan–India SME Forum"}
    )
    User = get_user_model()
    users = User.objects.bulk_create(
        [
            User(username=f"load{i}", email=f"load{i}@load.example", password="!")
            for i in range(MEMBERS)
        ]
    )
    # One account logs in through the API with a password (the production hasher: once).
    users[0].password = make_password(PASSWORD)
    users[0].save(update_fields=["password"])
    Profile.objects.bulk_create([Profile(user=u) for u in users])
    orgs = Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"Load SME {i}", slug=f"load-sme-{i}", country="IN" if i % 2 else "JP"
            )
            for i in range(MEMBERS)
        ]
    )
    Affiliation.objects.bulk_create(
        [Affiliation(user=u, organisation=o, role="admin") for u, o in zip(users, orgs)]
    )
    now = timezone.now()
    Membership.objects.bulk_create(
        [
            Membership(
                organisation=o, platform=platform, status="approved", applied_at=now, decided_at=now
            )
            for o in orgs
        ]
    )
    # The other 999 tokens are minted directly: logging 1,000 people in would measure the
    # password hasher (about half a second of CPU each), not the site.
    tokens = [Token(key=Token.generate_key(), user=u) for u in users[1:]]
    Token.objects.bulk_create(tokens)

    def event(slug: str, capacity: int | None, days: int) -> Event:
        starts = now + dt.timedelta(days=days)
        return Event(
            platform=platform,
            kind="forum_session",
            slug=slug,
            title=f"Load {slug}",
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=3),
            time_zone="Asia/Kolkata",
            venue="Convention Centre",
            city="Ahmedabad",
            country="IN",
            capacity=capacity,
            visibility="public",
            status="published",
        )

    burst, baseline = Event.objects.bulk_create(
        [event("load-burst", SEATS, 20), event("load-baseline", SEATS, 21)]
    )
    Event.objects.bulk_create([event(f"load-listed-{i}", 40, 5 + i) for i in range(30)])

    browsers = users[1 : BROWSERS + 1]
    conversations = []
    for n, person in enumerate(browsers):
        for k in range(CONVERSATIONS_PER_BROWSER):
            other = users[BROWSERS + 1 + (n * CONVERSATIONS_PER_BROWSER + k) % 400]
            conversations.append(
                (
                    person,
                    other,
                    conversation_start(
                        actor=person,
                        subject=f"Co-development {n}-{k}",
                        body="Shall we meet at the forum?",
                        recipient_ids=[other.pk],
                    ),
                )
            )
    Message.objects.bulk_create(
        [
            Message(
                conversation=conversation,
                sender=(person, other)[m % 2],
                body=f"Message {m} about tooling, samples and the next visit.",
                created_at=now,
                updated_at=now,
            )
            for person, other, conversation in conversations
            for m in range(MESSAGES_PER_CONVERSATION)
        ],
        batch_size=5000,
    )
    token_of = dict(Token.objects.values_list("user_id", "key"))
    return {
        "burst": burst.pk,
        "baseline": baseline.pk,
        "users": [(u.pk, orgs[i].pk) for i, u in enumerate(users)],
        "login": users[0].username,
        "tokens": token_of,
        "browsers": [
            (token_of[person.pk], conversation.pk) for person, _, conversation in conversations
        ],
    }


# --- the server ------------------------------------------------------------------------


class Gunicorn:
    """gunicorn with production settings, static files collected into a temporary dir."""

    def __init__(self) -> None:
        self.port = free_port()
        self.static = tempfile.TemporaryDirectory(prefix="forum-bench-static-")
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (lives with the server)
            "w+", prefix="forum-bench-gunicorn-", suffix=".log"
        )
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "forum_site.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "bench-only-secret-key"),
            "DJANGO_STATIC_ROOT": self.static.name,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback (no TLS proxy here)
            "DATABASE_CONN_MAX_AGE": "60",
            "CELERY_BROKER_URL": BROKER,
            "REDIS_URL": CACHE,
            "CACHE_KEY_PREFIX": "forum-bench-load",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
        self.proc: subprocess.Popen | None = None

    def collect_static(self) -> None:
        """Start `collectstatic` (it runs while the data is generated)."""
        self.collecting = subprocess.Popen(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=self.env,
        )

    def start(self) -> "Gunicorn":
        if self.collecting.wait() != 0:
            raise RuntimeError("collectstatic failed")
        self.env["DATABASE_URL"] = os.environ["DATABASE_URL"]
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "forum_site.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--worker-class",
                "gthread",
                "--workers",
                str(WORKERS),
                "--threads",
                str(THREADS),
                "--backlog",
                "2048",
                "--keep-alive",
                "30",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.tail()}")
            try:
                status, _ = request(self.connect(), "GET", "/api/v1/events/?page_size=1")
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not start: {self.tail()}")

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def tail(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text()[-3000:]

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.static.cleanup()


def request(conn, method: str, path: str, *, token: str | None = None, body=None):
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=payload, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


# --- the burst -------------------------------------------------------------------------


def check_outcome(event_id: int, label: str) -> None:
    from events.models import Event, Registration

    event = Event.objects.get(pk=event_id)
    rows = Registration.objects.filter(event_id=event_id)
    confirmed = rows.filter(status="confirmed").count()
    positions = sorted(rows.filter(status="waitlisted").values_list("waitlist_position", flat=True))
    waiting = MEMBERS - SEATS
    problems = []
    if rows.count() != MEMBERS or len(set(rows.values_list("user_id", flat=True))) != MEMBERS:
        problems.append(f"{rows.count()} registrations for {MEMBERS} members")
    if confirmed != SEATS:
        problems.append(f"{confirmed} confirmed, expected {SEATS}")
    if positions != list(range(1, waiting + 1)):
        problems.append(f"{len(positions)} waitlisted, positions not exactly 1..{waiting}")
    if (event.seats_taken, event.waitlist_length) != (SEATS, waiting):
        problems.append(f"counters {event.seats_taken}/{event.waitlist_length}")
    if problems:
        print(f"# {label}: WRONG OUTCOME: {'; '.join(problems)}", file=sys.stderr, flush=True)
        raise SystemExit(1)
    print(
        f"# {label}: exactly {confirmed} confirmed and {len(positions)} waitlisted at "
        f"positions 1..{waiting}; counters agree",
        flush=True,
    )


def burst_http(server: Gunicorn, data: dict) -> float:
    # The API's own way in: a password for a token (POST /api/v1/auth/token/).
    status, body = request(
        server.connect(),
        "POST",
        "/api/v1/auth/token/",
        body={"username": data["login"], "password": PASSWORD},
    )
    assert status == 200, body[:300]
    tokens = {**data["tokens"], data["users"][0][0]: json.loads(body)["token"]}
    work: queue.Queue = queue.Queue()
    for user_id, _ in data["users"]:
        work.put(tokens[user_id])
    path = f"/api/v1/events/{data['burst']}/register/"
    latencies: list[float] = []
    statuses: Counter = Counter()
    outcomes: Counter = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(CLIENTS + 1)

    def client() -> None:
        conn = server.connect()
        barrier.wait()
        while True:
            try:
                token = work.get_nowait()
            except queue.Empty:
                break
            for _attempt in range(10):
                start = time.perf_counter()
                try:
                    status, body = request(conn, "POST", path, token=token, body={})
                except (OSError, http.client.HTTPException):
                    conn.close()
                    conn = server.connect()
                    status, body = -1, b""
                elapsed = time.perf_counter() - start
                with lock:
                    latencies.append(elapsed)
                    statuses[status] += 1
                if status == 201:
                    with lock:
                        outcomes[json.loads(body)["status"]] += 1
                    break
                if status not in (503, -1):
                    with lock:
                        outcomes[f"HTTP {status}: {body[:200]!r}"] += 1
                    break
                time.sleep(0.05)  # 503 "try again": a real client waits Retry-After
        conn.close()

    elapsed = together(barrier, [client] * CLIENTS)
    errors = sum(n for s, n in statuses.items() if s != 201)
    rate = MEMBERS / elapsed
    print(
        f"# HTTP burst: {MEMBERS} registrations from {CLIENTS} clients in {elapsed:.2f} s "
        f"({rate:.0f} reg/s); responses {dict(sorted(statuses.items()))}; "
        f"outcomes {dict(outcomes)}",
        flush=True,
    )
    report("load.register_burst_p50_ms", percentile(latencies, 0.50) * 1000, "ms")
    report("load.register_burst_p95_ms", percentile(latencies, 0.95) * 1000, "ms")
    report("load.register_burst_p99_ms", percentile(latencies, 0.99) * 1000, "ms")
    report("load.register_burst_errors", errors, "responses")
    report("load.register_burst_5xx", sum(n for s, n in statuses.items() if s >= 500), "responses")
    check_outcome(data["burst"], "HTTP burst")
    return rate


def burst_sql(data: dict) -> float:
    """The same transactions without Django: lock the event, look for an active
    registration, insert confirmed or waitlisted, move the counter; 32 connections."""
    import psycopg
    from django.conf import settings
    from django.db import connection

    s = connection.settings_dict
    dsn = f"host={s['HOST'] or '127.0.0.1'} port={s['PORT'] or 5432} dbname={s['NAME']} user={s['USER'] or 'postgres'}"
    if s.get("PASSWORD"):
        dsn += f" password={s['PASSWORD']}"
    event_id = data["baseline"]
    work: queue.Queue = queue.Queue()
    for person in data["users"]:
        work.put(person)
    barrier = threading.Barrier(CLIENTS + 1)
    failures = []

    def client() -> None:
        with psycopg.connect(dsn) as conn:
            barrier.wait()
            while True:
                try:
                    user_id, org_id = work.get_nowait()
                except queue.Empty:
                    break
                try:
                    with conn.transaction(), conn.cursor() as cur:
                        cur.execute(f"SET LOCAL lock_timeout = '{settings.FORUM_LOCK_TIMEOUT}'")
                        cur.execute(
                            "SELECT capacity, seats_taken, waitlist_length FROM events_event "
                            "WHERE id = %s FOR UPDATE",
                            [event_id],
                        )
                        capacity, taken, waiting = cur.fetchone()
                        cur.execute(
                            "SELECT 1 FROM events_registration WHERE event_id = %s AND "
                            "user_id = %s AND status IN ('confirmed', 'waitlisted', "
                            "'attended')",
                            [event_id, user_id],
                        )
                        if cur.fetchone():
                            continue
                        seat = capacity is None or taken < capacity
                        cur.execute(
                            "INSERT INTO events_registration (event_id, user_id, "
                            "organisation_id, status, waitlist_position, via_invitation, "
                            "created_at, confirmed_at, updated_at, notified_state) VALUES "
                            "(%s, %s, %s, %s, %s, false, now(), %s, now(), '')",
                            [
                                event_id,
                                user_id,
                                org_id,
                                "confirmed" if seat else "waitlisted",
                                None if seat else waiting + 1,
                                "now" if seat else None,
                            ],
                        )
                        cur.execute(
                            "UPDATE events_event SET seats_taken = seats_taken + %s, "
                            "waitlist_length = waitlist_length + %s WHERE id = %s",
                            [int(seat), int(not seat), event_id],
                        )
                except psycopg.Error as exc:
                    failures.append(exc)

    elapsed = together(barrier, [client] * CLIENTS)
    if failures:
        print(f"# raw SQL baseline failed: {failures[:3]}", file=sys.stderr)
        raise SystemExit(1)
    rate = MEMBERS / elapsed
    print(
        f"# raw SQL baseline: the same {MEMBERS} lock-and-insert transactions over {CLIENTS} "
        f"connections in {elapsed:.2f} s ({rate:.0f} reg/s)",
        flush=True,
    )
    check_outcome(event_id, "raw SQL baseline")
    return rate


# --- browsing --------------------------------------------------------------------------


def browse(server: Gunicorn, data: dict) -> None:
    from django.urls import reverse

    event_id = data["burst"]
    pages = {
        "events_page": (reverse("events:list"), False),
        "event_page": (reverse("events:detail", args=[event_id]), False),
        "api_event_list": ("/api/v1/events/?page_size=20", True),
        "api_event": (f"/api/v1/events/{event_id}/", True),
        "api_conversations": ("/api/v1/conversations/", True),
        "api_messages": ("/api/v1/conversations/{conversation}/messages/", True),
    }
    samples: dict[str, list[float]] = {name: [] for name in pages}
    failures: Counter = Counter()
    lock = threading.Lock()
    stop_at = time.monotonic() + BROWSE_SECONDS
    barrier = threading.Barrier(BROWSERS + 1)

    def client(n: int) -> None:
        token, conversation = data["browsers"][n * CONVERSATIONS_PER_BROWSER]
        conn = server.connect()
        barrier.wait()
        while time.monotonic() < stop_at:
            for name, (path, api) in pages.items():
                start = time.perf_counter()
                try:
                    status, _ = request(
                        conn,
                        "GET",
                        path.format(conversation=conversation),
                        token=token if api else None,
                    )
                except (OSError, http.client.HTTPException):
                    conn.close()
                    conn = server.connect()
                    status = -1
                elapsed = time.perf_counter() - start
                with lock:
                    samples[name].append(elapsed)
                    if status != 200:
                        failures[f"{name} {status}"] += 1
        conn.close()

    elapsed = together(barrier, [lambda n=n: client(n) for n in range(BROWSERS)])
    total = sum(len(v) for v in samples.values())
    report("load.browse_requests_per_second", total / elapsed, "req/s")
    for name, values in samples.items():
        report(f"load.browse_{name}_p95_ms", percentile(values, 0.95) * 1000, "ms")
    report("load.browse_errors", sum(failures.values()), "responses")
    medians = ", ".join(f"{name} {statistics.median(v) * 1000:.0f}" for name, v in samples.items())
    print(
        f"# browsing: {BROWSERS} clients for {elapsed:.1f} s, {total} requests "
        f"({total / elapsed:.0f}/s); median ms: {medians}; failures {dict(failures) or 'none'}",
        flush=True,
    )
    if failures:
        print(f"# browsing failed: {dict(failures)}", file=sys.stderr)
        raise SystemExit(1)


def purge_broker() -> None:
    """The registration emails the server enqueued (no worker ran): dropped."""
    import redis

    try:
        redis.Redis.from_url(BROKER, socket_connect_timeout=2).delete(
            "celery", "unacked", "unacked_index"
        )
    except redis.RedisError as exc:
        print(f"bench_load needs Redis at {BROKER}: {exc}", file=sys.stderr)
        raise SystemExit(1)


def main() -> None:
    load = os.getloadavg()
    print(
        f"# {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
        f"gunicorn gthread {WORKERS} workers x {THREADS} threads",
        flush=True,
    )
    purge_broker()  # and fail at once without Redis
    server = Gunicorn()
    server.collect_static()
    start = time.perf_counter()
    setup_django(fresh=True)
    print(f"# database and migrations: {time.perf_counter() - start:.1f} s", flush=True)
    start = time.perf_counter()
    data = generate()
    print(f"# data: {time.perf_counter() - start:.1f} s", flush=True)
    purge_broker()
    try:
        server.start()
        http_rate = burst_http(server, data)
        sql_rate = burst_sql(data)
        report("load.register_burst_reg_per_second", http_rate, "reg/s", sql_rate)
        print(
            f"# HTTP through gunicorn and Django reaches {http_rate / sql_rate:.0%} of what "
            f"PostgreSQL allows for the same transactions",
            flush=True,
        )
        browse(server, data)
    finally:
        server.stop()
        purge_broker()
    load = os.getloadavg()
    print(f"# load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", flush=True)


if __name__ == "__main__":
    main()
