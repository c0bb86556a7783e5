"""The invitations backoffice: invite, the event's counts, export (admin.py)."""

import re

import pytest
from django.test import Client

from events.invitations.models import Invitation
from tests.factories import EventFactory, StaffFactory, member

pytestmark = pytest.mark.django_db


def test_admin_invite_three_addresses_and_see_the_counts(on_commit, mailbox):
    event = EventFactory(title="Council meeting")
    client = Client()
    client.force_login(StaffFactory(is_superuser=True))
    page = client.get(f"/admin/events/event/{event.pk}/change/")
    assert f"/admin/invitations/invitation/invite/{event.pk}/" in page.content.decode()
    with on_commit():
        response = client.post(
            f"/admin/invitations/invitation/invite/{event.pk}/",
            {
                "emails": "ravi@x.example\nYuki <yuki@x.example>\nasha@x.example\nasha@x.example\nbad",
                "language": "en",
            },
        )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<strong>3</strong> created and queued for sending" in body
    assert "no email address on this line" in body
    assert sorted(m["X-Envelope-To"] for m in mailbox.messages) == [
        "asha@x.example",
        "ravi@x.example",
        "yuki@x.example",
    ]
    stats = client.get(f"/admin/invitations/invitation/event/{event.pk}/")
    assert stats.status_code == 200
    assert re.search(r"sent</a></td><td>3</td>", stats.content.decode())
    changelist = client.get("/admin/invitations/invitation/", {"event__id__exact": event.pk})
    assert changelist.status_code == 200
    ids = list(Invitation.objects.values_list("pk", flat=True))
    export = client.post(
        "/admin/invitations/invitation/",
        {
            "action": "export_csv",
            "_selected_action": ids,
        },
    )
    assert export.content.decode("utf-8-sig").count("Council meeting") == 3


def test_admin_invite_view_is_staff_only():
    event = EventFactory()
    client = Client()
    client.force_login(member())
    response = client.get(f"/admin/invitations/invitation/invite/{event.pk}/")
    assert response.status_code == 302  # to the admin login
