"""Messaging at scale: 10,000 people, 200,000 conversations, 2,000,000 messages.

Measures, against a baseline of one hand-written, well-indexed SQL query serialised with
the standard library (same run, same data):
- "my conversations" (API, first page, with last message and unread counts) for a person
  with 1,000 conversations (100 of them addressed to their organisation);
- a page of 50 messages of a conversation with 5,000 messages (API);
- the total unread count (API);
and messages posted per second by 8 concurrent clients (threads, one connection each,
through the service, each in its own conversation).

BENCH_MESSAGING_SCALE (default 1) scales people, conversations and messages down (e.g. 0.1).
The data is generated in a database of its own (BENCH_DATABASE, by default
forum_bench_messaging), afresh each run.
"""

import datetime as dt
import json
import os
import random
import sys
import threading
import time
from pathlib import Path

os.environ.setdefault("BENCH_DATABASE", "forum_bench_messaging")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import median_seconds, report, setup_django  # noqa: E402

SCALE = float(os.environ.get("BENCH_MESSAGING_SCALE", "1"))
PEOPLE = max(100, int(10_000 * SCALE))
CONVERSATIONS = max(2_000, int(200_000 * SCALE))
MESSAGES = max(20_000, int(2_000_000 * SCALE))
MY_CONVERSATIONS = 1_000
MY_ORG_CONVERSATIONS = 100
BIG_CONVERSATION_MESSAGES = 5_000
ORG_SIZE = 10
ME = 1


