"""Inviting host organisations to a delegation through the invitations machinery."""

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from events.delegations.models import DelegationHost
from events.invitations import services
from events.invitations.models import Invitation
from forum_site.emails import stable_message_id
from tests.factories import (
    DelegationDayFactory,
    DelegationFactory,
    EventFactory,
    OrganisationFactory,
    PlatformFactory,
    StaffFactory,
    member,
)
from tests.invitations.helpers import token_in
from tests.services import SmtpSink

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Japan → India, first day in 20 days: Ahmedabad ×2, then Guwahati. Two Indian
    organisations (Sneha: asha and ravi; Bamboo: meera, in Japanese), one Japanese."""
    platform = PlatformFactory(slug="sme-forum", name="Japan–India SME Forum")
    delegation = DelegationFactory(platform=platform, title="Gujarat & Assam delegation")
    start = timezone.localdate() + dt.timedelta(days=20)
    day1 = DelegationDayFactory(delegation=delegation, date=start, city="Ahmedabad")
    day2 = DelegationDayFactory(
        delegation=delegation, date=start + dt.timedelta(days=1), city="Ahmedabad"
    )
    day3 = DelegationDayFactory(
        delegation=delegation, date=start + dt.timedelta(days=2), city="Guwahati"
    )
    sneha = OrganisationFactory(name="Sneha Tea Estates", country="IN")
    bamboo = OrganisationFactory(name="Assam Bamboo Works", country="IN")
    kato = OrganisationFactory(name="Kato Precision", country="JP")
    asha = member(organisation=sneha, username="asha", email="asha@sneha.example")
    ravi = member(organisation=sneha, username="ravi", email="Ravi@Sneha.example")
    meera = member(
        organisation=bamboo,
        username="meera",
        email="meera@bamboo.example",
        profile__language="ja",
    )
    staff = StaffFactory(username="secretariat")
    return SimpleNamespace(**locals())


def invite(on_commit, w, organisations, city="Ahmedabad", **kwargs):
    with on_commit():
        return services.host_invitations_create(
            actor=w.staff,
            delegation=w.delegation,
            organisations=organisations,
            city=city,
            **kwargs,
        )


def test_host_invitations_email_every_representative(on_commit, mailbox, world):
    w = world
    result = invite(on_commit, w, [w.sneha, w.bamboo], note="Tea and textiles firms.")
    assert sorted(i.email for i in result.created) == [
        "asha@sneha.example",
        "meera@bamboo.example",
        "ravi@sneha.example",
    ]
    assert len(mailbox.messages) == 3
    (asha_mail,) = mailbox.to("asha@sneha.example")
    assert asha_mail["Subject"] == "Invitation to host: Gujarat & Assam delegation in Ahmedabad"
    body = SmtpSink.text(asha_mail)
    days = f"{w.day1.date:%a %d %b %Y}, {w.day2.date:%a %d %b %Y}"
    assert (
        f"invites Sneha Tea Estates to host the delegation's visiting firms in Ahmedabad "
        f"on {days}." in body
    )
    assert "Tea and textiles firms." in body
    assert re.search(r"http://\S+/invitations/[\w-]{40,}/", body)
    assert asha_mail.get_content_type() != "text/calendar"
    assert [p.get_filename() for p in asha_mail.iter_attachments()] == []
    invitation = Invitation.objects.get(email="asha@sneha.example")
    assert asha_mail["Message-ID"] == stable_message_id("invitation", invitation.pk, 0)
    assert invitation.status == Invitation.Status.SENT
    assert invitation.event_id is None
    assert invitation.organisation == w.sneha
    assert invitation.host_city == "Ahmedabad"
    assert sorted(d.pk for d in invitation.host_days.all()) == [w.day1.pk, w.day2.pk]
    assert invitation.expires_at == w.day1.at(w.delegation.first_slot_start)
    (meera_mail,) = mailbox.to("meera@bamboo.example")
    # (a long mixed-script subject is folded: the parsed header may start with a space)
    assert meera_mail["Subject"].strip() == (
        "ホスト企業としてのご招待: Gujarat & Assam delegation（Ahmedabad）"
    )
    assert "Ahmedabadにて" in SmtpSink.text(meera_mail)


def test_host_invitations_merge_repeats_and_refuse_foreign_organisations(on_commit, mailbox, world):
    w = world
    invite(on_commit, w, [w.sneha], city="Guwahati", days=[w.day3])
    again = invite(on_commit, w, [w.sneha, w.bamboo], city="Guwahati")
    assert [i.email for i in again.created] == ["meera@bamboo.example"]
    assert [m.as_dict()["reason"] for m in again.merged] == [
        "already invited (sent)",
        "already invited (sent)",
    ]
    with pytest.raises(ValidationError) as refused:
        services.host_invitations_create(
            actor=w.staff, delegation=w.delegation, organisations=[w.kato], city="Ahmedabad"
        )
    assert list(refused.value.message_dict) == ["organisations"]
    with pytest.raises(ValidationError) as wrong_day:
        services.host_invitations_create(
            actor=w.staff,
            delegation=w.delegation,
            organisations=[w.sneha],
            city="Guwahati",
            days=[w.day1],
        )
    assert list(wrong_day.value.message_dict) == ["days"]
    assert len(mailbox.messages) == 3


def test_host_invitation_page_get_changes_nothing(on_commit, mailbox, world):
    w = world
    invite(on_commit, w, [w.sneha])
    token = token_in(mailbox.to("asha@sneha.example")[0])
    client = Client()
    for _ in range(2):
        response = client.get(f"/invitations/{token}/")
        assert response.status_code == 200
    page = response.content.decode()
    assert "Gujarat &amp; Assam delegation" in page
    assert "host the delegation's visiting firms in Ahmedabad" in page
    assert f"{w.day1.date:%a %-d %b %Y} — Ahmedabad" in page
    assert 'id="accept-form"' in page and 'id="decline-form"' in page
    assert Invitation.objects.get(email="asha@sneha.example").status == Invitation.Status.SENT
    assert DelegationHost.objects.count() == 0


def test_host_invitation_accept_makes_the_organisation_a_host(on_commit, mailbox, world):
    w = world
    invite(on_commit, w, [w.sneha, w.bamboo])
    token = token_in(mailbox.to("ravi@sneha.example")[0])
    client = Client()
    response = client.post(f"/invitations/{token}/", {"action": "accept"})
    assert response.status_code == 200
    assert "Sneha Tea Estates is now a host" in response.content.decode()
    host = DelegationHost.objects.get()
    assert (host.delegation, host.organisation) == (w.delegation, w.sneha)
    assert sorted(d.pk for d in host.days.all()) == [w.day1.pk, w.day2.pk]
    assert {d.city for d in host.days.all()} == {"Ahmedabad"}
    assert list(host.representatives.all()) == [w.ravi]
    invitation = Invitation.objects.get(email="ravi@sneha.example")
    assert (invitation.status, invitation.user) == (Invitation.Status.ACCEPTED, w.ravi)

    # The colleague's own invitation adds them to the same host.
    other = token_in(mailbox.to("asha@sneha.example")[0])
    assert client.post(f"/invitations/{other}/", {"action": "accept"}).status_code == 200
    assert DelegationHost.objects.count() == 1
    assert sorted(u.username for u in host.representatives.all()) == ["asha", "ravi"]

    # Answered: a second accept is gone, and nothing changes.
    again = client.post(f"/invitations/{token}/", {"action": "accept"})
    assert again.status_code == 410
    assert "already accepted" in again.content.decode()
    assert DelegationHost.objects.count() == 1


def test_host_invitation_decline_stores_the_reason_and_adds_no_host(on_commit, mailbox, world):
    w = world
    invite(on_commit, w, [w.bamboo])
    token = token_in(mailbox.to("meera@bamboo.example")[0])
    response = Client().post(
        f"/invitations/{token}/", {"action": "decline", "reason": "Harvest season."}
    )
    assert response.status_code == 200
    invitation = Invitation.objects.get(email="meera@bamboo.example")
    assert (invitation.status, invitation.decline_reason) == (
        Invitation.Status.DECLINED,
        "Harvest season.",
    )
    assert DelegationHost.objects.count() == 0
    assert Client().post(f"/invitations/{token}/", {"action": "accept"}).status_code == 410
    assert DelegationHost.objects.count() == 0


def test_host_invitation_unknown_or_foreign_token_is_404(on_commit, mailbox, world):
    w = world
    invite(on_commit, w, [w.sneha])
    token = token_in(mailbox.to("asha@sneha.example")[0])
    client = Client()
    assert client.get("/invitations/not-a-real-token-at-all/").status_code == 404
    assert client.post(f"/invitations/{token}x/", {"action": "accept"}).status_code == 404
    assert client.post(f"/invitations/{token[::-1]}/", {"action": "accept"}).status_code == 404
    assert DelegationHost.objects.count() == 0


def test_host_invitation_expires_at_the_first_day_and_is_gone(on_commit, mailbox, world):
    w = world
    invite(on_commit, w, [w.sneha])
    token = token_in(mailbox.to("asha@sneha.example")[0])
    Invitation.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    response = Client().post(f"/invitations/{token}/", {"action": "accept"})
    assert response.status_code == 410
    assert DelegationHost.objects.count() == 0


def test_host_invitations_get_reminders(on_commit, mailbox, world, settings):
    w = world
    invite(on_commit, w, [w.bamboo])
    Invitation.objects.update(sent_at=timezone.now() - dt.timedelta(days=4))
    invitation = Invitation.objects.get()
    assert services.invitation_reminders_due() == [invitation.pk]
    assert services.invitation_reminders_send(invitation_ids=[invitation.pk]) == 1
    reminder = mailbox.messages[-1]
    assert reminder["Subject"].strip() == (
        "【リマインダー】ホスト企業のご招待: Gujarat & Assam delegation（Ahmedabad）"
    )
    assert reminder["Message-ID"] == stable_message_id("invitation-reminder", invitation.pk, 0, 1)


def test_invitation_target_constraint_refuses_both_or_neither(world):
    w = world
    event = EventFactory(platform=w.platform)
    common = {"email": "x@example.com", "expires_at": timezone.now() + dt.timedelta(days=1)}
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.create(event=event, delegation=w.delegation, **common)
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.create(**common)
    Invitation.objects.create(delegation=w.delegation, **common)
    Invitation.objects.create(event=event, **common)
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.create(delegation=w.delegation, **{**common, "email": "X@example.com"})
    assert Invitation.objects.count() == 2


def test_delegation_admin_invite_hosts_action_and_form(on_commit, mailbox, world, settings):
    w = world
    w.staff.is_superuser = True
    w.staff.save()
    client = Client()
    client.force_login(w.staff)
    response = client.post(
        "/admin/delegations/delegation/",
        {"action": "invite_hosts", "_selected_action": [w.delegation.pk]},
    )
    url = f"/admin/invitations/invitation/invite-hosts/{w.delegation.pk}/"
    assert (response.status_code, response["Location"]) == (302, url)
    page = client.get(url)
    assert page.status_code == 200
    assert "Kato Precision" not in page.content.decode()
    with on_commit():
        response = client.post(
            url,
            {
                "organisations": [w.bamboo.pk],
                "city": "Guwahati",
                "language": "en",
                "note": "",
            },
        )
    assert response.status_code == 200
    assert "1 host invitation(s) created" in response.content.decode()
    assert [m["To"] for m in mailbox.messages] == ["meera@bamboo.example"]
    listing = client.get("/admin/invitations/invitation/?target=delegation")
    assert listing.status_code == 200
    assert "meera@bamboo.example" in listing.content.decode()


def test_host_invitation_left_pending_is_sent_by_the_sweeper(mailbox, world):
    w = world
    # No on_commit: the enqueue is lost, as when the broker was down at commit.
    services.host_invitations_create(
        actor=w.staff, delegation=w.delegation, organisations=[w.bamboo], city="Guwahati"
    )
    assert mailbox.messages == []
    Invitation.objects.update(enqueued_at=timezone.now() - dt.timedelta(minutes=5))
    assert services.invitations_sweep() == 1
    (message,) = mailbox.messages
    assert message["To"] == "meera@bamboo.example"
    assert "Guwahatiにて" in SmtpSink.text(message)
    assert Invitation.objects.get().status == Invitation.Status.SENT
