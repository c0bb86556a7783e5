"""Member portal pages with the demo directory loaded (members.demo.load(): about a
thousand organisations, platforms, memberships, demo people): the median time of a page
over N requests through Django's test client, as a logged-in organisation admin.

BENCH_PAGES_REPEAT (default 30) sets N. The database is its own (forum_bench_pages).
"""

import os
import sys
from pathlib import Path

os.environ.setdefault("BENCH_DATABASE", "forum_bench_pages")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import median_seconds, report, setup_django  # noqa: E402

REPEAT = int(os.environ.get("BENCH_PAGES_REPEAT", "30"))


def main() -> None:
    setup_django()
    from django.conf import settings
    from django.test import Client

    from members import demo
    from members.models import Affiliation, Membership, Organisation

    # No collectstatic here: plain static storage instead of the hashed manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    demo.load()
    admin = (
        Affiliation.objects.filter(
            role=Affiliation.Role.ADMIN,
            is_active=True,
            organisation__memberships__status=Membership.Status.APPROVED,
        )
        .select_related("user", "organisation")
        .order_by("organisation__country", "pk")
        .first()
    )
    organisation = admin.organisation
    other = (
        Organisation.objects.exclude(country=organisation.country)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    client = Client()
    client.force_login(admin.user)
    pages = {
        "account": "/account/",
        "directory": "/directory/",
        "directory_filtered": "/directory/?country=JP&sector=robotics&verified=true",
        "directory_search": "/directory/?search=tea&page=2",
        "organisation": f"/organisations/{other}/",
        "organisation_edit": f"/organisations/{organisation.pk}/edit/",
        "organisation_new": "/organisations/new/",
        "representatives": f"/organisations/{organisation.pk}/representatives/",
        "memberships": f"/organisations/{organisation.pk}/memberships/",
        "matches": f"/organisations/{organisation.pk}/matches/",
    }
    for name, url in pages.items():

        def get(url=url):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        report(f"pages.{name}", median_seconds(get, repeat=REPEAT) * 1000, "ms")


if __name__ == "__main__":
    main()
