"""The invitee's page behind the personal link: GET changes nothing, Accept, Decline, 404/410,
the invitee's language, the guest's set-password link (views.py)."""

import pytest
from django.test import Client
from django.utils import timezone

from events.invitations import services
from events.invitations.models import Invitation
from events.models import Registration
from members.models import Organisation
from tests.factories import EventFactory, member
from tests.invitations.helpers import invite, states, token_in
from tests.pages import text

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


def test_invitation_page_is_in_the_invitees_language_unless_they_switch(on_commit, staff, mailbox):
    event = EventFactory(title="Tea roundtable", title_ja="紅茶ラウンドテーブル")
    invite(on_commit, staff, event, emails_text="yuki@kato.example", language="ja")
    url = f"/invitations/{token_in(mailbox.messages[0])}/"
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.get(url)
    assert (response["Content-Language"], response["Referrer-Policy"]) == ("ja", "same-origin")
    page = text(response)
    assert '<html lang="ja">' in response.content.decode()
    assert "紅茶ラウンドテーブル" in page
    assert "イベント" in page  # the site's header too
    assert "Accept" not in page
    # A guest who names no organisation is told so in their language; nothing is saved.
    response = client.post(url, {"action": "accept"})
    assert response.status_code == 400
    assert "ご所属の組織（組織名と国）をご入力ください。" in text(response)
    assert Invitation.objects.get().status == "sent"
    # The switcher's choice (Django's language cookie) wins.
    client.post("/i18n/setlang/", {"language": "en", "next": url})
    response = client.get(url)
    assert response["Content-Language"] == "en"
    assert "Tea roundtable" in text(response)
    assert "Please answer by" in text(response)


def test_guest_asks_for_a_set_password_link_once_accepted(on_commit, staff, mailbox):
    event = EventFactory(title="Tea roundtable", title_ja="紅茶ラウンドテーブル")
    invite(on_commit, staff, event, emails_text="Priya Nair <priya@newco.example>", language="ja")
    token = token_in(mailbox.messages[0])
    client = Client()
    # Not accepted yet: no such link.
    assert client.post(f"/invitations/{token}/set-password/").status_code == 404
    with on_commit():
        accepted = client.post(
            f"/invitations/{token}/",
            {"action": "accept", "organisation_name": "NewCo", "country": "IN"},
        )
    assert 'id="set-password-form"' in accepted.content.decode()
    guest = Invitation.objects.get().user
    # The invitation reached the address: it counts as verified for allauth.
    assert list(guest.emailaddress_set.values_list("email", "verified", "primary")) == [
        ("priya@newco.example", True, True)
    ]
    confirmation = mailbox.to("priya@newco.example")[-1]
    assert "ご登録を承りました" in confirmation["Subject"]  # the guest's emails: Japanese too
    assert client.get(f"/invitations/{token}/set-password/").status_code == 405
    before = len(mailbox.messages)
    response = client.post(f"/invitations/{token}/set-password/")
    assert response.status_code == 200
    assert "priya@newco.example 宛にリンクをお送りしました" in text(response)
    [reset] = mailbox.messages[before:]
    assert reset["X-Envelope-To"] == "priya@newco.example"
    assert "/accounts/password/reset/key/" in mailbox.text(reset)
    assert "パスワード" in reset["Subject"]
    # Reopening the link later still offers it while the account has no password.
    again = client.get(f"/invitations/{token}/")
    assert (again.status_code, 'id="set-password-form"' in again.content.decode()) == (410, True)
    guest.set_password("a-pass-phrase-2026")
    guest.save()
    assert client.post(f"/invitations/{token}/set-password/").status_code == 404
    assert 'id="set-password-form"' not in client.get(f"/invitations/{token}/").content.decode()


def test_member_with_a_password_is_not_offered_one(on_commit, staff, mailbox):
    member(email="asha@farms.example")
    invite(on_commit, staff, EventFactory(), emails_text="asha@farms.example")
    token = token_in(mailbox.messages[0])
    with on_commit():
        accepted = Client().post(f"/invitations/{token}/", {"action": "accept"})
    assert accepted.status_code == 200
    assert 'id="set-password-form"' not in accepted.content.decode()
    assert Client().post(f"/invitations/{token}/set-password/").status_code == 404
