from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.template.response import TemplateResponse

from forum_site.admin_actions import run_each
from members import services
from members.models import (
    Affiliation,
    Capability,
    Membership,
    Organisation,
    Platform,
    Profile,
    Region,
    Sector,
)


class RejectionForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text="Sent to the applicant in the rejection email.",
    )


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["name", "name_ja", "slug"]
    search_fields = ["name", "name_ja", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "country", "kind", "is_north_east"]
    list_filter = ["country", "kind", "is_north_east"]
    search_fields = ["name", "name_ja", "code"]


@admin.register(Capability)
class CapabilityAdmin(admin.ModelAdmin):
    list_display = ["name", "name_ja", "slug"]
    search_fields = ["name", "slug"]


class AffiliationInline(admin.TabularInline):
    model = Affiliation
    extra = 0
    autocomplete_fields = ["user"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["platform", "status", "applied_at", "decided_at", "decided_by", "decision_reason"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "kind", "region", "employees", "verified"]
    list_filter = [
        "country",
        "kind",
        "verified",
        "revenue_band",
        "sectors",
        "region__is_north_east",
    ]
    search_fields = ["name", "name_ja", "slug", "description"]
    list_select_related = ["region"]
    autocomplete_fields = ["region"]
    filter_horizontal = ["sectors", "offers", "seeks"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [AffiliationInline, MembershipInline]
    actions = ["mark_verified"]

    @admin.action(description="Mark selected organisations as verified")
    def mark_verified(self, request, queryset):
        for organisation in queryset:
            services.organisation_verify(
                actor=request.user, organisation=organisation, verified=True
            )
        self.message_user(request, f"{queryset.count()} organisation(s) verified.")


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "job_title", "language", "time_zone"]
    list_filter = ["language"]
    search_fields = ["user__username", "user__email", "job_title"]
    autocomplete_fields = ["user"]


@admin.register(Affiliation)
class AffiliationAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "is_active"]
    list_filter = ["role", "is_active", "organisation__country"]
    search_fields = ["user__username", "user__email", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]
    list_select_related = ["user", "organisation"]


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "launched_on"]
    search_fields = ["name", "name_ja"]
    filter_horizontal = ["organisers"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["organisation", "platform", "status", "applied_at", "decided_at", "decided_by"]
    list_filter = ["status", "platform", "organisation__country"]
    search_fields = ["organisation__name", "decision_reason"]
    list_select_related = ["organisation", "platform", "decided_by"]
    autocomplete_fields = ["organisation"]
    date_hierarchy = "applied_at"
    readonly_fields = ["status", "applied_by", "decided_by", "decided_at", "decision_notified_at"]
    actions = ["approve", "reject"]

    def _decide(self, request, queryset, decide, **kwargs):
        run_each(
            self,
            request,
            queryset.select_related("organisation", "platform"),
            lambda membership: decide(actor=request.user, membership=membership, **kwargs),
            done="{n} membership(s) updated; applicants will be emailed.",
        )

    @admin.action(description="Approve selected applications (emails the applicants)")
    def approve(self, request, queryset):
        self._decide(request, queryset, services.membership_approve)

    @admin.action(description="Reject selected applications with a reason (emails the applicants)")
    def reject(self, request, queryset):
        """Asks for the reason on an intermediate page, then rejects through the service."""
        form = RejectionForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            self._decide(
                request, queryset, services.membership_reject, reason=form.cleaned_data["reason"]
            )
            return None
        return TemplateResponse(
            request,
            "admin/members/membership/reject.html",
            {
                **self.admin_site.each_context(request),
                "title": "Reject membership applications",
                "memberships": queryset.select_related("organisation", "platform"),
                "form": form,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )

    def save_model(self, request, obj, form, change):
        if not change and not obj.applied_at:
            from django.utils import timezone

            obj.applied_at = timezone.now()
            obj.applied_by = request.user
        super().save_model(request, obj, form, change)
