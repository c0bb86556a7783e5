"""The inbox pages with the demo people (PostgreSQL): how fast an open thread's poll
answers, and the list and thread pages, through Django's test client (middleware, session,
templates).

Data: `members.demo.load()` and `members.messaging.demo.load()` (Asha and Kenji and their
conversation), grown to 2,000 messages in that conversation and 300 more conversations of
Kenji's, in a database of its own (BENCH_DATABASE, default forum_bench_inbox_pages),
recreated on each run.

Figures (median of repeated requests, ms; `.per_second` is 1000 / ms for one client):
- `pages.inbox.poll_304`: nothing changed, the 304 (one indexed query). Baseline: a bare
  Django view behind the same middleware and login that answers 304 without a query.
- `pages.inbox.poll_new_message`: one new message since the last poll (the poll state, the
  new and changed messages, the read pointer moved, the fragment rendered). Same baseline.
- `pages.inbox.poll_state_sql`: the poll's one query run as SQL. Baseline: a primary key
  lookup of the conversation (the least any check of it costs).
- `pages.inbox.list`, `pages.inbox.thread`: the two pages, rendered in full.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("BENCH_DATABASE", "forum_bench_inbox_pages")

from bench.common import median_seconds, report, setup_django  # noqa: E402

MESSAGES = 2_000
CONVERSATIONS = 300
# Pages are timed without collectstatic: the plain storage resolves {% static %} the same way.
PLAIN_STATIC = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def _bare_not_modified(request):
    from django.http import HttpResponseNotModified

    return HttpResponseNotModified()


def urlpatterns_with_baseline() -> list:
    """The site's URLs plus the baseline: a logged-in view that answers 304 at once."""
    from django.contrib.auth.decorators import login_required
    from django.urls import path

    from forum_site.urls import urlpatterns

    return [path("bench/bare-304/", login_required(_bare_not_modified)), *urlpatterns]


urlpatterns: list = []  # filled in main(), once Django is set up


def grow(asha, kenji) -> int:
    """The demo conversation with MESSAGES messages, and CONVERSATIONS more for Kenji."""
    import datetime as dt

    from django.utils import timezone

    from members.messaging import services
    from members.messaging.models import Conversation, Message

    conversation = Conversation.objects.filter(participants__user=kenji).earliest("id")
    now = timezone.now()
    Message.objects.bulk_create(
        Message(
            conversation=conversation,
            sender=(asha, kenji)[i % 2],
            body=f"Message {i} about the plant visit.",
            created_at=now - dt.timedelta(seconds=MESSAGES - i),
            updated_at=now - dt.timedelta(seconds=MESSAGES - i),
        )
        for i in range(MESSAGES)
    )
    last = Message.objects.filter(conversation=conversation).latest("id")
    Conversation.objects.filter(pk=conversation.pk).update(last_message=last, last_message_at=now)
    services.conversation_mark_read(actor=kenji, conversation_id=conversation.pk)
    for i in range(CONVERSATIONS):
        services.conversation_start(
            actor=asha, subject=f"Topic {i}", body="Hello", recipient_ids=[kenji.pk]
        )
    return conversation.pk


def poll_url(kenji, pk: int) -> str:
    from urllib.parse import urlencode

    from members.messaging import selectors

    state = selectors.conversation_poll_state(user=kenji, conversation_id=pk)
    query = urlencode({"after": state["last_message_id"], "since": state["latest_change"]})
    return f"/messages/{pk}/poll/?{query}"


def new_message_poll_ms(client, asha, kenji, pk: int, repeat: int = 30) -> float:
    """Asha posts (not timed), Kenji's poll brings it (timed), `repeat` times."""
    from members.messaging import services

    samples = []
    for i in range(repeat + 3):
        url = poll_url(kenji, pk)
        services.message_post(actor=asha, conversation_id=pk, body=f"New {i}")
        start = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - start
        assert response.status_code == 200 and response.content.count(b"<article") == 1
        if i >= 3:  # warm-up
            samples.append(elapsed)
    return statistics.median(samples) * 1000


def main() -> None:
    setup_django(fresh=True)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client, override_settings

    from members import demo as members_demo
    from members.messaging import demo as messaging_demo
    from members.messaging import selectors

    members_demo.load()
    messaging_demo.load()
    people = get_user_model().objects.in_bulk(["asha", "kenji"], field_name="username")
    asha, kenji = people["asha"], people["kenji"]
    pk = grow(asha, kenji)
    urlpatterns.extend(urlpatterns_with_baseline())
    client = Client()
    client.force_login(kenji)

    with override_settings(STORAGES=PLAIN_STATIC, ROOT_URLCONF=__name__):
        url = poll_url(kenji, pk)
        assert client.get(url).status_code == 304
        assert client.get("/bench/bare-304/").status_code == 304
        bare = median_seconds(lambda: client.get("/bench/bare-304/"), repeat=200) * 1000
        poll = median_seconds(lambda: client.get(url), repeat=200) * 1000
        report("pages.inbox.poll_304", poll, "ms", bare)
        report("pages.inbox.poll_304.per_second", 1000 / poll, "req/s", 1000 / bare)
        fresh = new_message_poll_ms(client, asha, kenji, pk)
        report("pages.inbox.poll_new_message", fresh, "ms", bare)
        report("pages.inbox.poll_new_message.per_second", 1000 / fresh, "req/s", 1000 / bare)

        with connection.cursor() as cursor:

            def lookup():
                cursor.execute("SELECT id FROM messaging_conversation WHERE id = %s", [pk])
                cursor.fetchall()

            base = median_seconds(lookup, repeat=200) * 1000
        sql = median_seconds(
            lambda: selectors.conversation_poll_state(user=kenji, conversation_id=pk), repeat=200
        )
        report("pages.inbox.poll_state_sql", sql * 1000, "ms", base)

        for name, page in (("list", "/messages/"), ("thread", f"/messages/{pk}/")):
            response = client.get(page)
            assert response.status_code == 200, (page, response.status_code)
            report(f"pages.inbox.{name}", median_seconds(lambda p=page: client.get(p)) * 1000, "ms")
    connection.close()


if __name__ == "__main__":
    main()
