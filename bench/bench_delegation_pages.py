"""Delegation pages with the demo data (PostgreSQL): the median time each page takes to
answer, rendered in full by Django's test client (middleware, session, templates), in ms.

Data: `members.demo.load()` and `events.delegations.demo.load()` (the Gujarat and Assam
mission with a published schedule, the Osaka and Nagoya mission open) in a database of
their own (BENCH_DATABASE, default forum_bench_delegation_pages), recreated on each run.
kenji (Mitsui, a delegate, reads Japanese) and asha (Sneha Farms, a host) are timed; ravi
opens the application form of the Osaka mission. The target is well under 100 ms a page.

Each page also gets a `.cpu` line: the median CPU time of this process per request (what the
page costs us, without the waits for PostgreSQL and for other processes on a busy machine).
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("BENCH_DATABASE", "forum_bench_delegation_pages")

from bench.common import median_seconds, report, setup_django  # noqa: E402

# Pages are timed without collectstatic: the plain storage resolves {% static %} the same way.
PLAIN_STATIC = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def pages() -> dict[str, tuple[str, str]]:
    """name -> (username, url)."""
    from events.delegations.models import (
        Delegation,
        DelegationApplication,
        DelegationHost,
        MeetingRequest,
    )
    from members.models import Organisation

    gujarat = Delegation.objects.get(slug="japan-sme-mission-gujarat-assam-2026")
    osaka = Delegation.objects.get(slug="india-semiconductor-mission-osaka-nagoya-2026")
    mitsui = Organisation.objects.get(slug="mitsui-co")
    application = DelegationApplication.objects.get(delegation=gujarat, organisation=mitsui)
    asked = MeetingRequest.objects.filter(delegation=gujarat, from_organisation=mitsui)
    not_asked = (
        DelegationHost.objects.filter(delegation=gujarat)
        .exclude(organisation_id__in=asked.values("to_organisation_id"))
        .order_by("organisation__name")
        .first()
    )
    g = gujarat.pk
    return {
        "list": ("kenji", "/delegations/"),
        "list_en": ("asha", "/delegations/"),
        "detail": ("kenji", f"/delegations/{g}/"),
        "apply": ("ravi", f"/delegations/{osaka.pk}/apply/"),
        "applications": ("kenji", "/delegations/applications/"),
        "application": ("kenji", f"/delegations/applications/{application.pk}/"),
        "counterparts": ("kenji", f"/delegations/{g}/counterparts/"),
        "counterparts_host": ("asha", f"/delegations/{g}/counterparts/"),
        "request_new": (
            "kenji",
            f"/delegations/{g}/counterparts/{not_asked.organisation_id}/request/",
        ),
        "requests": ("kenji", f"/delegations/{g}/requests/"),
        "requests_host": ("asha", f"/delegations/{g}/requests/"),
        "availability": ("kenji", f"/delegations/{g}/availability/"),
        "itinerary": ("kenji", f"/delegations/{g}/itinerary/"),
        "itinerary_host": ("asha", f"/delegations/{g}/itinerary/"),
        "itinerary_ics": ("kenji", f"/delegations/{g}/itinerary.ics"),
    }


def cpu_seconds(client, url: str, repeat: int = 15) -> float:
    samples = []
    for _ in range(repeat):
        start = time.process_time()
        client.get(url)
        samples.append(time.process_time() - start)
    return statistics.median(samples)


def main() -> None:
    setup_django(fresh=True)
    from django.contrib.auth import get_user_model
    from django.test import Client, override_settings

    from events.delegations import demo as delegations_demo
    from members import demo as members_demo

    members_demo.load()
    delegations_demo.load()
    clients = {}
    for username in ("kenji", "asha", "ravi"):
        clients[username] = Client()
        clients[username].force_login(get_user_model().objects.get(username=username))
    with override_settings(STORAGES=PLAIN_STATIC):
        for name, (username, url) in pages().items():
            client = clients[username]
            response = client.get(url)
            assert response.status_code == 200, (name, url, response.status_code)
            seconds = median_seconds(lambda client=client, url=url: client.get(url))
            report(f"pages.delegations.{name}", seconds * 1000, "ms")
            report(f"pages.delegations.{name}.cpu", cpu_seconds(client, url) * 1000, "ms")


if __name__ == "__main__":
    main()
