"""The invitee's page behind the personal link: GET changes nothing, Accept, Decline, 404/410
(views.py)."""

import pytest
from django.test import Client
from django.utils import timezone

from events.invitations import services
from events.invitations.models import Invitation
from events.models import Registration
from members.models import Organisation
from tests.factories import EventFactory, member
from tests.invitations.helpers import invite, states, token_in

pytestmark = pytest.mark.django_db


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
