"""Every write of events and registrations. Views, API, admin, tasks and demo call these.

Seats and waitlist positions change in one place per transaction: `_lock_event` takes the
event's row lock (`SELECT … FOR UPDATE`, late, with a `lock_timeout`), and the denormalised
counters `seats_taken` / `waitlist_length` are changed under it. The check constraint
`event_never_overbooked` and the unique constraints on registrations are the backstop.
"""

import zoneinfo
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from events.models import (
    ACTIVE_REGISTRATION,
    Event,
    EventStatus,
    EventVisibility,
    Registration,
    RegistrationStatus,
)
from members.models import Affiliation, Membership, Organisation

# How long a transaction waits for an event's row lock before giving up (PostgreSQL).
LOCK_TIMEOUT = "5s"

EVENT_FIELDS = {
    "platform",
    "kind",
    "slug",
    "title",
    "title_ja",
    "description",
    "description_ja",
    "starts_at",
    "ends_at",
    "time_zone",
    "venue",
    "address",
    "city",
    "country",
    "online_url",
    "capacity",
    "max_per_organisation",
    "registration_opens_at",
    "registration_closes_at",
    "visibility",
    "status",
}
EVENT_M2M = {"sectors", "organiser_users", "organiser_organisations"}
# A change to any of these is a new revision for calendar apps (RFC 5545 SEQUENCE).
SEQUENCE_FIELDS = {
    "starts_at",
    "ends_at",
    "time_zone",
    "venue",
    "address",
    "city",
    "country",
    "online_url",
    "status",
}


class EventBusy(Exception):
    """The event's lock could not be taken in time (very many people registering at once)."""

    message = "Many people are registering for this event right now; please try again."


# --- Hooks for the invitations feature -------------------------------------------------


def _has_invitation(event: Event, user: AbstractBaseUser) -> bool:
    """Whether `user` holds an accepted invitation to `event` (for their own address)."""
    from events.invitations.selectors import has_accepted_invitation

    return has_accepted_invitation(event=event, user=user)


# --- Helpers ------------------------------------------------------------------------------


def _lock_event(event_id: int) -> Event:
    """The single place where a transaction locks an event (must run inside atomic)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
    try:
        return Event.objects.select_for_update().get(pk=event_id)
    except OperationalError as exc:
        if getattr(getattr(exc, "__cause__", None), "sqlstate", None) == "55P03":
            raise EventBusy(EventBusy.message) from exc
        raise


def _require_staff(actor: AbstractBaseUser, what: str) -> None:
    if not (actor and actor.is_authenticated and actor.is_staff):
        raise PermissionDenied(f"Only staff can {what}.")


def local_time(event: Event, value) -> str:
    """A time as people at the event see it, e.g. '21 Nov 2025, 10:00 (Asia/Kolkata)'."""
    tz = zoneinfo.ZoneInfo(event.time_zone)
    return f"{value.astimezone(tz):%d %b %Y, %H:%M} ({event.time_zone})"


def _resolve_organisation(
    user: AbstractBaseUser, organisation: Organisation | None
) -> Organisation:
    affiliations = list(
        Affiliation.objects.filter(user=user, is_active=True).select_related("organisation")
    )
    if organisation is not None:
        for affiliation in affiliations:
            if affiliation.organisation_id == organisation.pk:
                return affiliation.organisation
        raise PermissionDenied(f"You do not represent {organisation}.")
    if not affiliations:
        raise ValidationError(
            {
                "organisation": "You register on behalf of an organisation, and you do not "
                "represent one yet. Register your organisation first."
            }
        )
    if len(affiliations) > 1:
        raise ValidationError(
            {
                "organisation": "You represent several organisations; choose the one you are "
                "registering for."
            }
        )
    return affiliations[0].organisation


def _check_open(event: Event, now) -> None:
    """Refuse registrations the event's status or registration window does not allow."""
    if event.status == EventStatus.DRAFT:
        raise ValidationError("This event has not been published yet; registration is not open.")
    if event.status == EventStatus.CANCELLED:
        raise ValidationError("This event has been cancelled.")
    if event.status == EventStatus.COMPLETED or event.ends_at <= now:
        raise ValidationError("This event has already taken place.")
    if event.registration_opens_at and now < event.registration_opens_at:
        raise ValidationError(
            f"Registration opens on {local_time(event, event.registration_opens_at)}."
        )
    closes = event.registration_closes_at or event.starts_at
    if now >= closes:
        raise ValidationError(f"Registration closed on {local_time(event, closes)}.")


