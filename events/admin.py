import datetime as dt
import zoneinfo

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.functional import cached_property

from events import selectors, services
from events.models import (
    EVENT_WHEN_WHERE,
    CalendarFeedToken,
    Event,
    Registration,
    RegistrationReminder,
)
from events.services.events import EVENT_FIELDS
from forum_site.admin_actions import error_text, service_action
from forum_site.i18n import local_time, time_zone_choices
from forum_site.spreadsheets import csv_response


class RegistrationInline(admin.TabularInline):
    """Registrations are read here; seats change only through the services (actions)."""

    model = Registration
    extra = 0
    fields = [
        "user",
        "organisation",
        "status",
        "waitlist_position",
        "created_at",
        "confirmed_at",
        "cancelled_at",
        "checked_in_at",
    ]
    readonly_fields = fields
    can_delete = False
    show_change_link = True
    ordering = ["status", "waitlist_position", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "organisation")


# The event's moments that staff type as wall-clock times of the event's own zone.
LOCAL_TIMES = ["starts_at", "ends_at", "registration_opens_at", "registration_closes_at"]


class WallClockField(forms.SplitDateTimeField):
    """A date and a time as typed, without a zone: the form gives them the event's zone
    (not the zone of the staff member's browser or profile)."""

    widget = AdminSplitDateTime

    def compress(self, data_list):
        if data_list and data_list[0] is not None and data_list[1] is not None:
            return dt.datetime.combine(*data_list)
        return super().compress(data_list)


