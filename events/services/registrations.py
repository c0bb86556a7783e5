"""Registrations: seats and waitlists under the event's row lock.

Seats and waitlist positions change in one place per transaction, under the event's row
lock (late, with a timeout: `forum_site.locking`), and the denormalised counters
`seats_taken` / `waitlist_length` are changed under it. Registering locks, then inserts
and moves the counter (`_take_place`); cancelling and check-in lock with `lock_event`. The
check constraint `event_never_overbooked` and the unique constraints on registrations are
the backstop.
"""

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, ExpressionWrapper, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from events.emails import send_registration_email
from events.models import (
    ACTIVE_REGISTRATION,
    SEAT_FREE,
    Event,
    EventStatus,
    EventVisibility,
    Registration,
    RegistrationStatus,
    RegistrationWindow,
)
from events.selectors import organisations_admitted
from forum_site.i18n import local_time, localized
from forum_site.locking import lock_row
from forum_site.permissions import require_staff
from forum_site.smtp import classify_smtp_error
from forum_site.tasks import publish_or_log
from members.models import Organisation
from members.selectors import organisation_acting_for

log = logging.getLogger(__name__)

BUSY = gettext_noop("Many people are registering for this event right now; please try again.")


def lock_event(event_id: int) -> Event:
    """The single place where a transaction locks an event (must run inside atomic)."""
    return lock_row(Event, event_id, busy=_(BUSY))


def _organisation(user: AbstractBaseUser, organisation: Organisation | None) -> Organisation:
    return organisation_acting_for(
        user=user,
        organisation=organisation,
        none=_(
            "You register on behalf of an organisation, and you do not represent one yet. "
            "Register your organisation first."
        ),
        several=_("You represent several organisations; choose the one you are registering for."),
    )


def _check_open(event: Event, now) -> None:
    """Refuse registrations the event's status or registration window does not allow."""
    if event.status == EventStatus.DRAFT:
        raise ValidationError(_("This event has not been published yet; registration is not open."))
    if event.status == EventStatus.CANCELLED:
        raise ValidationError(_("This event has been cancelled."))
    if event.status == EventStatus.COMPLETED or event.ends_at <= now:
        raise ValidationError(_("This event has already taken place."))
    window = event.registration_window(now)
    if window == RegistrationWindow.NOT_YET:
        raise ValidationError(
            _("Registration opens on %(when)s.")
            % {"when": local_time(event.registration_opens_at, event.time_zone)}
        )
    if window == RegistrationWindow.CLOSED:
        raise ValidationError(
            _("Registration closed on %(when)s.")
            % {"when": local_time(event.registration_deadline, event.time_zone)}
        )


def _check_visibility(
    event: Event, user: AbstractBaseUser, organisation: Organisation, via_invitation: bool
) -> None:
    if via_invitation or event.visibility == EventVisibility.PUBLIC:
        return
    # Admitted once through an invitation (the invitations app passes via_invitation), a
    # person stays admitted: they may register again after cancelling.
    if organisations_admitted(event=event, user=user, organisation_ids=[organisation.pk]):
        return
    if event.visibility == EventVisibility.MEMBERS:
        raise PermissionDenied(
            _(
                "This event is for members of %(platform)s only, and %(organisation)s is not an approved member."
            )
            % {
                "platform": localized(event.platform, "name"),
                "organisation": localized(organisation, "name"),
            }
        )
    raise PermissionDenied(_("This event is by invitation only."))


def _already_registered(existing: Registration) -> ValidationError:
    if existing.status == RegistrationStatus.WAITLISTED:
        return ValidationError(
            _("You are already on the waitlist for this event (position %(position)s).")
            % {"position": existing.waitlist_position}
        )
    return ValidationError(_("You are already registered for this event."))


def _shift_waitlist(event_id: int, *, after: int, by: int) -> None:
    """Close up the waitlist: positions above `after` move down by `by`.

    Done in two statements through negative numbers so that no intermediate row collides
    with the (non-deferrable) unique constraint on positions.
    """
    rows = Registration.objects.filter(event_id=event_id, status=RegistrationStatus.WAITLISTED)
    rows.filter(waitlist_position__gt=after).update(
        waitlist_position=-(F("waitlist_position") - by)
    )
    rows.filter(waitlist_position__lt=0).update(waitlist_position=-F("waitlist_position"))


