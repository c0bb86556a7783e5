"""Admin of schedule versions (follow a run, stop it, the grid, publish), their meetings
(local times, lock for re-planning) and the host sites with their visits. admin.py imports
this module, so Django's autodiscovery registers it."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from events.delegations import selectors, services
from events.delegations.itineraries import local_span
from events.delegations.models import (
    Delegation,
    HostSite,
    ScheduledMeeting,
    ScheduleVersion,
    SiteVisit,
    UnscheduledRequest,
    VersionStatus,
)
from forum_site.admin_actions import error_text, run_each, service_action
from forum_site.locking import Busy

REFUSALS = (ValidationError, PermissionDenied, Busy)
RUNNING = {VersionStatus.QUEUED, VersionStatus.RUNNING}


def local_when(meeting: ScheduledMeeting) -> str:
    """The meeting's time local to its city, the zone named (staff plan in local time)."""
    return local_span(meeting.starts_at, meeting.ends_at, meeting.day.time_zone, "en")


class _VersionRowsInline(admin.TabularInline):
    """A version's rows as the scheduler stored them: read only."""

    extra = 0
    can_delete = False
    related = ["delegate", "host"]

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.related)


class ScheduledMeetingInline(_VersionRowsInline):
    model = ScheduledMeeting
    related = ["delegate", "host", "day"]
    fields = [
        "when",
        "city",
        "venue",
        "table",
        "delegate",
        "host",
        "weight",
        "mutual",
        "pinned",
        "locked",
    ]

    @admin.display(description="When (local time)")
    def when(self, obj):
        return local_when(obj)


class UnscheduledInline(_VersionRowsInline):
    model = UnscheduledRequest
    fields = ["delegate", "host", "visit", "reason"]
    related = ["delegate", "host", "visit__site"]


@admin.register(ScheduleVersion)
class ScheduleVersionAdmin(admin.ModelAdmin):
    list_display = [
        "delegation",
        "number",
        "status",
        "solver_status",
        "scheduled_weight",
        "breaks",
        "bound_breaks",
        "moved",
        "seconds",
        "published_at",
        "grid_link",
    ]
    list_filter = ["status", "solver_status", "delegation"]
    search_fields = ["delegation__title"]
    list_select_related = ["delegation"]
    actions = ["publish", "rerun", "stop"]
    inlines = [ScheduledMeetingInline, UnscheduledInline]
    exclude = ["problem", "solution"]
    change_form_template = "delegations/admin_version_change.html"

    def get_queryset(self, request):
        return super().get_queryset(request).defer("problem", "solution")

    def get_readonly_fields(self, request, obj=None):
        return [
            f.name for f in self.model._meta.fields if f.name not in {"problem", "solution", "id"}
        ] + ["grid_link"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="Grid")
    def grid_link(self, obj):
        if obj.status != ScheduleVersion.Status.DONE:
            return "—"
        url = reverse("admin:delegations_scheduleversion_grid", args=[obj.pk])
        return format_html('<a href="{}">grid</a>', url)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/grid/", view(self.grid_view), name="delegations_scheduleversion_grid"),
            path(
                "<int:pk>/progress/",
                view(self.progress_view),
                name="delegations_scheduleversion_progress",
            ),
            path("<int:pk>/stop/", view(self.stop_view), name="delegations_scheduleversion_stop"),
            *super().get_urls(),
        ]

    def _progress_context(self, version: ScheduleVersion) -> dict:
        return {"version": version, "running": version.status in RUNNING}

    def change_view(self, request, object_id, form_url="", extra_context=None):
        version = get_object_or_404(
            ScheduleVersion.objects.defer("problem", "solution"), pk=object_id
        )
        extra = {**(extra_context or {}), **self._progress_context(version)}
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def progress_view(self, request, pk: int):
        """The run's figures, polled by the change page while it runs."""
        version = get_object_or_404(ScheduleVersion.objects.defer("problem", "solution"), pk=pk)
        return TemplateResponse(
            request, "delegations/admin_version_progress.html", self._progress_context(version)
        )

    def stop_view(self, request, pk: int):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        version = get_object_or_404(ScheduleVersion.objects.defer("problem", "solution"), pk=pk)
        try:
            services.schedule_stop(actor=request.user, version=version)
            self.message_user(
                request, f"{version}: stopping; the best schedule found so far is kept."
            )
        except REFUSALS as exc:
            self.message_user(request, f"{version}: {error_text(exc)}", messages.ERROR)
        return redirect("admin:delegations_scheduleversion_change", pk)

    def grid_view(self, request, pk: int):
        version = get_object_or_404(ScheduleVersion.objects.select_related("delegation"), pk=pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"{version} — grid",
            "version": version,
            "days": selectors.version_grid(version),
            "agenda_url": reverse("delegations:itinerary", args=[version.delegation_id]),
            "meetings_url": reverse("admin:delegations_scheduledmeeting_changelist")
            + f"?version__id__exact={version.pk}",
            "unscheduled": version.unscheduled.select_related("delegate", "host", "visit__site"),
        }
        return TemplateResponse(request, "delegations/admin_grid.html", context)

    @admin.action(description="Publish (emails every participant their itinerary)")
    def publish(self, request, queryset):
        run_each(
            self,
            request,
            queryset,
            lambda version: services.schedule_publish(actor=request.user, version=version),
            done="{n} version(s) published; participants are emailed.",
            refusals=REFUSALS,
        )

    stop = service_action(
        "Stop the run (keeps the best schedule found so far)",
        lambda actor, version: services.schedule_stop(actor=actor, version=version),
        done="{n} run(s) stopping.",
        refusals=REFUSALS,
    )

    @admin.action(description="Re-run the scheduler for these delegations")
    def rerun(self, request, queryset):
        for delegation_id in sorted(set(queryset.values_list("delegation_id", flat=True))):
            delegation = Delegation.objects.get(pk=delegation_id)
            try:
                version = services.schedule_run(actor=request.user, delegation=delegation)
                self.message_user(request, f"{delegation}: version {version.number} queued.")
            except REFUSALS as exc:
                self.message_user(request, f"{delegation}: {error_text(exc)}", messages.ERROR)


