"""PostgreSQL backends terminated (pg_terminate_backend, from another connection) in the
middle of registrations over HTTP (the live server): the client gets a 503 with
Retry-After and a JSON body instead of a 500, its transaction is rolled back, and retrying
registers it once — no seat is lost or doubled."""

import json
import random
import threading
import time
import urllib.error
import urllib.request

import psycopg
import pytest
from django.db import connection
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from events.models import Event, Registration
from forum_site.retry import DATABASE_UNAVAILABLE
from tests.factories import EventFactory, member
from tests.services import database_url

pytestmark = pytest.mark.postgres

ALREADY = ("You are already registered for this event.", "You are already on the waitlist")


def register(base_url: str, event_id: int, token: str) -> tuple[int, dict, object]:
    request = urllib.request.Request(
        f"{base_url}/api/v1/events/{event_id}/register/",
        data=b"{}",
        method="POST",
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        body = error.read()
        try:
            data = json.loads(body)
        except ValueError:
            data = body[:500]
        return error.code, dict(error.headers), data


def already_registered(body) -> bool:
    errors = body.get("non_field_errors", []) if isinstance(body, dict) else []
    return any(str(e).startswith(ALREADY) for e in errors)


def tokens_for(count: int, prefix: str) -> list[str]:
    return [Token.objects.create(user=member(username=f"{prefix}{i}")).key for i in range(count)]


def assert_exact(event_id: int, *, people: int, seats: int) -> None:
    event = Event.objects.get(pk=event_id)
    rows = Registration.objects.filter(event_id=event_id)
    assert rows.count() == people
    assert rows.values("user_id").distinct().count() == people
    assert rows.filter(status="confirmed").count() == seats
    assert sorted(
        rows.filter(status="waitlisted").values_list("waitlist_position", flat=True)
    ) == list(range(1, people - seats + 1))
    assert (event.seats_taken, event.waitlist_length) == (seats, people - seats)


@pytest.fixture
def admin_db(require_postgres):
    """A connection of the test's own (autocommit) to watch and terminate backends, and
    the pids that must survive: the test's own connection and this one."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        own = cursor.fetchone()[0]
    with psycopg.connect(database_url(), autocommit=True) as conn:
        spare = {own, conn.execute("SELECT pg_backend_pid()").fetchone()[0]}
        yield conn, spare


def test_terminated_while_waiting_for_the_seat_lock_is_a_503_and_changes_nothing(
    admin_db, live_server, settings
):
    settings.FORUM_LOCK_TIMEOUT = "60s"  # the wait ends by termination, not by lock timeout
    admin, spare = admin_db
    event = EventFactory(capacity=3)
    tokens = tokens_for(6, "waiter")
    results = []
    with psycopg.connect(database_url()) as holder:
        # Another transaction holds the event's row lock: every registration waits on it.
        holder.execute("SELECT id FROM events_event WHERE id = %s FOR UPDATE", [event.pk])
        spare = spare | {holder.execute("SELECT pg_backend_pid()").fetchone()[0]}
        threads = [
            threading.Thread(
                target=lambda t=t: results.append(register(live_server.url, event.pk, t))
            )
            for t in tokens
        ]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 30
        waiting = []
        while time.monotonic() < deadline and len(waiting) < len(tokens):
            waiting = [
                pid
                for (pid,) in admin.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                ).fetchall()
                if pid not in spare
            ]
            time.sleep(0.05)
        assert len(waiting) == len(tokens)
        for pid in waiting:
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        for t in threads:
            t.join(60)
        holder.rollback()

    assert [(status, headers.get("Retry-After"), body) for status, headers, body in results] == [
        (503, "2", {"detail": DATABASE_UNAVAILABLE})
    ] * len(tokens)
    assert all(headers["Content-Type"] == "application/json" for _, headers, _ in results)
    assert Registration.objects.filter(event=event).count() == 0
    # Trying again (as Retry-After says) registers each exactly once.
    assert (
        sorted(register(live_server.url, event.pk, t)[2]["status"] for t in tokens)
        == ["confirmed"] * 3 + ["waitlisted"] * 3
    )
    assert_exact(event.pk, people=6, seats=3)


def test_backends_terminated_at_random_during_a_burst_lose_and_double_no_seat(
    admin_db, live_server
):
    admin, spare = admin_db
    event = EventFactory(capacity=10)
    tokens = tokens_for(40, "racer")
    statuses: list[int] = []
    unexpected: list = []
    lock = threading.Lock()
    running = threading.Event()
    running.set()
    kills = []

    def client(mine: list[str]) -> None:
        try:
            register_all(mine)
        except Exception as exc:  # noqa: BLE001 (asserted below)
            unexpected.append(repr(exc))

    def register_all(mine: list[str]) -> None:
        for token in mine:
            for _ in range(60):
                status, headers, body = register(live_server.url, event.pk, token)
                with lock:
                    statuses.append(status)
                if status == 201:
                    break
                if status == 400 and already_registered(body):
                    break  # the commit had gone through before the connection died
                if status != 503 or headers.get("Retry-After") != "2":
                    unexpected.append((status, body))
                    break
                time.sleep(0.05)

    def killer() -> None:
        rng = random.Random(2026)
        while running.is_set():
            pids = [
                pid
                for (pid,) in admin.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND state <> 'idle'"
                ).fetchall()
                if pid not in spare
            ]
            if pids:
                pid = rng.choice(pids)
                admin.execute("SELECT pg_terminate_backend(%s)", [pid])
                kills.append(pid)
            time.sleep(rng.uniform(0.01, 0.05))

    clients = [threading.Thread(target=client, args=(tokens[i::8],)) for i in range(8)]
    watcher = threading.Thread(target=killer)
    watcher.start()
    for t in clients:
        t.start()
    for t in clients:
        t.join(120)
    running.clear()
    watcher.join(10)

    assert unexpected == []
    assert kills, "no backend was terminated: the fault did not happen"
    assert 503 in statuses and 500 not in statuses
    assert_exact(event.pk, people=40, seats=10)


def test_seat_lock_held_past_the_lock_timeout_is_a_503_busy(
    require_postgres, live_server, settings
):
    settings.FORUM_LOCK_TIMEOUT = "500ms"
    event = EventFactory(capacity=3)
    [token] = tokens_for(1, "patient")
    with psycopg.connect(database_url()) as holder:
        holder.execute("SELECT id FROM events_event WHERE id = %s FOR UPDATE", [event.pk])
        status, headers, body = register(live_server.url, event.pk, token)
        holder.rollback()
    assert (status, headers.get("Retry-After"), body) == (
        503,
        "2",
        {"detail": "Many people are registering for this event right now; please try again."},
    )
    assert register(live_server.url, event.pk, token)[0] == 201


def test_the_connection_lost_mid_request_is_discarded_and_the_next_request_works(admin_db):
    admin, _ = admin_db
    event = EventFactory(capacity=3)
    client = APIClient()
    client.force_authenticate(member())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        [pid] = cursor.fetchone()
    admin.execute("SELECT pg_terminate_backend(%s)", [pid])  # the connection this request uses

    response = client.post(f"/api/v1/events/{event.pk}/register/", {}, format="json")
    assert (response.status_code, response["Retry-After"], response.json()) == (
        503,
        "2",
        {"detail": DATABASE_UNAVAILABLE},
    )
    assert connection.connection is None  # dropped, not handed to the next request
    response = client.post(f"/api/v1/events/{event.pk}/register/", {}, format="json")
    assert (response.status_code, response.json()["status"]) == (201, "confirmed")


def test_a_page_whose_connection_was_lost_is_a_503_page_and_the_next_request_works(admin_db):
    admin, _ = admin_db
    EventFactory(title="Tooling forum")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        [pid] = cursor.fetchone()
    admin.execute("SELECT pg_terminate_backend(%s)", [pid])  # the connection this page uses

    response = Client().get("/events/", HTTP_ACCEPT_LANGUAGE="ja")
    assert (response.status_code, response["Retry-After"]) == (503, "2")
    body = response.content.decode()
    assert '<h1 class="h2">もう一度お試しください</h1>' in body
    assert "サービスが一時的に利用できません。" in body
    assert 'class="navbar' in body  # the site's layout, without reading the database
    assert connection.connection is None  # dropped, not handed to the next request
    response = Client().get("/events/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Tooling forum" in response.content.decode()
