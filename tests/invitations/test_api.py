"""Invitations through the API: staff manage an event's invitations, invitees answer by token
(api/)."""

import csv
import io

import pytest
from rest_framework.test import APIClient

from events.invitations import services
from events.invitations.models import Invitation
from tests.factories import EventFactory, OrganisationFactory, PlatformFactory, StaffFactory, member
from tests.invitations.helpers import token_in

pytestmark = pytest.mark.django_db


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def test_api_create_bulk_reports_created_merged_and_invalid_lines(on_commit, mailbox):
    event = EventFactory()
    known = member(email="known@x.example")
    client = client_for(StaffFactory())
    with on_commit():
        response = client.post(
            f"/api/v1/events/{event.pk}/invitations/",
            {
                "emails": ["a@x.example", "", "A@X.example", "broken@", "Bo <bo@x.example>"],
                "users": [known.pk],
                "language": "ja",
            },
            format="json",
        )
    assert response.status_code == 201
    assert response.json() == {
        "created": 3,
        "created_emails": ["a@x.example", "bo@x.example", "known@x.example"],
        "merged": [{"line": 3, "text": "a@x.example", "reason": "duplicate of line 1"}],
        "invalid": [
            {"line": 4, "text": "broken@", "reason": "'broken@' is not a valid email address"}
        ],
    }
    assert sorted(m["X-Envelope-To"] for m in mailbox.messages) == [
        "a@x.example",
        "bo@x.example",
        "known@x.example",
    ]
    assert Invitation.objects.get(email="a@x.example").language == "ja"
    assert Invitation.objects.get(email="known@x.example").language == "en"  # the profile's


def test_api_create_validates_input(on_commit):
    event = EventFactory()
    client = client_for(StaffFactory())
    response = client.post(f"/api/v1/events/{event.pk}/invitations/", {}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["Give emails, users, organisations or an audience to invite."]
    }
    response = client.post(
        f"/api/v1/events/{event.pk}/invitations/",
        {"audience": {"platform": "nope"}},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["audience"]
    assert (
        client.post(
            "/api/v1/events/999999/invitations/", {"emails": ["a@x.example"]}, format="json"
        ).status_code
        == 404
    )
    assert Invitation.objects.count() == 0


def test_api_audience_invites_approved_members(on_commit):
    platform = PlatformFactory(slug="business-council")
    event = EventFactory(platform=platform)
    member(platform=platform, email="approved@x.example")
    member(email="outsider@x.example")
    with on_commit():
        response = client_for(StaffFactory()).post(
            f"/api/v1/events/{event.pk}/invitations/",
            {"audience": {"platform": "business-council", "country": "IN"}},
            format="json",
        )
    assert response.json()["created_emails"] == ["approved@x.example"]


@pytest.mark.parametrize("count", [1, 30])
def test_api_list_query_count_is_constant(count, django_assert_num_queries):
    event = EventFactory()
    staff = StaffFactory()
    services.invitations_create(
        actor=staff, event=event, emails_text="\n".join(f"p{i}@x.example" for i in range(count))
    )
    client = client_for(staff)
    # session, user, event, count, page
    with django_assert_num_queries(5):
        response = client.get(f"/api/v1/events/{event.pk}/invitations/")
    assert response.status_code == 200
    assert len(response.json()["results"]) == count


def test_api_list_filter_stats_resend_revoke_export(on_commit, mailbox):
    event = EventFactory()
    staff = StaffFactory()
    member(email="yes@x.example")
    with on_commit():
        services.invitations_create(
            actor=staff,
            event=event,
            emails_text="yes@x.example\nno@x.example\nwait@x.example\ndrop@x.example",
        )
    services.invitation_accept(token=token_in(mailbox.to("yes@x.example")[0]))
    services.invitation_decline(token=token_in(mailbox.to("no@x.example")[0]), reason="Busy")
    client = client_for(staff)
    base = f"/api/v1/events/{event.pk}/invitations/"

    drop = Invitation.objects.get(email="drop@x.example")
    response = client.post(f"{base}{drop.pk}/revoke/")
    assert (response.status_code, response.json()["state"]) == (200, "revoked")
    wait = Invitation.objects.get(email="wait@x.example")
    with on_commit():
        response = client.post(f"{base}{wait.pk}/resend/")
    assert (response.status_code, response.json()["state"]) == (200, "pending")  # queued
    assert len(mailbox.to("wait@x.example")) == 2
    assert Invitation.objects.get(pk=wait.pk).status == "sent"
    response = client.post(f"{base}{drop.pk}/resend/")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["A revoked invitation cannot be resent."]}

    assert client.get(f"{base}stats/").json() == {
        "total": 4,
        "pending": 0,
        "sending": 0,
        "sent": 1,
        "failed": 0,
        "accepted": 1,
        "declined": 1,
        "revoked": 1,
        "expired": 0,
    }
    accepted = client.get(base, {"status": "accepted"}).json()["results"]
    assert [(r["email"], r["registration_status"]) for r in accepted] == [
        ("yes@x.example", "confirmed")
    ]
    assert client.get(base, {"status": "bogus"}).status_code == 400

    export = client.get(f"{base}export/")
    assert export["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert [(r["email"], r["state"], r["decline_reason"]) for r in rows] == [
        ("yes@x.example", "accepted", ""),
        ("no@x.example", "declined", "Busy"),
        ("wait@x.example", "sent", ""),
        ("drop@x.example", "revoked", ""),
    ]


