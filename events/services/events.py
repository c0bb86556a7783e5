"""Creating and changing events (staff). Capacity and status changes promote from the
waitlist under the event's lock (see registrations.py)."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from events.models import EVENT_WHEN_WHERE, Event, EventStatus, Registration, RegistrationStatus
from events.services.registrations import (
    lock_event,
    notify_after_commit,
    promote,
    registration_notify,
)
from forum_site.permissions import require_staff

# The fields staff may set (the counters and `sequence` are the services' own).
EVENT_FIELDS = {
    "platform",
    "kind",
    "slug",
    "title",
    "title_ja",
    "description",
    "description_ja",
    *EVENT_WHEN_WHERE,
    "capacity",
    "max_per_organisation",
    "registration_opens_at",
    "registration_closes_at",
    "visibility",
    "status",
}
EVENT_M2M = {"sectors", "organiser_users", "organiser_organisations"}
SEQUENCE_FIELDS = {*EVENT_WHEN_WHERE, "status"}


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
    require_staff(actor, "create events")
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
    require_staff(actor, "change events")
    _check_unknown(values)
    now = timezone.now()
    with transaction.atomic():
        locked = lock_event(event.pk)
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
            promoted = promote(locked, now)
        notify_after_commit(promoted)
        if "status" in changed and locked.status == EventStatus.CANCELLED:
            # The task module imports this one (a service and its own task).
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
        event = lock_event(event_id)
        regs = Registration.objects.filter(event_id=event_id)
        event.seats_taken = regs.filter(
            status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED]
        ).count()
        event.waitlist_length = regs.filter(status=RegistrationStatus.WAITLISTED).count()
        event.save(update_fields=["seats_taken", "waitlist_length"])
    return event