class EventAdminForm(forms.ModelForm):
    """Times are entered and shown in the event's time zone (the field labels name it)."""

    online_url = forms.URLField(required=False, assume_scheme="https", max_length=200)
    time_zone = forms.ChoiceField(
        choices=time_zone_choices,
        initial="Asia/Kolkata",
        help_text="The event's own time zone: the times below are in this zone.",
    )
    starts_at = WallClockField()
    ends_at = WallClockField()
    registration_opens_at = WallClockField(required=False)
    registration_closes_at = WallClockField(
        required=False, help_text="Empty: registration closes when the event starts."
    )

    class Meta:
        model = Event
        fields = "__all__"  # noqa: DJ007 (the admin narrows this with its fieldsets)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zone = self.instance.time_zone if self.instance.pk else None
        labels = {
            "starts_at": "Starts",
            "ends_at": "Ends",
            "registration_opens_at": "Registration opens",
            "registration_closes_at": "Registration closes",
        }
        for name in LOCAL_TIMES:
            self.fields[name].label = f"{labels[name]} ({zone or 'event time zone'})"
            value = getattr(self.instance, name) if self.instance.pk else None
            if value is not None:
                # Shown as the event's wall clock, whatever zone the staff member is in.
                self.initial[name] = value.astimezone(zoneinfo.ZoneInfo(zone)).replace(tzinfo=None)

    @cached_property
    def changed_data(self):
        changed = super().changed_data
        if "time_zone" in changed:
            # The same wall-clock time in another zone is another moment.
            changed += [f for f in LOCAL_TIMES if f not in changed]
        return changed

    def clean(self):
        cleaned = super().clean()
        zone = zoneinfo.ZoneInfo(cleaned.get("time_zone") or self.instance.time_zone or "UTC")
        for name in LOCAL_TIMES:
            value = cleaned.get(name)
            if value is not None and timezone.is_naive(value):
                cleaned[name] = value.replace(tzinfo=zone)
        return cleaned

    def clean_capacity(self):
        capacity = self.cleaned_data.get("capacity")
        taken = self.instance.seats_taken if self.instance.pk else 0
        if capacity is not None and capacity < taken:
            raise forms.ValidationError(
                f"{taken} people are already confirmed, so the capacity cannot be lower "
                f"than that. Cancel registrations first."
            )
        return capacity


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    form = EventAdminForm
    list_display = [
        "title",
        "platform",
        "kind",
        "starts_local",
        "city",
        "status",
        "visibility",
        "capacity",
        "seats_taken",
        "waitlist_length",
    ]
    list_filter = ["platform", "status", "kind", "visibility", "starts_at", "country"]
    date_hierarchy = "starts_at"
    search_fields = ["title", "title_ja", "city", "venue", "slug"]
    list_select_related = ["platform"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["sectors", "organiser_users", "organiser_organisations"]
    readonly_fields = ["seats_taken", "waitlist_length", "sequence", "created_at", "updated_at"]
    inlines = [RegistrationInline]
    actions = ["publish", "cancel_events", "export_attendees"]
    fieldsets = [
        (
            None,
            {"fields": ["platform", "kind", "title", "title_ja", "slug", "status", "visibility"]},
        ),
        (
            "When and where",
            # The zone first: the times after it are typed in that zone.
            {"fields": ["time_zone", *(f for f in EVENT_WHEN_WHERE if f != "time_zone")]},
        ),
        (
            "Registration",
            {
                "fields": [
                    "capacity",
                    "max_per_organisation",
                    "registration_opens_at",
                    "registration_closes_at",
                    "seats_taken",
                    "waitlist_length",
                ]
            },
        ),
        (
            "Description",
            {
                "fields": [
                    "description",
                    "description_ja",
                    "sectors",
                    "organiser_users",
                    "organiser_organisations",
                ]
            },
        ),
        ("Calendar", {"fields": ["sequence", "created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    @admin.display(description="Starts (event's local time)", ordering="starts_at")
    def starts_local(self, obj: Event) -> str:
        return local_time(obj.starts_at, obj.time_zone)

    def save_model(self, request, obj, form, change):
        values = {f: form.cleaned_data[f] for f in form.changed_data if f in EVENT_FIELDS}
        try:
            if change:
                services.event_update(actor=request.user, event=obj, **values)
            else:
                created = services.event_create(
                    actor=request.user,
                    **{f: form.cleaned_data[f] for f in EVENT_FIELDS if f in form.cleaned_data},
                )
                obj.pk = created.pk
                obj._state.adding = False
        except (ValidationError, PermissionDenied) as exc:
            # The form validated already; a service refusal (e.g. capacity below seats
            # taken) is shown instead of a 500, and nothing changed.
            self.message_user(request, error_text(exc), messages.ERROR)
            obj._service_refused = True

    def save_related(self, request, form, formsets, change):
        if getattr(form.instance, "_service_refused", False):
            return
        super().save_related(request, form, formsets, change)
        form.instance.refresh_from_db()

    publish = service_action(
        "Publish selected events",
        lambda actor, event: services.event_publish(actor=actor, event=event),
        done="{n} event(s) published.",
    )
    cancel_events = service_action(
        "Cancel selected events and notify registrants",
        lambda actor, event: services.event_cancel(actor=actor, event=event),
        done="{n} event(s) cancelled; registrants are being notified.",
    )

    @admin.action(description="Export attendees of selected events (CSV)")
    def export_attendees(self, request, queryset):
        header = [
            "event",
            "registration",
            "name",
            "email",
            "organisation",
            "country",
            "status",
            "waitlist_position",
            "registered_at",
            "checked_in_at",
        ]
        rows = (
            [event.title, *(row[h] for h in header[1:])]
            for event in queryset.order_by("starts_at", "id")
            for row in selectors.attendee_rows(event=event)
        )
        # Names that look like formulas stay text (forum_site/spreadsheets.py).
        return csv_response("attendees.csv", header, rows)


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "organisation",
        "event",
        "status",
        "waitlist_position",
        "created_at",
        "checked_in_at",
    ]
    list_filter = ["status", "event__platform", "event__starts_at"]
    search_fields = [
        "user__username",
        "user__email",
        "user__last_name",
        "organisation__name",
        "event__title",
    ]
    list_select_related = ["user", "organisation", "event"]
    readonly_fields = [
        "event",
        "user",
        "organisation",
        "status",
        "waitlist_position",
        "via_invitation",
        "created_at",
        "confirmed_at",
        "cancelled_at",
        "checked_in_at",
        "notified_state",
    ]
    actions = ["check_in", "cancel_registrations"]

    def has_add_permission(self, request):
        # Registrations are made by people (or invitations) through the services.
        return False

    check_in = service_action(
        "Check in (mark attended)",
        lambda actor, r: services.registration_check_in(actor=actor, registration=r),
        done="{n} registration(s) checked in.",
    )
    cancel_registrations = service_action(
        "Cancel (frees the seat for the waitlist)",
        lambda actor, r: services.registration_cancel(actor=actor, registration=r),
        done="{n} registration(s) cancelled.",
    )


@admin.register(CalendarFeedToken)
class CalendarFeedTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    search_fields = ["user__username", "user__email"]
    readonly_fields = ["user", "token", "created_at"]
    actions = ["rotate"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Revoke (issue a new secret URL)")
    def rotate(self, request, queryset):
        for feed in queryset:
            services.calendar_feed_token_rotate(user=feed.user)
        self.message_user(request, f"{queryset.count()} feed URL(s) revoked.")


@admin.register(RegistrationReminder)
class RegistrationReminderAdmin(admin.ModelAdmin):
    list_display = ["registration", "sent_at"]
    search_fields = ["registration__user__email", "registration__event__title"]
    list_select_related = ["registration__user", "registration__event"]
    readonly_fields = ["registration", "sent_at"]

    def has_add_permission(self, request):
        return False
