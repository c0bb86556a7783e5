"""Reads of events and registrations shared by the API, the pages, the admin and tasks."""

from collections.abc import Collection

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection
from django.db.models import Case, CharField, F, IntegerField, Q, QuerySet, Subquery, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from events.models import (
    ACTIVE_REGISTRATION,
    Event,
    EventStatus,
    EventVisibility,
    Registration,
    RegistrationStatus,
)
from members.models import Membership, Sector
from members.selectors import organisation_ids_represented

LISTED_STATUSES = [EventStatus.PUBLISHED, EventStatus.COMPLETED, EventStatus.CANCELLED]


def approved_memberships() -> QuerySet[Membership]:
    """Memberships that count: an approved member of a platform may register for its
    members-only events."""
    return Membership.objects.filter(status=Membership.Status.APPROVED)


def member_platform_ids(user: AbstractBaseUser) -> QuerySet:
    """Platforms where one of the person's organisations is an approved member (subquery)."""
    return (
        approved_memberships()
        .filter(organisation_id__in=organisation_ids_represented(user))
        .values("platform_id")
    )


def event_visibility_q(user: AbstractBaseUser | AnonymousUser | None) -> Q:
    """Which events a person may see. Staff: all. Others: never drafts; public and
    members-only events (outsiders read a members-only event and are told how to join;
    registering still needs a membership: `organisations_admitted`); invitation-only
    events only when they are registered for them.

    One Q built from subqueries, so the list costs no extra query per user.
    """
    if user is not None and user.is_authenticated and user.is_staff:
        return Q()
    listed = Q(status__in=LISTED_STATUSES)
    open_to_read = Q(visibility__in=[EventVisibility.PUBLIC, EventVisibility.MEMBERS])
    if user is None or not user.is_authenticated:
        return listed & open_to_read
    return listed & (
        open_to_read | Q(pk__in=Registration.objects.filter(user=user).values("event_id"))
    )


def organisations_admitted(
    *, event: Event, user: AbstractBaseUser, organisation_ids: Collection[int]
) -> set[int]:
    """Of `organisation_ids`, those `user` may register `event` for, by its visibility:
    any for a public event; approved members of the event's platform for a members-only
    one; any once the person was admitted through an invitation for an invitation-only
    one. (The invitations app admits people by registering them with `via_invitation`.)
    """
    wanted = set(organisation_ids)
    if not wanted or event.visibility == EventVisibility.PUBLIC:
        return wanted
    if event.visibility == EventVisibility.MEMBERS:
        return set(
            approved_memberships()
            .filter(organisation_id__in=wanted, platform_id=event.platform_id)
            .values_list("organisation_id", flat=True)
        )
    admitted = Registration.objects.filter(event_id=event.pk, user=user, via_invitation=True)
    return wanted if admitted.exists() else set()


def member_platform_id_set(user: AbstractBaseUser | AnonymousUser) -> set[int]:
    """The platforms the person's organisations are approved members of (one query; none
    for anonymous visitors): pages use it to tell outsiders how to join."""
    if not user.is_authenticated:
        return set()
    return set(member_platform_ids(user).values_list("platform_id", flat=True))


def online_link_q(user: AbstractBaseUser | AnonymousUser | None) -> Q:
    """Whose eyes an event's online link is for: everyone for a public event; staff; the
    people of approved members for a members-only one; the registered for an
    invitation-only one (only they see the event at all)."""
    if user is not None and user.is_authenticated and user.is_staff:
        return Q(pk__isnull=False)  # every event (When() needs a condition)
    public = Q(visibility=EventVisibility.PUBLIC)
    if user is None or not user.is_authenticated:
        return public
    return (
        public
        | Q(visibility=EventVisibility.MEMBERS, platform_id__in=member_platform_ids(user))
        | Q(visibility=EventVisibility.INVITATION)
    )


def event_rows_for_user(user) -> QuerySet[Event]:
    """Visible events without joins: for `.values()` lists (the count query stays cheap).
    Each carries `online_link`: its online URL, or "" where the reader may not have it."""
    return Event.objects.filter(event_visibility_q(user)).annotate(
        online_link=Case(
            When(online_link_q(user), then=F("online_url")),
            default=Value(""),
            output_field=CharField(),
        )
    )


class CountOf(Subquery):
    """COUNT(*) of a queryset's rows as a scalar subquery: annotated on a page, the total
    comes with the page's rows (PostgreSQL runs it once) instead of in a query of its own."""

    template = "(SELECT count(*) FROM (%(subquery)s) _count)"
    output_field = IntegerField()


