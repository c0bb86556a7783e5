"""Meeting requests between delegates and hosts, and pins
(events/delegations/services/requests.py)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from events.delegations import selectors, services
from events.delegations.models import Delegation, MeetingRequest

pytestmark = pytest.mark.django_db


def test_meeting_request_only_between_delegate_and_host(ready):
    with pytest.raises(ValidationError) as exc:
        services.meeting_request_create(
            actor=ready.kenji, delegation=ready.delegation, to_organisation=ready.mori
        )
    assert exc.value.message_dict == {
        "to_organisation": [
            "Meetings are between a delegate and a host; Mori Foods is not on the other side."
        ]
    }
    with pytest.raises(ValidationError) as exc:
        services.meeting_request_create(
            actor=ready.outsider, delegation=ready.delegation, to_organisation=ready.sneha
        )
    assert exc.value.message_dict == {
        "organisation": ["None of your organisations can request meetings in this delegation."]
    }


def test_meeting_request_twice_is_refused(ready):
    with pytest.raises(ValidationError) as exc:
        services.meeting_request_create(
            actor=ready.kenji, delegation=ready.delegation, to_organisation=ready.sneha
        )
    assert exc.value.message_dict == {
        "to_organisation": ["Kato Precision already asked to meet Sneha Tea Estates."]
    }


def test_meeting_request_delete_only_by_the_requester(ready):
    request = MeetingRequest.objects.get(from_organisation=ready.kato, to_organisation=ready.sneha)
    with pytest.raises(PermissionDenied):
        services.meeting_request_delete(actor=ready.asha, request=request)
    services.meeting_request_delete(actor=ready.kenji, request=request)
    assert MeetingRequest.objects.filter(from_organisation=ready.kato).count() == 1


def test_meeting_pin_must_be_a_slot_start(ready):
    request = MeetingRequest.objects.get(from_organisation=ready.kato, to_organisation=ready.sneha)
    with pytest.raises(ValidationError) as exc:
        services.meeting_request_pin(
            actor=ready.staff, request=request, day=ready.day1, start=dt.time(10, 30)
        )
    assert exc.value.message_dict == {
        "pinned_start": ["Not a slot start; choose one of 09:00, 09:30, 10:00, 11:00, 11:30."]
    }


# --- Answers and the request deadline ---------------------------------------------------


def test_meeting_request_answer_only_by_the_organisation_asked(ready):
    request = MeetingRequest.objects.get(from_organisation=ready.mori, to_organisation=ready.sneha)
    with pytest.raises(PermissionDenied):
        services.meeting_request_answer(actor=ready.yuki, request=request, answer="accepted")
    with pytest.raises(PermissionDenied):
        services.meeting_request_answer(actor=ready.ravi, request=request, answer="accepted")
    services.meeting_request_answer(actor=ready.asha, request=request, answer="declined")
    request.refresh_from_db()
    assert (request.answer, request.answered_by) == ("declined", ready.asha)
    # The answer may change while requests are open.
    services.meeting_request_answer(actor=ready.asha, request=request, answer="accepted")
    assert MeetingRequest.objects.get(pk=request.pk).answer == "accepted"


def test_meeting_request_answer_must_be_accept_or_decline(ready):
    request = MeetingRequest.objects.get(from_organisation=ready.mori, to_organisation=ready.sneha)
    with pytest.raises(ValidationError) as exc:
        services.meeting_request_answer(actor=ready.asha, request=request, answer="maybe")
    assert exc.value.message_dict == {"answer": ["Answer accepted or declined."]}
    assert MeetingRequest.objects.get(pk=request.pk).answer == ""


def _close_requests(world) -> None:
    Delegation.objects.filter(pk=world.delegation.pk).update(
        requests_close_at=timezone.now() - dt.timedelta(minutes=1)
    )
    world.delegation.refresh_from_db()


def test_after_the_request_deadline_members_can_no_longer_change_requests(ready):
    _close_requests(ready)
    closed = {"delegation": ["The deadline for meeting requests has passed."]}
    with pytest.raises(ValidationError) as exc:
        services.meeting_request_create(
            actor=ready.yuki, delegation=ready.delegation, to_organisation=ready.bamboo
        )
    assert exc.value.message_dict == closed
    request = MeetingRequest.objects.get(from_organisation=ready.mori, to_organisation=ready.sneha)
    with pytest.raises(ValidationError) as exc:
        services.meeting_request_delete(actor=ready.yuki, request=request)
    assert exc.value.message_dict == closed
    with pytest.raises(ValidationError) as exc:
        services.meeting_request_answer(actor=ready.asha, request=request, answer="declined")
    assert exc.value.message_dict == closed
    assert MeetingRequest.objects.filter(delegation=ready.delegation).count() == 4
    # The secretariat may still correct them.
    services.meeting_request_create(
        actor=ready.staff,
        delegation=ready.delegation,
        from_organisation=ready.mori,
        to_organisation=ready.bamboo,
    )
    assert MeetingRequest.objects.filter(delegation=ready.delegation).count() == 5


def test_requests_refusal_names_the_reason(ready):
    assert services.requests_refusal(ready.delegation) == ""
    _close_requests(ready)
    assert services.requests_refusal(ready.delegation) == (
        "The deadline for meeting requests has passed."
    )
    ready.delegation.status = "completed"
    assert services.requests_refusal(ready.delegation) == (
        "Meeting requests of this delegation can no longer change."
    )


def test_request_list_knows_mutual_requests(ready):
    from_kato = selectors.requests_of_organisation(
        delegation=ready.delegation, organisation=ready.kato
    )
    assert [(r.to_organisation.name, r.mutual) for r in from_kato["made"]] == [
        ("Sneha Tea Estates", True),
        ("Assam Bamboo Works", False),
    ]
    assert [(r.from_organisation.name, r.mutual) for r in from_kato["received"]] == [
        ("Sneha Tea Estates", True)
    ]