def promote(event: Event, now) -> list[int]:
    """Confirm waitlisted registrations, first in line first, while seats are free.

    The caller holds the event's lock; `event`'s counters are kept in step with the row.
    """
    if event.status != EventStatus.PUBLISHED or event.waitlist_length == 0:
        return []
    waiting = Registration.objects.filter(
        event_id=event.pk, status=RegistrationStatus.WAITLISTED
    ).order_by("waitlist_position")
    if event.capacity is not None:
        free = event.capacity - event.seats_taken
        if free <= 0:
            return []
        waiting = waiting[:free]
    ids = list(waiting.values_list("pk", flat=True))
    if not ids:
        return []
    Registration.objects.filter(pk__in=ids).update(
        status=RegistrationStatus.CONFIRMED,
        waitlist_position=None,
        confirmed_at=now,
        updated_at=now,
    )
    _shift_waitlist(event.pk, after=0, by=len(ids))
    Event.objects.filter(pk=event.pk).update(
        seats_taken=F("seats_taken") + len(ids), waitlist_length=F("waitlist_length") - len(ids)
    )
    event.seats_taken += len(ids)
    event.waitlist_length -= len(ids)
    return ids


def notify_after_commit(registration_ids: Iterable[int]) -> None:
    """Email each person about their registration once the transaction commits."""
    # The task module imports this one (a service and its own task).
    from events.tasks import notify_registration

    for pk in registration_ids:
        # A broker that is away must not turn a committed registration into a 500.
        transaction.on_commit(
            lambda pk=pk: publish_or_log(
                lambda: notify_registration.delay(pk), f"registration {pk}'s email"
            )
        )


# --- Registrations ----------------------------------------------------------------------


def _check_organisation_limit(event: Event, organisation: Organisation, *, held: int) -> None:
    """Refuse when `organisation` already holds `held` registrations, the event's limit."""
    if event.max_per_organisation is not None and held >= event.max_per_organisation:
        raise ValidationError(
            _(
                "%(organisation)s already holds %(held)s of the %(limit)s places one "
                "organisation may take at this event."
            )
            % {
                "organisation": localized(organisation, "name"),
                "held": held,
                "limit": event.max_per_organisation,
            }
        )


def _held_by(event: Event, organisation: Organisation) -> int:
    return Registration.objects.filter(
        ACTIVE_REGISTRATION, event_id=event.pk, organisation=organisation
    ).count()


# What a registration reads of the locked event: the fields `_check_open` looks at, the
# counters and limits, and `seat` (SEAT_FREE on the locked row: the database decides).
LOCKED_FIELDS = (
    "id",
    "status",
    "starts_at",
    "ends_at",
    "registration_opens_at",
    "registration_closes_at",
    "time_zone",
    "capacity",
    "max_per_organisation",
    "seats_taken",
    "waitlist_length",
)


def _locked_event_rows():
    return (
        Event.objects.order_by()
        .annotate(seat=ExpressionWrapper(SEAT_FREE, output_field=BooleanField()))
        .values(*LOCKED_FIELDS, "seat")
    )


def _take_place(
    event_id: int, user_id: int, organisation_id: int, via_invitation: bool, now
) -> tuple[Registration, dict]:
    """Lock the event, take a seat or the next waitlist place, insert the registration.

    Returns the registration and the locked event's row as it was before (with
    `seat`: SEAT_FREE evaluated by the database on the locked row). Runs inside the
    caller's transaction; the lock is held until it ends. Two writes follow the lock: the
    registration and the event's counter (a single data-modifying WITH statement was
    measured too: no gain on a quiet machine, and a second, hand-written copy of the
    insert to keep in step with the model, so it was not kept).
    """
    locked = lock_row(_locked_event_rows(), event_id, busy=_(BUSY))
    seat = locked["seat"]
    registration = Registration.objects.create(
        event_id=event_id,
        user_id=user_id,
        organisation_id=organisation_id,
        via_invitation=via_invitation,
        status=RegistrationStatus.CONFIRMED if seat else RegistrationStatus.WAITLISTED,
        waitlist_position=None if seat else locked["waitlist_length"] + 1,
        confirmed_at=now if seat else None,
    )
    counter = "seats_taken" if seat else "waitlist_length"
    Event.objects.filter(pk=event_id).update(**{counter: F(counter) + 1})
    return registration, locked