def sector_slugs_by_event(event_ids: list[int]) -> dict[int, list[str]]:
    """The sector slugs of these events, sorted, in one query. Hand-written: built by the ORM
    (an IN over a page of related ids) it cost twice what PostgreSQL needs to run it."""
    if not event_ids:
        return {}
    sql = (
        f"SELECT es.event_id, s.slug FROM {Event.sectors.through._meta.db_table} es "
        f"JOIN {Sector._meta.db_table} s ON s.id = es.sector_id "
        f"WHERE es.event_id IN ({', '.join(['%s'] * len(event_ids))}) ORDER BY s.slug"
    )
    slugs: dict[int, list[str]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, list(event_ids))
        for event_id, slug in cursor.fetchall():
            slugs.setdefault(event_id, []).append(slug)
    return slugs


def event_list_for_user(user) -> QuerySet[Event]:
    return event_rows_for_user(user).select_related("platform")


def event_get_for_user(*, user, pk: int, details: bool = True) -> Event:
    """The event, if `user` may see it (404 otherwise). Without `details` — its sectors,
    organisers and the reader's `online_link`: two more queries and the costliest part of
    the query to build — for what shows none of them (registering, cancelling)."""
    if not details:
        events = Event.objects.filter(event_visibility_q(user)).select_related("platform")
        return get_object_or_404(events, pk=pk)
    events = event_list_for_user(user).prefetch_related("sectors", "organiser_organisations")
    return get_object_or_404(events, pk=pk)


def upcoming_events_for_user(user) -> QuerySet[Event]:
    return (
        event_list_for_user(user)
        .filter(ends_at__gte=timezone.now())
        .exclude(status=EventStatus.CANCELLED)
        .order_by("starts_at", "id")
    )


def active_registration(*, event: Event, user) -> Registration | None:
    if not user.is_authenticated:
        return None
    return (
        Registration.objects.filter(ACTIVE_REGISTRATION, event=event, user=user)
        .select_related("organisation")
        .first()
    )


def registration_list_for_user(user) -> QuerySet[Registration]:
    """A person's own registrations (staff use the attendee list of each event instead)."""
    return (
        Registration.objects.filter(user=user)
        .select_related("event", "event__platform", "organisation")
        .order_by("-event__starts_at", "-id")
    )


def upcoming_registrations_for_user(user, *, now) -> QuerySet[Registration]:
    """My active registrations for events not yet over, soonest first."""
    return (
        registration_list_for_user(user)
        .filter(ACTIVE_REGISTRATION, event__ends_at__gte=now)
        .exclude(event__status=EventStatus.DRAFT)
        .order_by("event__starts_at", "id")
    )


def past_registrations_for_user(user, *, now, limit: int = 50) -> QuerySet[Registration]:
    """My cancelled registrations and those of events that are over, latest first."""
    return (
        registration_list_for_user(user)
        .filter(~ACTIVE_REGISTRATION | Q(event__ends_at__lt=now))
        .exclude(event__status=EventStatus.DRAFT)[:limit]
    )


def registration_get_for_user(*, user, pk: int) -> Registration:
    return get_object_or_404(registration_list_for_user(user), pk=pk)


def event_attendees(*, event: Event, status: str | None = None) -> QuerySet[Registration]:
    qs = Registration.objects.filter(event=event).select_related("user", "organisation")
    if status:
        qs = qs.filter(status=status)
    else:
        qs = qs.filter(ACTIVE_REGISTRATION)
    return qs.order_by("status", "waitlist_position", "created_at", "id")


def attendee_rows(*, event: Event, status: str | None = None) -> list[dict]:
    """Plain rows for the attendee list and its CSV export."""
    rows = []
    for r in event_attendees(event=event, status=status):
        rows.append(
            {
                "registration": r.pk,
                "name": r.user.get_full_name() or r.user.get_username(),
                "email": r.user.email,
                "organisation": r.organisation.name,
                "country": r.organisation.country,
                "status": r.status,
                "waitlist_position": r.waitlist_position,
                "registered_at": r.created_at.isoformat(),
                "checked_in_at": r.checked_in_at.isoformat() if r.checked_in_at else None,
            }
        )
    return rows


def feed_events_for_user(user) -> QuerySet[Event]:
    """Events a person's calendar feed shows: those they hold a confirmed seat for."""
    return (
        Event.objects.filter(
            registrations__user=user,
            registrations__status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED],
        )
        .exclude(status=EventStatus.DRAFT)
        .distinct()
        .order_by("starts_at", "id")
    )


def platform_public_events(*, slug: str) -> QuerySet[Event]:
    events = Event.objects.filter(
        platform__slug=slug, visibility=EventVisibility.PUBLIC, status__in=LISTED_STATUSES
    ).order_by("starts_at", "id")
    return events


def registration_for_staff(*, event: Event, pk: int) -> Registration:
    try:
        return Registration.objects.select_related("event").get(event=event, pk=pk)
    except Registration.DoesNotExist:
        raise Http404("No such registration for this event.")
