"""Admin of delegations: review applications, manage hosts (and their sites) and requests,
run the scheduler. Schedule versions, their grid and site visits are in admin_schedules.py.
Actions and saves go through the services."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html

from events.delegations import services
from events.delegations.admin_schedules import REFUSALS, HostSiteInline
from events.delegations.models import (
    ApplicationStatus,
    DelegateUnavailability,
    Delegation,
    DelegationApplication,
    DelegationBreak,
    DelegationDay,
    DelegationHost,
    GroupActivity,
    HostUnavailability,
    MeetingRequest,
)
from forum_site.admin_actions import error_text, run_each


class DayInline(admin.TabularInline):
    model = DelegationDay
    extra = 0


class BreakInline(admin.TabularInline):
    model = DelegationBreak
    extra = 0


class GroupActivityInline(admin.TabularInline):
    model = GroupActivity
    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "day":
            delegation_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = DelegationDay.objects.filter(delegation_id=delegation_id or 0)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "direction",
        "status",
        "places",
        "accepted_count",
        "published",
        "versions_link",
    ]
    list_filter = ["status", "direction", "platform"]
    search_fields = ["title", "title_ja", "slug", "days__city"]
    list_select_related = ["platform", "published_version"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["sectors"]
    readonly_fields = ["accepted_count", "published_version", "created_at", "updated_at"]
    inlines = [DayInline, BreakInline, GroupActivityInline]
    actions = ["run_scheduler", "invite_hosts"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "platform",
                    "title",
                    "title_ja",
                    "slug",
                    "direction",
                    "status",
                    "sectors",
                    "description",
                    "description_ja",
                ]
            },
        ),
        (
            "Places and applications",
            {
                "fields": [
                    "places",
                    "accepted_count",
                    "applications_open_at",
                    "applications_close_at",
                    "requests_close_at",
                ]
            },
        ),
        (
            "Daily meeting grid",
            {"fields": ["first_slot_start", "last_slot_end", "slot_minutes"]},
        ),
        ("Schedule", {"fields": ["published_version", "created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .defer("published_version__problem", "published_version__solution")
        )

    @admin.display(description="Published", boolean=True)
    def published(self, obj):
        return obj.published_version_id is not None

    @admin.display(description="Schedules")
    def versions_link(self, obj):
        url = (
            reverse("admin:delegations_scheduleversion_changelist")
            + f"?delegation__id__exact={obj.pk}"
        )
        return format_html('<a href="{}">versions</a>', url)

    @admin.action(description="Run the scheduler (creates a new schedule version)")
    def run_scheduler(self, request, queryset):
        for delegation in queryset:
            try:
                version = services.schedule_run(actor=request.user, delegation=delegation)
            except REFUSALS as exc:
                self.message_user(request, f"{delegation}: {error_text(exc)}", messages.ERROR)
                continue
            version.refresh_from_db()
            url = reverse("admin:delegations_scheduleversion_change", args=[version.pk])
            self.message_user(
                request,
                format_html(
                    '{}: schedule version {} is {} — <a href="{}">see it</a>.',
                    delegation,
                    version.number,
                    version.get_status_display().lower(),
                    url,
                ),
            )

    @admin.action(description="Invite hosts… (organisations of the visited country)")
    def invite_hosts(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Choose exactly one delegation.", messages.ERROR)
            return None
        return redirect("admin:invitations_invitation_invite_hosts", queryset.get().pk)


def _decide(status):
    def action(modeladmin, request, queryset):
        done, errors = services.application_decide_many(
            actor=request.user, applications=queryset.select_related("organisation"), status=status
        )
        for error in errors:
            modeladmin.message_user(request, error, messages.ERROR)
        modeladmin.message_user(request, f"{done} application(s) {status}.")

    action.__name__ = f"mark_{status}"
    label = ApplicationStatus(status).label.lower()
    return admin.action(description=f"Mark as {label} (emails the applicant)")(action)


class DelegateUnavailabilityInline(admin.TabularInline):
    model = DelegateUnavailability
    extra = 0


@admin.register(DelegationApplication)
class DelegationApplicationAdmin(admin.ModelAdmin):
    list_display = ["organisation", "delegation", "status", "created_at", "reviewer", "decided_at"]
    list_filter = ["status", "delegation", "organisation__country"]
    search_fields = ["organisation__name", "delegation__title", "objectives"]
    list_select_related = ["organisation", "delegation", "reviewer"]
    filter_horizontal = ["representatives", "preferred_counterparts", "offers", "seeks"]
    inlines = [DelegateUnavailabilityInline]
    readonly_fields = [
        "offers_text",
        "seeks_text",
        "status",
        "submitted_by",
        "reviewer",
        "decided_at",
        "created_at",
        "updated_at",
    ]
    autocomplete_fields = ["organisation"]
    actions = [
        _decide(ApplicationStatus.SHORTLISTED),
        _decide(ApplicationStatus.ACCEPTED),
        _decide(ApplicationStatus.WAITLISTED),
        _decide(ApplicationStatus.REJECTED),
    ]

    def has_add_permission(self, request):
        # Organisations apply through the API (application_submit checks the rules).
        return False


class HostUnavailabilityInline(admin.TabularInline):
    model = HostUnavailability
    extra = 0


class DelegationHostForm(forms.ModelForm):
    class Meta:
        model = DelegationHost
        fields = ["delegation", "organisation", "days", "representatives", "note"]

    def clean(self):
        data = super().clean()
        delegation, organisation = data.get("delegation"), data.get("organisation")
        if delegation and organisation:
            # The services' rule; its field errors land on the form's fields.
            services.validate_host(
                delegation=delegation, organisation=organisation, days=data.get("days", [])
            )
        return data


@admin.register(DelegationHost)
class DelegationHostAdmin(admin.ModelAdmin):
    form = DelegationHostForm
    list_display = ["organisation", "delegation", "cities"]
    list_filter = ["delegation"]
    search_fields = ["organisation__name", "delegation__title"]
    list_select_related = ["organisation", "delegation"]
    filter_horizontal = ["days", "representatives"]
    autocomplete_fields = ["organisation"]
    inlines = [HostUnavailabilityInline, HostSiteInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("days")

    @admin.display(description="Cities")
    def cities(self, obj):
        return ", ".join(sorted({d.city for d in obj.days.all()})) or "all days"


class MeetingRequestForm(forms.ModelForm):
    class Meta:
        model = MeetingRequest
        fields = [
            "delegation",
            "from_organisation",
            "to_organisation",
            "priority",
            "note",
            "dropped",
            "pinned_day",
            "pinned_start",
        ]

    def clean(self):
        data = super().clean()
        delegation = data.get("delegation") or self.instance.delegation
        try:
            if (
                not self.instance.pk
                and data.get("from_organisation")
                and data.get("to_organisation")
            ):
                services.validate_pair(
                    delegation=delegation,
                    from_organisation=data["from_organisation"],
                    to_organisation=data["to_organisation"],
                )
            if delegation:
                services.validate_pin(
                    delegation=delegation,
                    day=data.get("pinned_day"),
                    start=data.get("pinned_start"),
                )
        except (ValidationError, PermissionDenied) as exc:
            raise forms.ValidationError(error_text(exc)) from exc
        return data


@admin.register(MeetingRequest)
class MeetingRequestAdmin(admin.ModelAdmin):
    form = MeetingRequestForm
    list_display = [
        "from_organisation",
        "to_organisation",
        "delegation",
        "priority",
        "answer",
        "dropped",
        "pinned_day",
        "pinned_start",
    ]
    list_filter = ["delegation", "priority", "answer", "dropped"]
    search_fields = ["from_organisation__name", "to_organisation__name", "note"]
    list_select_related = ["from_organisation", "to_organisation", "delegation", "pinned_day"]
    autocomplete_fields = ["from_organisation", "to_organisation"]
    actions = ["drop", "restore"]

    def get_readonly_fields(self, request, obj=None):
        answer = ["answer", "answered_at", "answered_by"]
        return ["delegation", "from_organisation", "to_organisation", *answer] if obj else answer

    def save_model(self, request, obj, form, change):
        """Adds and pins go through the services; a refusal is shown, nothing changes."""
        try:
            if not change:
                created = services.meeting_request_create(
                    actor=request.user,
                    delegation=obj.delegation,
                    from_organisation=obj.from_organisation,
                    to_organisation=obj.to_organisation,
                    priority=obj.priority,
                    note=obj.note,
                )
                obj.pk = created.pk
                obj.created_at = created.created_at
            fresh = MeetingRequest.objects.select_related("delegation").get(pk=obj.pk)
            if (fresh.pinned_day_id, fresh.pinned_start) != (obj.pinned_day_id, obj.pinned_start):
                services.meeting_request_pin(
                    actor=request.user, request=fresh, day=obj.pinned_day, start=obj.pinned_start
                )
            if fresh.dropped != obj.dropped:
                services.meeting_request_drop(
                    actor=request.user, request=fresh, dropped=obj.dropped
                )
            if (fresh.priority, fresh.note) != (obj.priority, obj.note):
                services.meeting_request_edit(
                    actor=request.user, request=fresh, priority=obj.priority, note=obj.note
                )
        except (ValidationError, PermissionDenied) as exc:
            self.message_user(request, error_text(exc), messages.ERROR)

    def _set_dropped(self, request, queryset, *, dropped: bool, done: str) -> None:
        run_each(
            self,
            request,
            queryset,
            lambda obj: services.meeting_request_drop(
                actor=request.user, request=obj, dropped=dropped
            ),
            done=done,
        )

    @admin.action(description="Drop from scheduling")
    def drop(self, request, queryset):
        self._set_dropped(request, queryset, dropped=True, done="{n} request(s) dropped.")

    @admin.action(description="Restore to scheduling")
    def restore(self, request, queryset):
        self._set_dropped(request, queryset, dropped=False, done="{n} request(s) restored.")
