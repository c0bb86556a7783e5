"""Meeting requests between delegates and hosts, and the staff's edits: drop, pin, reweigh."""

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from events.delegations.models import Delegation, DelegationDay, MeetingRequest, RequestAnswer
from events.delegations.problem import clock, day_slot_starts, minutes
from events.delegations.selectors import participant_org_ids
from events.delegations.services.common import acting_participant, check_requests_open
from forum_site.i18n import sentence
from forum_site.permissions import is_staff, require_staff
from members.models import Organisation
from members.selectors import organisation_ids_represented


def _check_priority(priority: str) -> None:
    if priority not in MeetingRequest.Priority.values:
        raise ValidationError(
            {"priority": _("Unknown priority %(priority)r.") % {"priority": priority}}
        )


def validate_pair(
    *, delegation: Delegation, from_organisation: Organisation, to_organisation: Organisation
) -> None:
    """A request is between an accepted delegate and a host of the delegation."""
    delegates, hosts = participant_org_ids(delegation=delegation)
    a, b = from_organisation.pk, to_organisation.pk
    if (a in delegates and b in hosts) or (a in hosts and b in delegates):
        return
    if a not in delegates | hosts:
        raise PermissionDenied(
            _("%(organisation)s does not take part in this delegation.")
            % {"organisation": from_organisation}
        )
    raise ValidationError(
        {
            "to_organisation": _(
                "Meetings are between a delegate and a host; "
                "%(organisation)s is not on the other side."
            )
            % {"organisation": to_organisation}
        }
    )


def validate_pin(
    *, delegation: Delegation, day: DelegationDay | None, start: dt.time | None
) -> None:
    """A pin is a day of the delegation and the start of one of its grid's slots (or neither)."""
    if (day is None) != (start is None):
        raise ValidationError(
            {"pinned_start": _("Give both the day and the start time, or neither.")}
        )
    if day is None:
        return
    if day.delegation_id != delegation.pk:
        raise ValidationError({"pinned_day": _("This day is not a day of the delegation.")})
    starts = {s for s, _end in day_slot_starts(delegation)}
    if minutes(start) not in starts or start.second:
        choices = ", ".join(clock(s) for s in sorted(starts))
        raise ValidationError(
            {
                "pinned_start": _("Not a slot start; choose one of %(choices)s.")
                % {"choices": choices}
            }
        )


def meeting_request_create(
    *,
    actor: AbstractBaseUser,
    delegation: Delegation,
    to_organisation: Organisation,
    from_organisation: Organisation | None = None,
    priority: str = MeetingRequest.Priority.NORMAL,
    note: str = "",
) -> MeetingRequest:
    """A delegate asks to meet a host, or a host a delegate (staff may add any such pair),
    until the requests close (`check_requests_open`)."""
    check_requests_open(actor, delegation)
    _check_priority(priority)
    from_organisation, _delegates, _hosts = acting_participant(
        actor,
        delegation,
        from_organisation,
        none=_("None of your organisations can request meetings in this delegation."),
    )
    validate_pair(
        delegation=delegation, from_organisation=from_organisation, to_organisation=to_organisation
    )
    try:
        with transaction.atomic():
            return MeetingRequest.objects.create(
                delegation=delegation,
                from_organisation=from_organisation,
                to_organisation=to_organisation,
                priority=priority,
                note=note,
                created_by=actor,
            )
    except IntegrityError as exc:
        raise ValidationError(
            {
                "to_organisation": sentence(
                    _("%(sender)s already asked to meet %(recipient)s."),
                    {"sender": from_organisation, "recipient": to_organisation},
                )
            }
        ) from exc


def _represents(actor: AbstractBaseUser, organisation_id: int) -> bool:
    return organisation_ids_represented(actor).filter(organisation_id=organisation_id).exists()


def meeting_request_delete(*, actor: AbstractBaseUser, request: MeetingRequest) -> None:
    """The requesting organisation's people (or staff) take a request back."""
    if is_staff(actor):
        request.delete()
        return
    if not _represents(actor, request.from_organisation_id):
        raise PermissionDenied(_("Only the requesting organisation can delete its request."))
    check_requests_open(actor, request.delegation)
    request.delete()


def meeting_request_answer(
    *, actor: AbstractBaseUser, request: MeetingRequest, answer: str
) -> MeetingRequest:
    """The asked organisation's people accept a request or say "no thanks" (declined: the
    scheduler leaves the pair out unless the other way round was asked too); they may
    change their answer until the requests close."""
    if answer not in RequestAnswer.values:
        raise ValidationError({"answer": _("Answer accepted or declined.")})
    if not is_staff(actor) and not _represents(actor, request.to_organisation_id):
        raise PermissionDenied(_("Only the organisation asked can answer this request."))
    check_requests_open(actor, request.delegation)
    request.answer, request.answered_at, request.answered_by = answer, timezone.now(), actor
    request.save(update_fields=["answer", "answered_at", "answered_by"])
    return request


def meeting_request_drop(
    *, actor: AbstractBaseUser, request: MeetingRequest, dropped: bool = True
) -> MeetingRequest:
    """Staff drop a request from scheduling (kept for the record) or restore it."""
    require_staff(actor, "drop meeting requests")
    request.dropped = dropped
    request.save(update_fields=["dropped"])
    return request


def meeting_request_edit(
    *, actor: AbstractBaseUser, request: MeetingRequest, priority: str, note: str
) -> MeetingRequest:
    """Staff change a request's priority or note (the scheduler weighs the priority)."""
    require_staff(actor, "edit meeting requests")
    _check_priority(priority)
    request.priority, request.note = priority, note
    request.save(update_fields=["priority", "note"])
    return request


def meeting_request_pin(
    *,
    actor: AbstractBaseUser,
    request: MeetingRequest,
    day: DelegationDay | None,
    start: dt.time | None,
) -> MeetingRequest:
    """Staff fix the slot of a meeting (day and start time of a grid slot); None unpins.

    A pinned meeting must take place there: a pin that cannot be honoured makes the next
    schedule infeasible, with the reason.
    """
    require_staff(actor, "pin meetings")
    validate_pin(delegation=request.delegation, day=day, start=start)
    request.pinned_day, request.pinned_start = day, start
    request.save(update_fields=["pinned_day", "pinned_start"])
    return request
