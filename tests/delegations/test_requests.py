"""Meeting requests between delegates and hosts, and pins
(events/delegations/services/requests.py)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from events.delegations import services
from events.delegations.models import MeetingRequest

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
