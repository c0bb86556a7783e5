"""Answering an invitation by its token: registration, waitlist, invitation-only events
(services/answering.py)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from events import services as event_services
from events.invitations import services
from events.invitations.models import Invitation
from tests.factories import AffiliationFactory, EventFactory, OrganisationFactory, member
from tests.invitations.helpers import invite, token_in

pytestmark = pytest.mark.django_db


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


def test_invitation_accept_for_the_invited_chosen_or_only_organisation(on_commit, staff, mailbox):
    event = EventFactory()
    invited_for, other = OrganisationFactory(), OrganisationFactory()
    person = member(organisation=invited_for, email="two.hats@x.example")
    AffiliationFactory(organisation=other, user=person)
    stranger_org = OrganisationFactory()
    invite(on_commit, staff, event, organisations=[invited_for])
    token = token_in(mailbox.messages[0])
    # Not one they represent: refused like a registration for it (the one rule).
    with pytest.raises(PermissionDenied):
        services.invitation_accept(token=token, organisation=stranger_org)
    # Without a choice, the organisation they were invited for (they represent two).
    invitation = services.invitation_accept(token=token)
    assert (invitation.organisation, invitation.registration.organisation) == (
        invited_for,
        invited_for,
    )


def test_invitation_accept_asks_which_of_several_organisations(on_commit, staff, mailbox):
    event = EventFactory()
    person = member(email="two.hats@x.example")
    AffiliationFactory(organisation=OrganisationFactory(), user=person)
    invite(on_commit, staff, event, emails_text="two.hats@x.example")
    with pytest.raises(ValidationError) as refused:
        services.invitation_accept(token=token_in(mailbox.messages[0]))
    assert refused.value.message_dict == {
        "organisation": [
            "You represent several organisations; choose the one you will represent at this event."
        ]
    }
    assert Invitation.objects.get().status == "sent"
