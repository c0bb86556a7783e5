"""Invitations: inviting, sending over real SMTP, the personal page, answers, reminders."""

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import transaction
from django.db.models import F
from django.test import Client
from django.utils import timezone

from events import services as event_services
from events.invitations import services
from events.invitations.models import Invitation, InvitationToken
from events.models import Registration
from forum_site.emails import stable_message_id
from members.models import Membership, Organisation, Sector
from tests.factories import (
    AffiliationFactory,
    EventFactory,
    MembershipFactory,
    OrganisationFactory,
    PlatformFactory,
    StaffFactory,
    UserFactory,
    member,
)
from tests.services import SmtpSink, free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return StaffFactory()


def invite(on_commit, staff, event, **kwargs):
    with on_commit():
        return services.invitations_create(actor=staff, event=event, **kwargs)


def token_in(message) -> str:
    return re.search(r"/invitations/([\w-]+)/", SmtpSink.text(message)).group(1)


def states(event) -> list[tuple[str, str]]:
    return list(
        Invitation.objects.filter(event=event).order_by("email").values_list("email", "status")
    )


# --- Inviting ---------------------------------------------------------------------------


def test_invitations_create_merges_duplicates_and_reports_invalid_lines(on_commit, staff, mailbox):
    event = EventFactory(title="SME Forum: EV components")
    text = (
        "ana@sme.example\n"
        "Ana Again <ANA@SME.example>\n"
        "not-an-email\n"
        "\n"
        "bo@sme.example, Bo Tanaka\n"
        "x@y\n"
    )
    result = invite(on_commit, staff, event, emails_text=text)
    assert [i.email for i in result.created] == ["ana@sme.example", "bo@sme.example"]
    assert [m.as_dict() for m in result.merged] == [
        {"line": 2, "text": "ana@sme.example", "reason": "duplicate of line 1"}
    ]
    assert [m.as_dict() for m in result.invalid] == [
        {"line": 3, "text": "not-an-email", "reason": "no email address on this line"},
        {"line": 6, "text": "x@y", "reason": "'x@y' is not a valid email address"},
    ]
    assert states(event) == [("ana@sme.example", "sent"), ("bo@sme.example", "sent")]
    assert sorted(m["X-Envelope-To"] for m in mailbox.messages) == [
        "ana@sme.example",
        "bo@sme.example",
    ]
    assert Invitation.objects.get(email="bo@sme.example").name == "Bo Tanaka"

    again = invite(on_commit, staff, event, emails_text="BO@sme.example\ncy@sme.example")
    assert [i.email for i in again.created] == ["cy@sme.example"]
    assert [m.as_dict() for m in again.merged] == [
        {"line": 1, "text": "bo@sme.example", "reason": "already invited (sent)"}
    ]
    assert len(mailbox.messages) == 3


def test_invitations_create_from_csv_with_header(on_commit, staff):
    event = EventFactory()
    csv_text = "\ufeffName,Email,Language\nKenji Sato,KENJI@corp.example,ja\nBad Row,nope,en\n"
    result = invite(on_commit, staff, event, csv_text=csv_text)
    assert [(i.email, i.name, i.language) for i in result.created] == [
        ("kenji@corp.example", "Kenji Sato", "ja")
    ]
    assert [m.as_dict() for m in result.invalid] == [
        {"line": 3, "text": "Bad Row,nope,en", "reason": "no email address on this line"}
    ]


def test_invitations_create_from_people_organisations_and_audience(on_commit, staff):
    platform = PlatformFactory(slug="business-council")
    ev = Sector.objects.get(slug="electric-vehicles")
    event = EventFactory(platform=platform)

    def org(country, kind, status, *emails):
        organisation = OrganisationFactory(country=country, kind=kind)
        organisation.sectors.add(ev)
        MembershipFactory(organisation=organisation, platform=platform, status=status)
        for address in emails:
            member(organisation=organisation, email=address)
        return organisation

    indian = org("IN", "sme", "approved", "a1@in.example", "a2@in.example")
    AffiliationFactory(
        organisation=indian, user=UserFactory(email="former@in.example"), is_active=False
    )
    org("JP", "sme", "approved", "b1@jp.example")
    org("JP", "sme", "applied", "c1@jp.example")
    org("JP", "startup", "approved", "d1@jp.example")
    loner = UserFactory(email="Loner@Example.com")

    result = invite(
        on_commit,
        staff,
        event,
        users=[loner],
        organisations=[indian],
        audience=services.Audience(platform=platform, sectors=[ev], country="JP", kinds=["sme"]),
    )
    assert sorted(i.email for i in result.created) == [
        "a1@in.example",
        "a2@in.example",
        "b1@jp.example",
        "loner@example.com",
    ]
    assert Invitation.objects.get(email="a1@in.example").organisation == indian
    assert Membership.objects.count() == 4


