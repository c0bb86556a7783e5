"""Inviting people to an event: pasted lines, CSV, people, organisations, audiences
(services/inviting.py, services/parsing.py)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from events.invitations import services
from events.invitations.models import Invitation
from members.models import Membership, Sector
from tests.factories import (
    AffiliationFactory,
    EventFactory,
    MembershipFactory,
    OrganisationFactory,
    PlatformFactory,
    UserFactory,
    member,
)
from tests.invitations.helpers import invite, states

pytestmark = pytest.mark.django_db


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