def _check_visibility(
    event: Event, user: AbstractBaseUser, organisation: Organisation, via_invitation: bool
) -> None:
    if via_invitation or event.visibility == EventVisibility.PUBLIC:
        return
    if event.visibility == EventVisibility.MEMBERS:
        approved = Membership.objects.filter(
            organisation=organisation,
            platform_id=event.platform_id,
            status=Membership.Status.APPROVED,
        ).exists()
        if not approved:
            raise PermissionDenied(
                f"This event is for members of {event.platform} only, and {organisation} "
                f"is not an approved member."
            )
        return
    if not _has_invitation(event, user):
        raise PermissionDenied("This event is by invitation only.")


def _already_registered(existing: Registration) -> ValidationError:
    if existing.status == RegistrationStatus.WAITLISTED:
        return ValidationError(
            f"You are already on the waitlist for this event (position {existing.waitlist_position})."
        )
    return ValidationError("You are already registered for this event.")


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


def _promote(event: Event, now) -> list[int]:
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


def _notify_after_commit(registration_ids: Iterable[int]) -> None:
    from events.tasks import notify_registration

    for pk in registration_ids:
        transaction.on_commit(lambda pk=pk: notify_registration.delay(pk))


# --- Registrations ----------------------------------------------------------------------


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

    Confirmed while seats are free, otherwise waitlisted at the end of the line. The
    invitation-accept service passes `via_invitation=True`, which admits the person to
    invitation-only (and members-only) events.
    """
    user = user or actor
    if user.pk != actor.pk:
        _require_staff(actor, "register other people")
    via_invitation = via_invitation or allow_invitation_only
    organisation = _resolve_organisation(user, organisation)
    now = timezone.now()
    # Cheap refusals first, without the lock: most bad requests never wait for it.
    _check_open(event, now)
    _check_visibility(event, user, organisation, via_invitation)
    active = Registration.objects.filter(ACTIVE_REGISTRATION, event_id=event.pk, user=user)
    existing = active.first()
    if existing is not None:
        raise _already_registered(existing)

    with transaction.atomic():
        locked = _lock_event(event.pk)
        _check_open(locked, now)  # the status may have changed while we waited
        existing = active.first()
        if existing is not None:
            raise _already_registered(existing)
        if locked.max_per_organisation is not None:
            held = Registration.objects.filter(
                ACTIVE_REGISTRATION, event_id=locked.pk, organisation=organisation
            ).count()
            if held >= locked.max_per_organisation:
                raise ValidationError(
                    f"{organisation} already holds {held} of the "
                    f"{locked.max_per_organisation} places one organisation may take at "
                    f"this event."
                )
        registration = Registration(
            event=locked, user=user, organisation=organisation, via_invitation=via_invitation
        )
        if locked.capacity is None or locked.seats_taken < locked.capacity:
            registration.status = RegistrationStatus.CONFIRMED
            registration.confirmed_at = now
            counter = {"seats_taken": F("seats_taken") + 1}
        else:
            registration.status = RegistrationStatus.WAITLISTED
            registration.waitlist_position = locked.waitlist_length + 1
            counter = {"waitlist_length": F("waitlist_length") + 1}
        try:
            with transaction.atomic():
                registration.save()
        except IntegrityError:
            # Only reachable if a write bypassed the lock; the constraint keeps data right.
            raise ValidationError("You are already registered for this event.")
        Event.objects.filter(pk=locked.pk).update(**counter)
        _notify_after_commit([registration.pk])
    event.seats_taken = locked.seats_taken + (registration.status == RegistrationStatus.CONFIRMED)
    event.waitlist_length = locked.waitlist_length + (
        registration.status == RegistrationStatus.WAITLISTED
    )
    return registration


def registration_cancel(*, actor: AbstractBaseUser, registration: Registration) -> Registration:
    """Cancel a registration; a freed seat goes to the first person on the waitlist."""
    if registration.user_id != actor.pk and not actor.is_staff:
        raise PermissionDenied("You can only cancel your own registrations.")
    now = timezone.now()
    with transaction.atomic():
        event = _lock_event(registration.event_id)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status == RegistrationStatus.CANCELLED:
            raise ValidationError("This registration is already cancelled.")
        if registration.status == RegistrationStatus.ATTENDED:
            raise ValidationError(
                "You have been checked in; the registration can no longer be cancelled."
            )
        if not actor.is_staff and event.starts_at <= now:
            raise ValidationError(
                "The event has already started; the registration can no longer be cancelled."
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
            promoted = _promote(event, now)
        else:
            _shift_waitlist(event.pk, after=position, by=1)
            Event.objects.filter(pk=event.pk).update(waitlist_length=F("waitlist_length") - 1)
            event.waitlist_length -= 1
            promoted = []
        _notify_after_commit(promoted)
    return registration


def registration_cancel_for_event(*, actor: AbstractBaseUser, event: Event) -> Registration:
    """Cancel the actor's own active registration for `event`."""
    registration = Registration.objects.filter(
        ACTIVE_REGISTRATION, event_id=event.pk, user=actor
    ).first()
    if registration is None:
        raise ValidationError("You are not registered for this event.")
    return registration_cancel(actor=actor, registration=registration)


