"""Events pages with the demo data (PostgreSQL): the median time each page takes to answer,
rendered in full by Django's test client (middleware, session, templates), in ms.

Data: `members.demo.load()` and `events.demo.load()` in a database of their own
(BENCH_DATABASE, default forum_bench_event_pages), recreated on each run. The target is
well under 100 ms a page.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("BENCH_DATABASE", "forum_bench_event_pages")

from bench.common import median_seconds, report, setup_django  # noqa: E402

# Pages are timed without collectstatic: the plain storage resolves {% static %} the same way.
PLAIN_STATIC = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def upcoming_registration():
    """A demo member's registration for an event to come (their pages are timed)."""
    from django.utils import timezone

    from events.models import Registration

    return (
        Registration.objects.filter(
            status__in=["confirmed", "waitlisted"],
            event__starts_at__gt=timezone.now(),
            event__status="published",
        )
        .select_related("event", "user")
        .order_by("event__starts_at", "pk")
        .first()
    )


def pages(client, member_client, registration) -> dict[str, tuple]:
    from events.models import Event

    event = Event.objects.filter(status="published", visibility="public").order_by("pk").first()
    members_only = Event.objects.filter(status="published", visibility="members").first()
    found = {
        "list": (client, "/events/"),
        "list_ja": (client, "/events/", {"HTTP_ACCEPT_LANGUAGE": "ja"}),
        "list_filtered": (member_client, "/events/?search=forum&has_free_seats=true&country=IN"),
        "detail": (client, f"/events/{event.pk}/"),
        "detail_member": (member_client, f"/events/{members_only.pk}/"),
        "my_registrations": (member_client, "/account/events/"),
    }
    found["cancel_confirm"] = (member_client, f"/events/{registration.event_id}/cancel/")
    return found


def main() -> None:
    setup_django(fresh=True)
    from django.test import Client, override_settings

    from events import demo as events_demo
    from members import demo as members_demo

    members_demo.load()
    events_demo.load()
    client = Client()
    member_client = Client()
    registration = upcoming_registration()
    member_client.force_login(registration.user)
    with override_settings(STORAGES=PLAIN_STATIC):
        for name, (who, url, *headers) in pages(client, member_client, registration).items():
            extra = headers[0] if headers else {}
            response = who.get(url, **extra)
            assert response.status_code == 200, (name, url, response.status_code)
            seconds = median_seconds(lambda who=who, url=url, extra=extra: who.get(url, **extra))
            report(f"pages.events.{name}", seconds * 1000, "ms")


if __name__ == "__main__":
    main()
