"""The invitation email: language, time zone, .ics, the personal link (services/emails.py)."""

import datetime as dt
import re

import pytest

from events.invitations.models import Invitation, InvitationToken
from forum_site.emails import stable_message_id
from tests.factories import EventFactory, member
from tests.invitations.helpers import invite, token_in
from tests.services import SmtpSink

pytestmark = pytest.mark.django_db


def test_invitation_email_in_the_persons_language_and_time_zone_with_ics(
    on_commit, staff, mailbox, settings
):
    settings.SITE_URL = "https://forum.example"
    event = EventFactory(
        title="Semiconductor pairing day",
        title_ja="半導体マッチングデー",
        starts_at=dt.datetime(2031, 3, 10, 4, 30, tzinfo=dt.UTC),
        ends_at=dt.datetime(2031, 3, 10, 9, 30, tzinfo=dt.UTC),
        time_zone="Asia/Kolkata",
    )
    member(
        username="kenji",
        email="kenji@mitsui.example",
        first_name="Kenji",
        last_name="Sato",
        profile__language="ja",
        profile__time_zone="Asia/Tokyo",
    )
    invite(
        on_commit,
        staff,
        event,
        emails_text="Kenji@mitsui.example\nguest@plant.example",
        note="Bring samples.",
    )
    kenji = mailbox.to("kenji@mitsui.example")[0]
    guest = mailbox.to("guest@plant.example")[0]
    assert kenji["Subject"] == "ご招待: 半導体マッチングデー"
    text = SmtpSink.text(kenji)
    assert "日時: 2031年03月10日 13:30 (Asia/Tokyo) – 2031年03月10日 18:30 (Asia/Tokyo)" in text
    assert "（現地時間: 2031年03月10日 10:00 (Asia/Kolkata)）" in text
    assert "Bring samples." in text
    assert guest["Subject"] == "Invitation: Semiconductor pairing day"
    assert (
        "When: 10 Mar 2031, 10:00 (Asia/Kolkata) – 10 Mar 2031, 15:00 (Asia/Kolkata)"
        in SmtpSink.text(guest)
    )
    assert token_in(guest) != token_in(kenji)
    assert re.search(r"https://forum\.example/invitations/[\w-]{43}/", SmtpSink.text(guest))
    invitation = Invitation.objects.get(email="guest@plant.example")
    assert guest["Message-ID"] == stable_message_id("invitation", invitation.pk, 0)
    assert guest.get_body(preferencelist=("html",)) is not None
    attachments = [(p.get_filename(), p.get_content_type()) for p in guest.iter_attachments()]
    assert attachments == [("invitation.ics", "text/calendar")]
    ics = next(guest.iter_attachments()).get_content()
    ics = ics.decode() if isinstance(ics, bytes) else ics
    assert "DTSTART;TZID=Asia/Kolkata:20310310T100000" in ics
    # Only the hash of the link is stored.
    assert InvitationToken.objects.filter(invitation=invitation).count() == 1
    assert token_in(guest) not in str(
        list(InvitationToken.objects.values_list("token_hash", flat=True))
    )