def copy_rows(cursor, table: str, columns: list[str], rows) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def generate() -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    rng = random.Random(2026)
    now = timezone.now()
    start = now - dt.timedelta(days=400)
    orgs = (PEOPLE + ORG_SIZE - 1) // ORG_SIZE
    with transaction.atomic(), connection.cursor() as cur:
        raw = cur.cursor
        # Bulk loading only: skip the per-row foreign key triggers (the data is consistent
        # by construction and the constraints stay in place for everything else).
        cur.execute("SET LOCAL session_replication_role = replica")
        cur.execute(
            "INSERT INTO members_platform (slug, name, name_ja, description, "
            "description_ja) VALUES ('sme-forum', 'Japan–India SME Forum', '', '', '') "
            "RETURNING id"
        )
        platform_id = cur.fetchone()[0]
        copy_rows(
            raw,
            "members_organisation",
            [
                "id",
                "name",
                "name_ja",
                "slug",
                "country",
                "kind",
                "website",
                "description",
                "description_ja",
                "verified",
                "created_at",
                "updated_at",
                "revenue_band",
            ],
            (
                (
                    o,
                    f"Bench Org {o}",
                    "",
                    f"bench-org-{o}",
                    "IN" if o % 2 else "JP",
                    "sme",
                    "",
                    "",
                    "",
                    True,
                    now,
                    now,
                    "",
                )
                for o in range(1, orgs + 1)
            ),
        )
        copy_rows(
            raw,
            "members_membership",
            [
                "organisation_id",
                "platform_id",
                "status",
                "application_note",
                "applied_at",
                "decided_at",
                "decision_reason",
            ],
            ((o, platform_id, "approved", "", now, now, "") for o in range(1, orgs + 1)),
        )
        copy_rows(
            raw,
            "auth_user",
            [
                "id",
                "password",
                "is_superuser",
                "username",
                "first_name",
                "last_name",
                "email",
                "is_staff",
                "is_active",
                "date_joined",
            ],
            (
                (
                    u,
                    "!",
                    False,
                    f"person{u}",
                    f"First{u}",
                    f"Last{u}",
                    f"person{u}@bench.example",
                    False,
                    True,
                    now,
                )
                for u in range(1, PEOPLE + 1)
            ),
        )
        copy_rows(
            raw,
            "members_affiliation",
            ["user_id", "organisation_id", "role", "is_active", "created_at"],
            (
                (u, (u - 1) // ORG_SIZE + 1, "representative", True, now)
                for u in range(1, PEOPLE + 1)
            ),
        )

        def org_of(user):
            return (user - 1) // ORG_SIZE + 1

        # Conversations: mine first (900 with a person, 100 to my organisation), then others
        # between two random people other than me.
        pairs = []
        for c in range(1, CONVERSATIONS + 1):
            if c <= MY_CONVERSATIONS - MY_ORG_CONVERSATIONS:
                pairs.append((ME, ORG_SIZE + 1 + (c - 1) % (PEOPLE - ORG_SIZE), None))
            elif c <= MY_CONVERSATIONS:
                pairs.append((ORG_SIZE + 1 + c % (PEOPLE - ORG_SIZE), None, org_of(ME)))
            else:
                a = rng.randint(2, PEOPLE)
                b = rng.randint(2, PEOPLE - 1)
                pairs.append((a, b if b < a else b + 1, None))
        copy_rows(
            raw,
            "messaging_conversation",
            [
                "id",
                "subject",
                "organisation_id",
                "context_type",
                "context_id",
                "created_by_id",
                "created_at",
                "last_message_at",
            ],
            (
                (c, f"Conversation {c}", org, "", None, a, start, start)
                for c, (a, b, org) in enumerate(pairs, 1)
            ),
        )

        # 20% of my conversations have unread messages; the rest are read.
        def read_pointer(c):
            return 0 if rng.random() < 0.2 else MESSAGES + 1

        participants = []
        for c, (a, b, _org) in enumerate(pairs, 1):
            participants.append((c, a, True, start, False, read_pointer(c), 0))
            if b is not None:
                participants.append((c, b, True, start, False, read_pointer(c), 0))
        copy_rows(
            raw,
            "messaging_participant",
            [
                "conversation_id",
                "user_id",
                "is_direct",
                "joined_at",
                "muted",
                "last_read_message_id",
                "last_digested_message_id",
            ],
            participants,
        )
        # Who sends: alternate between the two sides (for organisation conversations, the
        # creator and my colleague).
        cur.execute(
            "CREATE TEMP TABLE bench_sides (id bigint PRIMARY KEY, a int, b int) ON COMMIT DROP"
        )
        copy_rows(
            raw,
            "bench_sides",
            ["id", "a", "b"],
            ((c, a, b if b is not None else ME + 1) for c, (a, b, _o) in enumerate(pairs, 1)),
        )
        spread = MESSAGES - BIG_CONVERSATION_MESSAGES
        cur.execute(
            """
            INSERT INTO messaging_message (id, conversation_id, sender_id, body, created_at,
                                         updated_at)
            SELECT g, s.id, CASE WHEN g %% 2 = 0 THEN s.a ELSE s.b END,
                   'Message ' || g || ': shall we schedule the plant visit and share the '
                   || 'throughput data before the council meeting?',
                   %(start)s + g * interval '10 seconds', %(start)s + g * interval '10 seconds'
            FROM generate_series(1, %(spread)s) g
            JOIN bench_sides s ON s.id = ((g - 1) %% %(conversations)s) + 1
            """,
            {"start": start, "spread": spread, "conversations": CONVERSATIONS},
        )
        cur.execute(
            """
            INSERT INTO messaging_message (id, conversation_id, sender_id, body, created_at,
                                         updated_at)
            SELECT g, 1, CASE WHEN g %% 2 = 0 THEN s.a ELSE s.b END,
                   'Message ' || g || ' in a long thread about the joint venture.',
                   %(start)s + g * interval '10 seconds', %(start)s + g * interval '10 seconds'
            FROM generate_series(%(first)s, %(last)s) g JOIN bench_sides s ON s.id = 1
            """,
            {"start": start, "first": spread + 1, "last": MESSAGES},
        )
        cur.execute(
            """
            UPDATE messaging_conversation c SET last_message_id = m.id,
                   last_message_at = m.created_at
            FROM (SELECT DISTINCT ON (conversation_id) conversation_id, id, created_at
                  FROM messaging_message ORDER BY conversation_id, id DESC) m
            WHERE m.conversation_id = c.id
            """
        )
        for table in (
            "auth_user",
            "members_organisation",
            "messaging_conversation",
            "messaging_message",
        ):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return {"people": PEOPLE, "conversations": CONVERSATIONS, "messages": MESSAGES}


LIST_SQL = """
WITH visible AS (
    SELECT conversation_id AS id FROM messaging_participant
    WHERE user_id = %(me)s AND is_direct AND left_at IS NULL
    UNION
    SELECT c.id FROM messaging_conversation c
    WHERE c.organisation_id IN (SELECT organisation_id FROM members_affiliation
                                WHERE user_id = %(me)s AND is_active)
      AND NOT EXISTS (SELECT 1 FROM messaging_participant p WHERE p.conversation_id = c.id
                      AND p.user_id = %(me)s AND p.left_at IS NOT NULL)
)
SELECT c.id, c.subject, c.organisation_id, o.name, c.created_at, c.last_message_at,
       m.id, m.body, m.created_at, m.deleted_at, u.id, u.first_name, u.last_name,
       COALESCE(p.muted, false),
       (SELECT count(*) FROM messaging_message mm WHERE mm.conversation_id = c.id
          AND mm.id > COALESCE(p.last_read_message_id, 0) AND mm.deleted_at IS NULL
          AND mm.sender_id <> %(me)s)
FROM messaging_conversation c JOIN visible v ON v.id = c.id
LEFT JOIN members_organisation o ON o.id = c.organisation_id
LEFT JOIN messaging_message m ON m.id = c.last_message_id
LEFT JOIN auth_user u ON u.id = m.sender_id
LEFT JOIN messaging_participant p ON p.conversation_id = c.id AND p.user_id = %(me)s
ORDER BY c.last_message_at DESC, c.id DESC LIMIT 50
"""

MESSAGES_SQL = """
SELECT m.id, m.conversation_id, m.body, m.created_at, m.edited_at, m.deleted_at,
       m.updated_at, u.id, u.first_name, u.last_name
FROM messaging_message m LEFT JOIN auth_user u ON u.id = m.sender_id
WHERE m.conversation_id = %(conversation)s ORDER BY m.id DESC LIMIT 51
"""


def baseline_list(cursor) -> str:
    cursor.execute(LIST_SQL, {"me": ME})
    return json.dumps(
        [
            {
                "id": r[0],
                "subject": r[1],
                "organisation": {"id": r[2], "name": r[3]} if r[2] else None,
                "created_at": r[4].isoformat(),
                "last_message_at": r[5].isoformat(),
                "last_message": {
                    "id": r[6],
                    "preview": r[7][:140],
                    "created_at": r[8].isoformat(),
                    "deleted": r[9] is not None,
                    "sender": {"id": r[10], "name": f"{r[11]} {r[12]}"},
                },
                "muted": r[13],
                "unread_count": r[14],
            }
            for r in cursor.fetchall()
        ]
    )


def baseline_messages(cursor, conversation: int) -> str:
    cursor.execute(MESSAGES_SQL, {"conversation": conversation})
    rows = cursor.fetchall()[:50]
    return json.dumps(
        [
            {
                "id": r[0],
                "conversation": r[1],
                "body": r[2],
                "created_at": r[3].isoformat(),
                "edited_at": r[4] and r[4].isoformat(),
                "deleted_at": r[5] and r[5].isoformat(),
                "updated_at": r[6].isoformat(),
                "sender": {"id": r[7], "name": f"{r[8]} {r[9]}"},
            }
            for r in reversed(rows)
        ]
    )


def posting_rate(seconds: float = 5.0, clients: int = 8) -> float:
    from django.db import connection

    from members.messaging import services as services
    from members.messaging.models import Conversation, Participant

    targets = []
    for conversation in Conversation.objects.filter(pk__in=range(2, 2 + clients)).order_by("pk"):
        other = Participant.objects.filter(conversation=conversation).exclude(user_id=ME).get()
        targets.append((conversation.pk, other.user))
    counts = [0] * clients
    barrier = threading.Barrier(clients)

    def client(i):
        conversation_id, user = targets[i]
        barrier.wait()
        deadline = time.perf_counter() + seconds
        try:
            while time.perf_counter() < deadline:
                services.message_post(
                    actor=user, conversation_id=conversation_id, body=f"Throughput test {counts[i]}"
                )
                counts[i] += 1
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / (time.perf_counter() - started)


def main() -> None:
    setup_django(fresh=True)
    from django.db import connection
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    began = time.perf_counter()
    sizes = generate()
    report("messaging.generate_seconds", time.perf_counter() - began, "s")
    print(f"# data: {sizes}", flush=True)

    token = Token.objects.create(user_id=ME)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = client.get("/api/v1/conversations/")
    assert response.status_code == 200, response.content[:500]
    results = response.json()["results"]
    assert len(results) == 50
    with connection.cursor() as cur:
        expected = json.loads(baseline_list(cur))
    assert [r["id"] for r in results] == [r["id"] for r in expected]
    assert [r["unread_count"] for r in results] == [r["unread_count"] for r in expected]

    with connection.cursor() as cur:
        base = median_seconds(lambda: baseline_list(cur))
    api = median_seconds(lambda: client.get("/api/v1/conversations/"))
    report("messaging.conversation_list_first_page", api * 1000, "ms", base * 1000)

    url = "/api/v1/conversations/1/messages/"
    page = client.get(url).json()
    assert len(page["results"]) == 50 and page["has_older"], page
    with connection.cursor() as cur:
        base = median_seconds(lambda: baseline_messages(cur, 1))
    api = median_seconds(lambda: client.get(url))
    report("messaging.message_page_50", api * 1000, "ms", base * 1000)

    unread = median_seconds(lambda: client.get("/api/v1/conversations/unread/"))
    report("messaging.unread_total", unread * 1000, "ms")
    print(
        f"# unread for the person with 1,000 conversations: "
        f"{client.get('/api/v1/conversations/unread/').json()}",
        flush=True,
    )

    report("messaging.posts_per_second_8_clients", posting_rate(), "msg/s")
    connection.close()


if __name__ == "__main__":
    main()