def _lock_action(locked: bool, description: str, done: str):
    @admin.action(description=description)
    def action(modeladmin, request, queryset):
        try:
            n = services.scheduled_meeting_lock(
                actor=request.user, meetings=queryset, locked=locked
            )
        except REFUSALS as exc:
            modeladmin.message_user(request, error_text(exc), messages.ERROR)
            return
        modeladmin.message_user(request, done.format(n=n))

    action.__name__ = "lock" if locked else "unlock"
    return action


@admin.register(ScheduledMeeting)
class ScheduledMeetingAdmin(admin.ModelAdmin):
    list_display = [
        "version",
        "when",
        "city",
        "venue",
        "table",
        "delegate",
        "host",
        "pinned",
        "locked",
    ]
    list_filter = ["version__delegation", "city", "pinned", "locked"]
    search_fields = ["delegate__name", "host__name"]
    list_select_related = ["version__delegation", "delegate", "host", "day"]
    actions = [
        _lock_action(
            True,
            "Lock: keep in this slot when the scheduler re-runs",
            "{n} meeting(s) locked.",
        ),
        _lock_action(False, "Unlock", "{n} meeting(s) unlocked."),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("version__problem", "version__solution")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="When (local time)", ordering="starts_at")
    def when(self, obj):
        return local_when(obj)


# --- Host sites and visits --------------------------------------------------------------


class HostSiteInline(admin.StackedInline):
    model = HostSite
    extra = 0
    fields = ["name", "name_ja", "address", "visitor_limit", "travel_minutes"]


class SiteVisitForm(forms.ModelForm):
    class Meta:
        model = SiteVisit
        fields = ["delegation", "site", "delegates", "priority", "note", "dropped"]

    def clean(self):
        data = super().clean()
        if data.get("delegation") and data.get("site"):
            try:
                services.validate_visit(
                    delegation=data["delegation"],
                    site=data["site"],
                    delegates=list(data.get("delegates") or []),
                )
            except ValidationError as exc:
                raise forms.ValidationError(error_text(exc)) from exc
        return data


@admin.register(SiteVisit)
class SiteVisitAdmin(admin.ModelAdmin):
    form = SiteVisitForm
    list_display = ["site", "delegation", "priority", "visitors", "dropped"]
    list_filter = ["delegation", "priority", "dropped"]
    search_fields = ["site__name", "site__host__organisation__name", "delegates__name"]
    list_select_related = ["site", "delegation"]
    autocomplete_fields = ["delegates"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("delegates")

    @admin.display(description="Visitors")
    def visitors(self, obj):
        return ", ".join(o.name for o in obj.delegates.all())