def test_invitations_create_refuses_non_staff_and_unpublished_events(staff):
    with pytest.raises(PermissionDenied):
        services.invitations_create(actor=member(), event=EventFactory(), emails_text="a@b.example")
    with pytest.raises(Exception, match="Publish the event"):
        services.invitations_create(
            actor=staff, event=EventFactory(status="draft"), emails_text="a@b.example"
        )
    assert Invitation.objects.count() == 0


def test_invitations_in_a_rolled_back_transaction_send_nothing(on_commit, staff, mailbox):
    event = EventFactory()
    with on_commit(), pytest.raises(RuntimeError), transaction.atomic():
        services.invitations_create(actor=staff, event=event, emails_text="a@b.example")
        raise RuntimeError("the admin request failed after inviting")
    services.invitations_sweep()
    assert Invitation.objects.count() == 0
    assert mailbox.messages == []


# --- The email ------------------------------------------------------------------------------


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


# --- The state machine -------------------------------------------------------------------


class PickySink(SmtpSink):
    """A real SMTP server that refuses some recipients: busy* with 451, gone* with 550."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.startswith("busy") and self.busy:
            return "451 4.2.1 Mailbox busy, try again later"
        if address.startswith("gone"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    busy = True


@pytest.fixture
def picky(settings):
    sink = PickySink().start()
    settings.EMAIL_PORT = sink.port
    yield sink
    sink.stop()


def test_send_transient_error_retries_with_backoff_and_permanent_fails_at_once(
    on_commit, staff, picky, settings
):
    event = EventFactory()
    before = timezone.now()
    invite(on_commit, staff, event, emails_text="busy@x.example\ngone@x.example\nok@x.example")
    assert states(event) == [
        ("busy@x.example", "pending"),
        ("gone@x.example", "failed"),
        ("ok@x.example", "sent"),
    ]
    busy = Invitation.objects.get(email="busy@x.example")
    gone = Invitation.objects.get(email="gone@x.example")
    assert (busy.attempts, busy.last_error) == (
        1,
        "busy@x.example: 451 4.2.1 Mailbox busy, try again later",
    )
    assert (
        before + dt.timedelta(seconds=59)
        < busy.next_attempt_at
        < timezone.now() + dt.timedelta(seconds=61)
    )
    assert (gone.attempts, gone.last_error) == (1, "gone@x.example: 550 5.1.1 No such user here")
    assert [m["X-Envelope-To"] for m in picky.messages] == ["ok@x.example"]

    # Not yet due: the sweeper leaves it; once due, it is sent.
    assert services.invitations_sweep() == 0
    Invitation.objects.filter(pk=busy.pk).update(next_attempt_at=timezone.now())
    picky.busy = False
    assert services.invitations_sweep() == 1
    busy.refresh_from_db()
    assert (busy.status, busy.attempts, busy.last_error) == ("sent", 2, "")
    assert [m["X-Envelope-To"] for m in picky.messages] == ["ok@x.example", "busy@x.example"]


def test_send_connection_refused_keeps_everything_pending_then_gives_up(
    on_commit, staff, settings, mailbox
):
    settings.EMAIL_PORT = free_port()  # nothing listens there
    settings.INVITATION_RETRY_BASE_SECONDS = 0
    settings.INVITATION_MAX_ATTEMPTS = 2
    event = EventFactory()
    invite(on_commit, staff, event, emails_text="a@x.example\nb@x.example")
    rows = list(
        Invitation.objects.order_by("email").values_list("status", "attempts", "last_error")
    )
    assert [r[:2] for r in rows] == [("pending", 1), ("pending", 1)]
    assert rows[0][2].startswith("ConnectionRefusedError")
    services.invitations_sweep()
    assert list(Invitation.objects.values_list("status", flat=True)) == ["failed", "failed"]
    assert Invitation.objects.first().last_error.endswith("(gave up after 2 attempts)")
    # Staff resend once the server is back.
    settings.EMAIL_PORT = mailbox.port
    with on_commit():
        for invitation in Invitation.objects.all():
            services.invitation_resend(actor=staff, invitation=invitation)
    assert states(event) == [("a@x.example", "sent"), ("b@x.example", "sent")]
    assert mailbox.messages[0]["Message-ID"] == stable_message_id(
        "invitation", Invitation.objects.get(email=mailbox.messages[0]["X-Envelope-To"]).pk, 1
    )


def test_claim_is_exclusive_and_a_lapsed_lease_is_taken_over(staff, mailbox):
    event = EventFactory()
    result = services.invitations_create(actor=staff, event=event, emails_text="a@x.example")
    invitation = result.created[0]
    # Another worker holds a live claim: nothing is sent twice.
    Invitation.objects.filter(pk=invitation.pk).update(
        status="sending",
        lease_owner="other-worker",
        lease_expires_at=timezone.now() + dt.timedelta(minutes=5),
    )
    assert services.invitations_send_batch(invitation_ids=[invitation.pk]) == {
        "sent": 0,
        "retry": 0,
        "failed": 0,
    }
    assert services.invitations_sweep() == 0
    assert mailbox.messages == []
    # That worker died: once its lease lapses the sweeper takes the invitation back.
    Invitation.objects.filter(pk=invitation.pk).update(
        lease_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert services.invitations_sweep() == 1
    invitation.refresh_from_db()
    assert (invitation.status, invitation.lease_owner, invitation.attempts) == ("sent", "", 1)
    assert len(mailbox.messages) == 1
    # A duplicate task for a sent invitation does nothing.
    assert services.invitations_send_batch(invitation_ids=[invitation.pk])["sent"] == 0
    assert len(mailbox.messages) == 1


def test_sweeper_reenqueues_pending_invitations_whose_task_was_lost(staff, mailbox, settings):
    event = EventFactory()
    # Created without running the on-commit enqueue: as if the broker lost the task.
    services.invitations_create(actor=staff, event=event, emails_text="a@x.example")
    assert services.invitations_sweep() == 0  # within the grace period
    Invitation.objects.update(enqueued_at=timezone.now() - dt.timedelta(seconds=61))
    assert services.invitations_sweep() == 1
    assert states(event) == [("a@x.example", "sent")]


# --- The personal page ---------------------------------------------------------------------


def test_invitation_page_get_changes_nothing_and_accept_registers(on_commit, staff, mailbox):
    event = EventFactory(capacity=5, title="Tea roundtable")
    person = member(email="asha@farms.example")
    invite(on_commit, staff, event, emails_text="ASHA@farms.example")
    token = token_in(mailbox.messages[0])
    client = Client(enforce_csrf_checks=True)
    for _ in range(3):  # a mail scanner, a preview, the person
        response = client.get(f"/invitations/{token}/")
        assert response.status_code == 200
    assert "Tea roundtable" in response.content.decode()
    assert states(event) == [("asha@farms.example", "sent")]
    assert Registration.objects.count() == 0
    # Without the CSRF token the POST is refused.
    assert client.post(f"/invitations/{token}/", {"action": "accept"}).status_code == 403
    csrf = client.cookies["csrftoken"].value
    with on_commit():
        response = client.post(
            f"/invitations/{token}/", {"action": "accept", "csrfmiddlewaretoken": csrf}
        )
    assert response.status_code == 200
    assert "you are registered" in response.content.decode()
    registration = Registration.objects.get()
    assert (registration.user, registration.status, registration.via_invitation) == (
        person,
        "confirmed",
        True,
    )
    invitation = Invitation.objects.get()
    assert (invitation.status, invitation.registration, invitation.user) == (
        "accepted",
        registration,
        person,
    )
    assert [m["Subject"] for m in mailbox.to("asha@farms.example")][
        -1
    ] == "You are registered: Tea roundtable"
    again = client.get(f"/invitations/{token}/")
    assert again.status_code == 410
    assert "You have already accepted this invitation." in again.content.decode()


def test_invitation_accept_when_full_waitlists_and_shows_position(on_commit, staff, mailbox):
    event = EventFactory(capacity=1)
    event_services.registration_create(actor=member(), event=event)
    member(email="late@x.example")
    invite(on_commit, staff, event, emails_text="late@x.example")
    invitation = services.invitation_accept(token=token_in(mailbox.messages[0]))
    assert (invitation.registration.status, invitation.registration.waitlist_position) == (
        "waitlisted",
        1,
    )


def test_invitation_accept_as_guest_creates_account_and_organisation(on_commit, staff, mailbox):
    event = EventFactory()
    invite(on_commit, staff, event, emails_text="Priya Nair <priya@newco.example>", language="en")
    token = token_in(mailbox.messages[0])
    client = Client()
    page = client.get(f"/invitations/{token}/").content.decode()
    assert 'name="organisation_name"' in page
    response = client.post(f"/invitations/{token}/", {"action": "accept"})
    assert response.status_code == 400
    assert "Tell us which organisation you will represent" in response.content.decode()
    assert Organisation.objects.filter(name="NewCo Components").count() == 0
    assert Invitation.objects.get().status == "sent"
    with on_commit():
        response = client.post(
            f"/invitations/{token}/",
            {
                "action": "accept",
                "organisation_name": "NewCo Components",
                "country": "IN",
            },
        )
    assert response.status_code == 200
    registration = Registration.objects.get()
    user = registration.user
    assert (user.email, user.first_name, user.last_name, user.has_usable_password()) == (
        "priya@newco.example",
        "Priya",
        "Nair",
        False,
    )
    assert (registration.organisation.name, registration.organisation.verified) == (
        "NewCo Components",
        False,
    )
    assert user.profile.language == "en"
    assert Invitation.objects.get().status == "accepted"


def test_invitation_decline_records_the_reason(on_commit, staff, mailbox):
    event = EventFactory()
    invite(on_commit, staff, event, emails_text="busy.ceo@x.example")
    token = token_in(mailbox.messages[0])
    response = Client().post(
        f"/invitations/{token}/", {"action": "decline", "reason": "Travelling that week"}
    )
    assert response.status_code == 200
    invitation = Invitation.objects.get()
    assert (invitation.status, invitation.decline_reason) == ("declined", "Travelling that week")
    assert Registration.objects.count() == 0
    response = Client().post(f"/invitations/{token}/", {"action": "accept"})
    assert response.status_code == 410
    assert "You have already declined this invitation." in response.content.decode()


def test_invitation_links_unknown_404_expired_and_revoked_410(on_commit, staff, mailbox):
    event = EventFactory()
    invite(on_commit, staff, event, emails_text="a@x.example\nb@x.example")
    token_a = token_in(mailbox.to("a@x.example")[0])
    token_b = token_in(mailbox.to("b@x.example")[0])
    client = Client()
    unknown = client.get("/invitations/" + "A" * 43 + "/")
    assert unknown.status_code == 404
    assert "This invitation link is not valid" in unknown.content.decode()
    Invitation.objects.filter(email="a@x.example").update(expires_at=timezone.now())
    assert client.get(f"/invitations/{token_a}/").status_code == 410
    assert client.post(f"/invitations/{token_a}/", {"action": "accept"}).status_code == 410
    services.invitation_revoke(actor=staff, invitation=Invitation.objects.get(email="b@x.example"))
    revoked = client.get(f"/invitations/{token_b}/")
    assert revoked.status_code == 410
    assert "withdrawn by the organisers" in revoked.content.decode()
    assert "a@x.example" not in revoked.content.decode()
    assert Registration.objects.count() == 0


def test_accepted_invitation_opens_an_invitation_only_event(on_commit, staff, mailbox):
    event = EventFactory(visibility="invitation")
    guest = member(email="guest@x.example")
    stranger = member()
    with pytest.raises(PermissionDenied):
        event_services.registration_create(actor=stranger, event=event)
    invite(on_commit, staff, event, emails_text="guest@x.example")
    invitation = services.invitation_accept(token=token_in(mailbox.messages[0]))
    event_services.registration_cancel(actor=guest, registration=invitation.registration)
    again = event_services.registration_create(actor=guest, event=event)
    assert again.status == "confirmed"


def test_resend_sends_a_new_link_and_the_old_one_still_works(on_commit, staff, mailbox):
    event = EventFactory()
    invite(on_commit, staff, event, emails_text="a@x.example")
    invitation = Invitation.objects.get()
    with on_commit():
        services.invitation_resend(actor=staff, invitation=invitation)
    first, second = mailbox.messages
    assert token_in(first) != token_in(second)
    assert first["Message-ID"] != second["Message-ID"]
    assert Client().get(f"/invitations/{token_in(first)}/").status_code == 200
    assert Client().get(f"/invitations/{token_in(second)}/").status_code == 200
    services.invitation_accept(token=token_in(second), organisation_name="A Co", country="JP")
    with pytest.raises(Exception, match="accepted invitation cannot be resent"):
        services.invitation_resend(actor=staff, invitation=Invitation.objects.get())
    with pytest.raises(Exception, match="cancel the person's registration instead"):
        services.invitation_revoke(actor=staff, invitation=Invitation.objects.get())


# --- Reminders -------------------------------------------------------------------------------


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