def test_api_invitations_are_staff_only(on_commit):
    event = EventFactory()
    staff = StaffFactory()
    services.invitations_create(actor=staff, event=event, emails_text="a@x.example")
    invitation = Invitation.objects.get()
    base = f"/api/v1/events/{event.pk}/invitations/"
    organiser = member()  # a member of another organisation than the invitee's
    for client, expected in ((client_for(), 401), (client_for(organiser), 403)):
        assert client.get(base).status_code == expected
        assert client.get(f"{base}{invitation.pk}/").status_code == expected
        assert client.get(f"{base}stats/").status_code == expected
        assert client.get(f"{base}export/").status_code == expected
        assert client.post(base, {"emails": ["b@x.example"]}, format="json").status_code == expected
        assert client.post(f"{base}{invitation.pk}/revoke/").status_code == expected
        assert client.post(f"{base}{invitation.pk}/resend/").status_code == expected
    assert Invitation.objects.get().status == "pending"
    assert Invitation.objects.count() == 1


def test_api_accept_and_decline_with_the_token(on_commit, mailbox):
    event = EventFactory(capacity=1)
    staff = StaffFactory()
    member(email="one@x.example")
    member(email="two@x.example")
    with on_commit():
        services.invitations_create(
            actor=staff, event=event, emails_text="one@x.example\ntwo@x.example\nthree@x.example"
        )
    anonymous = APIClient(enforce_csrf_checks=True)
    response = anonymous.post(
        "/api/v1/invitations/accept/",
        {"token": token_in(mailbox.to("one@x.example")[0])},
        format="json",
    )
    assert response.status_code == 200
    assert response.json() == {
        "status": "accepted",
        "event": event.pk,
        "delegation": None,
        "registration_status": "confirmed",
        "waitlist_position": None,
        "message": "You are confirmed.",
    }
    response = anonymous.post(
        "/api/v1/invitations/accept/",
        {"token": token_in(mailbox.to("two@x.example")[0])},
        format="json",
    )
    assert (response.json()["registration_status"], response.json()["waitlist_position"]) == (
        "waitlisted",
        1,
    )
    token = token_in(mailbox.to("three@x.example")[0])
    response = anonymous.post(
        "/api/v1/invitations/decline/", {"token": token, "reason": "Abroad"}, format="json"
    )
    assert (response.status_code, response.json()["status"]) == (200, "declined")
    again = anonymous.post("/api/v1/invitations/decline/", {"token": token}, format="json")
    assert again.status_code == 410
    assert again.json() == {
        "detail": "You have already declined this invitation.",
        "reason": "declined",
    }
    unknown = anonymous.post("/api/v1/invitations/accept/", {"token": "x" * 43}, format="json")
    assert unknown.status_code == 404
    assert anonymous.post("/api/v1/invitations/accept/", {}, format="json").status_code == 400


def test_api_answer_errors_unknown_token_and_foreign_organisation(on_commit, mailbox):
    event = EventFactory()
    member(email="one@x.example")
    with on_commit():
        services.invitations_create(actor=StaffFactory(), event=event, emails_text="one@x.example")
    anonymous = APIClient()
    unknown = anonymous.post("/api/v1/invitations/decline/", {"token": "x" * 43}, format="json")
    assert (unknown.status_code, unknown.json()) == (
        404,
        {
            "detail": "This invitation link is not valid. Please check that you copied it completely."
        },
    )
    token = token_in(mailbox.messages[0])
    foreign = OrganisationFactory(name="Not Mine Ltd")
    response = anonymous.post(
        "/api/v1/invitations/accept/", {"token": token, "organisation": foreign.pk}, format="json"
    )
    assert (response.status_code, response.json()) == (
        403,
        {"detail": "You are not a representative of Not Mine Ltd."},
    )
    assert Invitation.objects.get().status == "sent"
