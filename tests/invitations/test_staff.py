"""Staff actions: resend and revoke (services/staff.py)."""

import pytest
from django.test import Client

from events.invitations import services
from events.invitations.models import Invitation
from tests.factories import EventFactory
from tests.invitations.helpers import invite, token_in

pytestmark = pytest.mark.django_db


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