def registration_create(
    *,
    actor: AbstractBaseUser,
    event: Event,
    user: AbstractBaseUser | None = None,
    organisation: Organisation | None = None,
    via_invitation: bool = False,
    allow_invitation_only: bool = False,
) -> Registration:
    """Register `user` (default: the actor) for `event`, for one of their organisations.

    Confirmed while seats are free (`SEAT_FREE`), otherwise waitlisted at the end of the
    line. The invitation-accept service passes `via_invitation=True`, which admits the
    person to invitation-only (and members-only) events.

    Every check that does not need the event's lock runs before it is taken; under the
    lock `_take_place` reads the locked row (the seat rule evaluated on it), inserts the
    registration and moves the counter; then what may have changed while
    we waited (the event's status and window, the organisation limit) is checked again on
    the locked row: a refusal rolls the place back. A second active registration of the
    same person is refused by the unique constraint.
    """
    user = user or actor
    if user.pk != actor.pk:
        require_staff(actor, "register other people")
    via_invitation = via_invitation or allow_invitation_only
    organisation = _organisation(user, organisation)
    now = timezone.now()
    # Cheap refusals first, without the lock: most bad requests never wait for it.
    _check_open(event, now)
    _check_visibility(event, user, organisation, via_invitation)
    existing = Registration.objects.filter(
        ACTIVE_REGISTRATION, event_id=event.pk, user=user
    ).first()
    if existing is not None:
        raise _already_registered(existing)
    if event.max_per_organisation is not None:
        _check_organisation_limit(event, organisation, held=_held_by(event, organisation))

    with transaction.atomic():
        try:
            # No savepoint: on an IntegrityError the whole transaction is rolled back
            # anyway, and under the lock every round trip saved is throughput.
            registration, row = _take_place(event.pk, user.pk, organisation.pk, via_invitation, now)
        except IntegrityError:
            # The same person registering twice at once: the constraint keeps data right.
            raise ValidationError(_("You are already registered for this event."))
        seat = row.pop("seat")
        locked = Event(**row)
        _check_open(locked, now)  # the status may have changed while we waited
        if locked.max_per_organisation is not None:
            # Counted with the new registration, which is not one of those already held.
            _check_organisation_limit(locked, organisation, held=_held_by(locked, organisation) - 1)
        notify_after_commit([registration.pk])
    registration.event, registration.user, registration.organisation = event, user, organisation
    event.seats_taken = locked.seats_taken + seat
    event.waitlist_length = locked.waitlist_length + (not seat)
    return registration


def registration_cancellable(event: Event, now) -> bool:
    """People cancel their own registration until the event starts (staff at any time)."""
    return event.starts_at > now


def registration_cancel(*, actor: AbstractBaseUser, registration: Registration) -> Registration:
    """Cancel a registration; a freed seat goes to the first person on the waitlist."""
    if registration.user_id != actor.pk and not actor.is_staff:
        raise PermissionDenied(_("You can only cancel your own registrations."))
    now = timezone.now()
    with transaction.atomic():
        event = lock_event(registration.event_id)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status == RegistrationStatus.CANCELLED:
            raise ValidationError(_("This registration is already cancelled."))
        if registration.status == RegistrationStatus.ATTENDED:
            raise ValidationError(
                _("You have been checked in; the registration can no longer be cancelled.")
            )
        if not actor.is_staff and not registration_cancellable(event, now):
            raise ValidationError(
                _("The event has already started; the registration can no longer be cancelled.")
            )
        was = registration.status
        position = registration.waitlist_position
        registration.status = RegistrationStatus.CANCELLED
        registration.waitlist_position = None
        registration.cancelled_at = now
        registration.save(
            update_fields=["status", "waitlist_position", "cancelled_at", "updated_at"]
        )
        if was == RegistrationStatus.CONFIRMED:
            Event.objects.filter(pk=event.pk).update(seats_taken=F("seats_taken") - 1)
            event.seats_taken -= 1
            promoted = promote(event, now)
        else:
            _shift_waitlist(event.pk, after=position, by=1)
            Event.objects.filter(pk=event.pk).update(waitlist_length=F("waitlist_length") - 1)
            event.waitlist_length -= 1
            promoted = []
        notify_after_commit(promoted)
    return registration


def registration_cancel_for_event(*, actor: AbstractBaseUser, event: Event) -> Registration:
    """Cancel the actor's own active registration for `event`."""
    registration = Registration.objects.filter(
        ACTIVE_REGISTRATION, event_id=event.pk, user=actor
    ).first()
    if registration is None:
        raise ValidationError(_("You are not registered for this event."))
    return registration_cancel(actor=actor, registration=registration)