def registration_check_in(*, actor: AbstractBaseUser, registration: Registration) -> Registration:
    """Staff mark a confirmed registration as attended."""
    _require_staff(actor, "check people in")
    now = timezone.now()
    with transaction.atomic():
        _lock_event(registration.event_id)
        registration = Registration.objects.select_related("event").get(pk=registration.pk)
        if registration.status == RegistrationStatus.ATTENDED:
            raise ValidationError(
                f"Already checked in at {local_time(registration.event, registration.checked_in_at)}."
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


def registration_notify(*, registration_id: int) -> str | None:
    """Email the person about their registration's current state, once per state.

    Returns the email sent ("confirmed", "waitlisted", "promoted", "event_cancelled") or None.
    """
    from events.emails import send_registration_email

    registration = (
        Registration.objects.select_related("event", "event__platform", "user", "organisation")
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
    elif registration.status == RegistrationStatus.CONFIRMED:
        state = "confirmed"
        kind = "promoted" if previous == "waitlisted" else "confirmed"
    elif registration.status == RegistrationStatus.WAITLISTED:
        state = kind = "waitlisted"
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
    except Exception:
        # Give the claim back so that the retry sends it.
        Registration.objects.filter(pk=registration_id, notified_state=state).update(
            notified_state=previous
        )
        raise
    return kind


# --- Events -----------------------------------------------------------------------------


def _unique_slug(title: str) -> str:
    base = slugify(title)[:100] or "event"
    slug, n = base, 1
    while Event.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _set_m2m(event: Event, values: dict) -> None:
    for field in EVENT_M2M & values.keys():
        getattr(event, field).set(values[field])


def _check_unknown(values: dict) -> None:
    unknown = values.keys() - EVENT_FIELDS - EVENT_M2M
    if unknown:
        raise TypeError(f"Unknown event fields: {sorted(unknown)}")


@transaction.atomic
def event_create(*, actor: AbstractBaseUser, **values) -> Event:
    _require_staff(actor, "create events")
    _check_unknown(values)
    fields = {k: v for k, v in values.items() if k in EVENT_FIELDS}
    event = Event(**fields)
    if not event.slug:
        event.slug = _unique_slug(event.title)
    event.full_clean()
    event.save()
    _set_m2m(event, values)
    return event


def event_update(*, actor: AbstractBaseUser, event: Event, **values) -> Event:
    """Change an event. Raising the capacity promotes from the waitlist; cancelling the
    event notifies every registrant; times, venue and status changes bump `sequence`."""
    _require_staff(actor, "change events")
    _check_unknown(values)
    now = timezone.now()
    with transaction.atomic():
        locked = _lock_event(event.pk)
        old_status = locked.status
        changed = [f for f in EVENT_FIELDS & values.keys() if getattr(locked, f) != values[f]]
        for field in changed:
            setattr(locked, field, values[field])
        if (
            "capacity" in changed
            and locked.capacity is not None
            and locked.capacity < locked.seats_taken
        ):
            raise ValidationError(
                {
                    "capacity": f"{locked.seats_taken} people are already confirmed, so the "
                    f"capacity cannot be lower than that. Cancel registrations first."
                }
            )
        if "status" in changed:
            _check_status_change(old_status, locked.status)
        locked.full_clean(validate_constraints=False)
        if changed:
            if SEQUENCE_FIELDS & set(changed):
                locked.sequence += 1
                changed.append("sequence")
            locked.save(update_fields=[*changed, "updated_at"])
        _set_m2m(locked, values)
        promoted = []
        if {"capacity", "status"} & set(changed):
            promoted = _promote(locked, now)
        _notify_after_commit(promoted)
        if "status" in changed and locked.status == EventStatus.CANCELLED:
            from events.tasks import notify_event_cancelled

            transaction.on_commit(lambda: notify_event_cancelled.delay(locked.pk))
    for field in [*changed, "seats_taken", "waitlist_length", "sequence", "updated_at"]:
        setattr(event, field, getattr(locked, field))
    return event


STATUS_TRANSITIONS = {
    EventStatus.DRAFT: {EventStatus.PUBLISHED, EventStatus.CANCELLED},
    EventStatus.PUBLISHED: {EventStatus.CANCELLED, EventStatus.COMPLETED, EventStatus.DRAFT},
    EventStatus.CANCELLED: {EventStatus.PUBLISHED},
    EventStatus.COMPLETED: {EventStatus.PUBLISHED},
}


def _check_status_change(old: str, new: str) -> None:
    if new not in STATUS_TRANSITIONS.get(old, set()):
        raise ValidationError(
            {
                "status": f"A {EventStatus(old).label.lower()} event cannot become "
                f"{EventStatus(new).label.lower()}."
            }
        )


def event_publish(*, actor: AbstractBaseUser, event: Event) -> Event:
    return event_update(actor=actor, event=event, status=EventStatus.PUBLISHED)


def event_cancel(*, actor: AbstractBaseUser, event: Event) -> Event:
    """Cancel an event; every confirmed and waitlisted registrant is emailed."""
    return event_update(actor=actor, event=event, status=EventStatus.CANCELLED)


def event_notify_cancelled(*, event_id: int) -> int:
    """Email every registrant of a cancelled event (each at most once)."""
    ids = Registration.objects.filter(
        event_id=event_id,
        event__status=EventStatus.CANCELLED,
        status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED],
    ).values_list("pk", flat=True)
    return sum(1 for pk in list(ids) if registration_notify(registration_id=pk))


def event_recount(*, event_id: int) -> Event:
    """Recompute the counters from the registrations (for bulk loads and repairs)."""
    with transaction.atomic():
        event = _lock_event(event_id)
        regs = Registration.objects.filter(event_id=event_id)
        event.seats_taken = regs.filter(
            status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED]
        ).count()
        event.waitlist_length = regs.filter(status=RegistrationStatus.WAITLISTED).count()
        event.save(update_fields=["seats_taken", "waitlist_length"])
    return event


# --- Calendar feed tokens ---------------------------------------------------------------


def calendar_feed_token_get(*, user: AbstractBaseUser):
    from events.models import CalendarFeedToken

    token, _ = CalendarFeedToken.objects.get_or_create(user=user)
    return token


def calendar_feed_token_rotate(*, user: AbstractBaseUser):
    """Revoke the current feed URL by issuing a new secret."""
    from events.models import CalendarFeedToken, new_feed_token

    token, created = CalendarFeedToken.objects.get_or_create(user=user)
    if not created:
        token.token = new_feed_token()
        token.save(update_fields=["token", "created_at"])
    return token
