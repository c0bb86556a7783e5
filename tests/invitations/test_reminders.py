"""Reminders: unanswered invitations, and registrants the day before (services/reminders.py,
`send_reminders`)."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from events import services as event_services
from events.invitations import services
from events.invitations.models import Invitation
from tests.factories import EventFactory, member
from tests.invitations.helpers import invite, token_in
from tests.services import SmtpSink

pytestmark = pytest.mark.django_db


def test_invitation_reminders_at_most_n_spaced_by_the_interval(on_commit, staff, mailbox, settings):
    settings.INVITATION_MAX_REMINDERS = 2
    settings.INVITATION_REMINDER_INTERVAL_HOURS = 48
    event = EventFactory(title="Delegation briefing")
    invite(on_commit, staff, event, emails_text="slow@x.example\nquick@x.example")
    services.invitation_decline(token=token_in(mailbox.to("quick@x.example")[0]), reason="")
    mailbox.clear()

    def days_pass(days):
        Invitation.objects.update(
            sent_at=F("sent_at") - dt.timedelta(days=days),
        )
        Invitation.objects.exclude(last_reminded_at=None).update(
            last_reminded_at=F("last_reminded_at") - dt.timedelta(days=days)
        )

    call_command("send_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert mailbox.messages == []  # not yet
    subjects = []
    for _ in range(4):
        days_pass(2)
        call_command("send_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
        subjects.append([m["Subject"] for m in mailbox.messages])
    assert subjects[-1] == ["Reminder: your invitation to Delegation briefing"] * 2
    assert len(subjects[0]) == 1
    assert [m["X-Envelope-To"] for m in mailbox.messages] == ["slow@x.example"] * 2
    assert len({m["Message-ID"] for m in mailbox.messages}) == 2
    assert Invitation.objects.get(email="slow@x.example").reminders_sent == 2
    # The reminder's link answers the invitation.
    services.invitation_accept(
        token=token_in(mailbox.messages[-1]), organisation_name="Slow Co", country="IN"
    )
    assert Invitation.objects.get(email="slow@x.example").status == "accepted"


def test_event_reminder_once_the_day_before(on_commit, mailbox):
    soon = EventFactory(title="Pitch clinic", starts_at=timezone.now() + dt.timedelta(hours=20))
    later = EventFactory(starts_at=timezone.now() + dt.timedelta(days=3))
    person = member(email="p@x.example", profile__language="ja", profile__time_zone="Asia/Tokyo")
    event_services.registration_create(actor=person, event=soon)
    event_services.registration_create(actor=person, event=later)
    mailbox.clear()
    call_command("send_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("send_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert [m["Subject"] for m in mailbox.messages] == ["【リマインダー】Pitch clinic"]
    assert "(Asia/Tokyo)" in SmtpSink.text(mailbox.messages[0])