def registration_check_in(*, actor: AbstractBaseUser, registration: Registration) -> Registration:
    """Staff mark a confirmed registration as attended."""
    require_staff(actor, "check people in")
    now = timezone.now()
    with transaction.atomic():
        lock_event(registration.event_id)
        registration = Registration.objects.select_related("event").get(pk=registration.pk)
        if registration.status == RegistrationStatus.ATTENDED:
            raise ValidationError(
                f"Already checked in at {local_time(registration.checked_in_at, registration.event.time_zone)}."
            )
        if registration.status != RegistrationStatus.CONFIRMED:
            raise ValidationError(
                f"Only confirmed registrations can be checked in; this one is "
                f"{registration.get_status_display().lower()}."
            )
        registration.status = RegistrationStatus.ATTENDED
        registration.checked_in_at = now
        registration.save(update_fields=["status", "checked_in_at", "updated_at"])
    return registration


# The state a registration's person is emailed about, by its status (cancelled: none).
NOTIFIED_STATE = {
    RegistrationStatus.CONFIRMED: "confirmed",
    RegistrationStatus.WAITLISTED: "waitlisted",
}


def registration_notify(*, registration_id: int) -> str | None:
    """Email the person about their registration's current state, once per state.

    Returns the email sent ("confirmed", "waitlisted", "promoted", "event_cancelled") or None.
    """
    registration = (
        Registration.objects.select_related(
            "event", "event__platform", "user", "user__profile", "organisation"
        )
        .filter(pk=registration_id)
        .first()
    )
    if registration is None:
        return None
    previous = registration.notified_state
    if registration.event.status == EventStatus.CANCELLED:
        if registration.status not in {RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED}:
            return None
        state = kind = "event_cancelled"
    elif registration.status in NOTIFIED_STATE:
        state = kind = NOTIFIED_STATE[registration.status]
        if state == "confirmed" and previous == "waitlisted":
            kind = "promoted"
    else:
        return None
    if previous == state:
        return None
    claimed = Registration.objects.filter(pk=registration_id, notified_state=previous).update(
        notified_state=state
    )
    if not claimed:
        return None
    try:
        send_registration_email(registration, kind)
    except Exception as exc:
        verdict = classify_smtp_error(exc)
        if verdict.permanent:
            # The server refused this address or message for good: retrying (the task's
            # retries, the sweeper) would only be refused again. The claim stays.
            log.warning(
                "registration %s's %s email refused: %s", registration_id, kind, verdict.description
            )
            return None
        # Give the claim back so that the retry (or the sweeper) sends it.
        Registration.objects.filter(pk=registration_id, notified_state=state).update(
            notified_state=previous
        )
        raise
    return kind


def registration_notify_sweep(*, now=None) -> int:
    """Enqueue the email of every registration whose state its person has not been emailed
    about, changed between REGISTRATION_SWEEP_WINDOW_HOURS and
    REGISTRATION_SWEEP_GRACE_SECONDS ago, of an event not yet started nor cancelled (beat,
    every minute). It catches what the commit could not enqueue (the broker away) and a
    send whose retries ran out; the task's claim makes a duplicate harmless. Returns how
    many it enqueued (at most REGISTRATION_SWEEP_BATCH a run; the next run takes the rest),
    each registration at most once per REGISTRATION_SWEEP_EVERY_MINUTES.
    """
    from events.tasks import notify_registration

    now = now or timezone.now()
    unsent = Q()
    for status, state in NOTIFIED_STATE.items():
        unsent |= Q(status=status) & ~Q(notified_state=state)
    swept_before = now - dt.timedelta(minutes=settings.REGISTRATION_SWEEP_EVERY_MINUTES)
    ids = list(
        Registration.objects.filter(
            unsent,
            Q(notify_swept_at__isnull=True) | Q(notify_swept_at__lt=swept_before),
            updated_at__lte=now - dt.timedelta(seconds=settings.REGISTRATION_SWEEP_GRACE_SECONDS),
            updated_at__gte=now - dt.timedelta(hours=settings.REGISTRATION_SWEEP_WINDOW_HOURS),
            event__starts_at__gt=now,
        )
        .exclude(event__status=EventStatus.CANCELLED)
        .exclude(user__email="")
        .order_by("updated_at", "pk")
        .values_list("pk", flat=True)[: settings.REGISTRATION_SWEEP_BATCH]
    )
    # One UPDATE marks the batch (.update() leaves updated_at alone: the window still
    # counts from the change).
    Registration.objects.filter(pk__in=ids).update(notify_swept_at=now)
    for sent, pk in enumerate(ids):
        if not publish_or_log(
            lambda pk=pk: notify_registration.delay(pk), f"registration {pk}'s email"
        ):
            # The broker is away: give the rest their mark back, for the next run.
            Registration.objects.filter(pk__in=ids[sent:]).update(notify_swept_at=None)
            return sent
    return len(ids)
