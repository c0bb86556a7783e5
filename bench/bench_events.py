"""Events benchmarks (PostgreSQL): the event list endpoint against a raw-SQL baseline, and
registration throughput under contention on one event.

Data: 10,000 events and 200,000 registrations, generated with bulk_create and COPY in a
database of its own (BENCH_DATABASE, default forum_bench_events), recreated on each run.
"""

import json
import os
import random
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("BENCH_DATABASE", "forum_bench_events")

from bench.common import median_seconds, report, setup_django  # noqa: E402

EVENTS = 10_000
REGISTRATIONS = 200_000
PEOPLE = 2_000
PAGE = 50
THREADS = 8
PER_THREAD = 50


def generate() -> None:
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from events.models import Event
    from members.models import Organisation, Platform, Sector

    rng = random.Random(2026)
    now = timezone.now()
    platforms = [
        Platform.objects.get_or_create(slug=slug, defaults={"name": name})[0]
        for slug, name in [
            ("sme-forum", "Japan–India SME Forum"),
            ("business-council", "India–Japan SME Business Council"),
            ("startup-hub", "India–Japan Startup Hub"),
        ]
    ]
    User = get_user_model()
    User.objects.bulk_create(
        [
            User(username=f"bench{i}", email=f"bench{i}@bench.example", password="!")
            for i in range(PEOPLE)
        ],
        batch_size=5000,
    )
    user_ids = list(User.objects.filter(username__startswith="bench").values_list("pk", flat=True))
    Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"Bench SME {i}", slug=f"bench-sme-{i}", country="IN" if i % 2 else "JP"
            )
            for i in range(PEOPLE)
        ],
        batch_size=5000,
    )
    org_ids = list(
        Organisation.objects.filter(slug__startswith="bench-sme-").values_list("pk", flat=True)
    )

    per_event = REGISTRATIONS // EVENTS
    cities = [
        ("Ahmedabad", "IN", "Asia/Kolkata"),
        ("Chennai", "IN", "Asia/Kolkata"),
        ("Guwahati", "IN", "Asia/Kolkata"),
        ("Tokyo", "JP", "Asia/Tokyo"),
        ("Osaka", "JP", "Asia/Tokyo"),
        ("Nagoya", "JP", "Asia/Tokyo"),
    ]
    kinds = [k for k, _ in Event.Kind.choices]
    events, plans = [], []
    for i in range(EVENTS):
        city, country, tz = cities[i % len(cities)]
        capacity = None if i % 10 == 0 else rng.randint(10, 40)
        confirmed = per_event if capacity is None else min(capacity, per_event)
        starts = now + dt.timedelta(days=rng.randint(-300, 300), hours=rng.randint(0, 23))
        events.append(
            Event(
                platform=platforms[i % 3],
                kind=kinds[i % len(kinds)],
                slug=f"bench-event-{i}",
                title=f"Bench event {i} in {city}",
                starts_at=starts,
                ends_at=starts + dt.timedelta(hours=3),
                time_zone=tz,
                venue="Convention Centre",
                city=city,
                country=country,
                capacity=capacity,
                visibility="public",
                status="published",
                seats_taken=confirmed,
                waitlist_length=per_event - confirmed,
            )
        )
        plans.append(confirmed)
    Event.objects.bulk_create(events, batch_size=5000)
    event_ids = list(
        Event.objects.filter(slug__startswith="bench-event-")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    sector_ids = list(Sector.objects.values_list("pk", flat=True))
    Event.sectors.through.objects.bulk_create(
        [
            Event.sectors.through(event_id=e, sector_id=s)
            for n, e in enumerate(event_ids)
            for s in {sector_ids[n % len(sector_ids)], sector_ids[(n * 7) % len(sector_ids)]}
        ],
        batch_size=10000,
    )
    stamp = now.isoformat()
    with (
        connection.cursor() as cursor,
        cursor.copy(
            "COPY events_registration (event_id, user_id, organisation_id, status, "
            "waitlist_position, via_invitation, created_at, confirmed_at, updated_at, "
            "notified_state) FROM STDIN"
        ) as copy,
    ):
        for n, (event_id, confirmed) in enumerate(zip(event_ids, plans, strict=True)):
            start = (n * 37) % PEOPLE
            for k in range(per_event):
                person = (start + k) % PEOPLE
                waitlisted = k >= confirmed
                copy.write_row(
                    (
                        event_id,
                        user_ids[person],
                        org_ids[person],
                        "waitlisted" if waitlisted else "confirmed",
                        k - confirmed + 1 if waitlisted else None,
                        False,
                        stamp,
                        None if waitlisted else stamp,
                        stamp,
                        "confirmed",
                    )
                )
    with connection.cursor() as cursor:
        # VACUUM too: autovacuum would soon do it after a bulk load in production, and the
        # visibility map it sets lets the list's COUNT use an index-only scan.
        cursor.execute("VACUUM ANALYZE")


def bench_list() -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from rest_framework.authtoken.models import Token

    staff, _ = get_user_model().objects.get_or_create(
        username="bench-staff", defaults={"is_staff": True}
    )
    # As API clients authenticate (and as bench_messaging does): with a token.
    token, _ = Token.objects.get_or_create(user=staff)
    client = Client(headers={"Authorization": f"Token {token.key}"})
    url = f"/api/v1/events/?page=3&page_size={PAGE}"

    def endpoint():
        response = client.get(url)
        assert response.status_code == 200, response.content[:300]
        return response.content

    body = json.loads(endpoint())
    assert len(body["results"]) == PAGE and body["count"] == EVENTS

    sql = """
        SELECT e.id, e.slug, p.slug, p.name, e.kind, e.title, e.title_ja, e.starts_at,
               e.ends_at, e.time_zone, e.venue, e.city, e.country, e.online_url, e.capacity,
               e.seats_taken, e.waitlist_length, e.registration_opens_at,
               e.registration_closes_at, e.visibility, e.status
        FROM events_event e JOIN members_platform p ON p.id = e.platform_id
        ORDER BY e.starts_at, e.id LIMIT %s OFFSET %s
    """
    columns = [
        "id",
        "slug",
        "platform",
        "platform_name",
        "kind",
        "title",
        "title_ja",
        "starts_at",
        "ends_at",
        "time_zone",
        "venue",
        "city",
        "country",
        "online_url",
        "capacity",
        "seats_taken",
        "waitlist_length",
        "registration_opens_at",
        "registration_closes_at",
        "visibility",
        "status",
    ]

    def baseline():
        with connection.cursor() as cursor:
            cursor.execute(sql, [PAGE, PAGE * 2])
            rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        return json.dumps({"results": rows}, default=str).encode()

    assert json.loads(baseline())["results"][0]["id"] == body["results"][0]["id"]
    base = median_seconds(baseline, repeat=60, warmup=5)
    value = median_seconds(endpoint, repeat=60, warmup=5)
    report("events.list_page50_ms", value * 1000, "ms", base * 1000)
    print(
        f"# event list: {value * 1000:.2f} ms per request (page of {PAGE} of {EVENTS} events, "
        f"staff token, seats left); raw SQL + json baseline {base * 1000:.2f} ms; "
        f"ratio {value / base:.2f} (target <= 3)",
        flush=True,
    )
    browser = Client()
    browser.force_login(staff)
    session = median_seconds(lambda: browser.get(url), repeat=60, warmup=5)
    print(
        f"# the same with a staff session cookie instead of a token (session and user: "
        f"one query more): {session * 1000:.2f} ms, ratio {session / base:.2f}",
        flush=True,
    )


def bench_contention() -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from events import services
    from events.models import Event, Registration
    from members.models import Affiliation, Organisation, Platform

    # Count the service and its enqueue; the notification then goes to a dummy mailer.
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    total = THREADS * PER_THREAD
    User = get_user_model()
    Event.objects.filter(slug="bench-contended").delete()
    User.objects.filter(username__startswith="racer").delete()
    Organisation.objects.filter(slug__startswith="racer-").delete()
    users = User.objects.bulk_create(
        [User(username=f"racer{i}", password="!") for i in range(total)]
    )
    orgs = Organisation.objects.bulk_create(
        [Organisation(name=f"Racer {i}", slug=f"racer-{i}", country="IN") for i in range(total)]
    )
    Affiliation.objects.bulk_create(
        [
            Affiliation(user=u, organisation=o, role="admin")
            for u, o in zip(users, orgs, strict=True)
        ]
    )
    now = timezone.now()
    event = Event.objects.create(
        platform=Platform.objects.get(slug="sme-forum"),
        kind="forum_session",
        slug="bench-contended",
        title="Contended",
        starts_at=now + timezone.timedelta(days=5),
        ends_at=now + timezone.timedelta(days=5, hours=2),
        capacity=total // 2,
        status="published",
        visibility="public",
    )
    barrier = threading.Barrier(THREADS)
    errors = []

    def worker(chunk):
        try:
            barrier.wait()
            for user in chunk:
                services.registration_create(actor=user, event=event)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    chunks = [users[i::THREADS] for i in range(THREADS)]
    threads = [threading.Thread(target=worker, args=(c,)) for c in chunks]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    assert errors == [], errors[:3]
    event.refresh_from_db()
    regs = Registration.objects.filter(event=event)
    assert (event.seats_taken, event.waitlist_length) == (total // 2, total - total // 2)
    assert regs.filter(status="confirmed").count() == total // 2
    report("events.registrations_per_second_8_threads", total / elapsed, "reg/s")
    print(
        f"# {total} registrations by {THREADS} concurrent clients on one event in "
        f"{elapsed:.2f} s ({total / elapsed:.0f}/s); exactly {event.seats_taken} confirmed, "
        f"{event.waitlist_length} waitlisted",
        flush=True,
    )


def main() -> None:
    # BENCH_EVENTS_REUSE=1 keeps the generated data of the previous run (for profiling).
    reuse = os.environ.get("BENCH_EVENTS_REUSE") == "1"
    start = time.perf_counter()
    setup_django(fresh=not reuse)
    print(f"# database and migrations: {time.perf_counter() - start:.1f} s", flush=True)
    from events.models import Event

    Event.objects.filter(slug="bench-contended").delete()  # left by a reused run
    if not (reuse and Event.objects.filter(slug__startswith="bench-event-").exists()):
        start = time.perf_counter()
        generate()
        report("events.generate_10k_events_200k_registrations_s", time.perf_counter() - start, "s")
    bench_list()
    bench_contention()


if __name__ == "__main__":
    main()
