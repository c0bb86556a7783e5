"""The invitations backoffice: invite people to an event, follow, resend, revoke, export.

The Event change page has an "Invite…" and an "Invitations" button (template
admin/events/event/change_form.html) leading to the views below; the Delegation admin's
action "Invite hosts…" leads to `invite_hosts_view`.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import urlencode

from events.delegations.models import Delegation
from events.invitations import selectors, services
from events.invitations.models import Invitation, InvitationToken
from events.models import Event
from forum_site.admin_actions import error_text, run_each
from forum_site.spreadsheets import csv_response
from members.models import Country, Organisation, OrganisationKind, Platform, Sector


def _language_field(help_text: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        choices=[("en", "English"), ("ja", "Japanese")], initial="en", help_text=help_text
    )


def _note_field() -> forms.CharField:
    return forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 70}),
        help_text="Optional note shown in the email.",
    )


class InviteForm(forms.Form):
    emails = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 70}),
        help_text="One person per line: email, “Name <email>” or “email, Name”.",
    )
    csv_file = forms.FileField(
        required=False,
        label="CSV file",
        help_text="With a header row naming an “email” column (and optionally “name”, "
        "“language”), or one person per row.",
    )
    users = forms.ModelMultipleChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        label="People",
        widget=FilteredSelectMultiple("people", is_stacked=False),
    )
    organisations = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.all(),
        required=False,
        widget=FilteredSelectMultiple("organisations", is_stacked=False),
        help_text="Each organisation's active representatives are invited.",
    )
    audience_platform = forms.ModelChoiceField(
        queryset=Platform.objects.all(),
        required=False,
        label="Audience: approved members of",
    )
    audience_sectors = forms.ModelMultipleChoiceField(
        queryset=Sector.objects.all(),
        required=False,
        label="… in these sectors",
        widget=FilteredSelectMultiple("sectors", is_stacked=False),
    )
    audience_country = forms.ChoiceField(
        choices=[("", "any country"), *Country.choices],
        required=False,
        label="… in",
    )
    audience_kinds = forms.MultipleChoiceField(
        choices=OrganisationKind.choices,
        required=False,
        label="… of these kinds",
        widget=forms.CheckboxSelectMultiple,
    )
    language = _language_field(
        "For addresses without an account (people with an account get their profile's language)."
    )
    note = _note_field()
    expires_at = forms.DateTimeField(
        required=False,
        label="Answer by",
        help_text="Default: the event's registration close (or start). Format 2026-03-01 18:00 (UTC).",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["users"].queryset = (
            get_user_model().objects.filter(is_active=True).order_by("username")
        )

    def clean_csv_file(self):
        upload = self.cleaned_data.get("csv_file")
        if not upload:
            return ""
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError("The file is larger than 5 MB.")
        raw = upload.read()
        for encoding in ("utf-8-sig", "cp932"):  # Excel in Japan saves Shift-JIS
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise forms.ValidationError("Save the CSV file as UTF-8.")

    def clean(self):
        data = super().clean()
        audience_bits = (
            data.get("audience_sectors")
            or data.get("audience_country")
            or data.get("audience_kinds")
        )
        if audience_bits and not data.get("audience_platform"):
            self.add_error("audience_platform", "Choose the platform whose members to invite.")
        if not (
            data.get("emails", "").strip()
            or data.get("csv_file")
            or data.get("users")
            or data.get("organisations")
            or data.get("audience_platform")
        ):
            raise forms.ValidationError(
                "Give at least one address, person, organisation or audience."
            )
        return data

    def audience(self):
        data = self.cleaned_data
        if not data.get("audience_platform"):
            return None
        return services.Audience(
            platform=data["audience_platform"],
            sectors=list(data["audience_sectors"]),
            country=data["audience_country"],
            kinds=data["audience_kinds"],
        )


class HostInviteForm(forms.Form):
    """Invite organisations of the visited country to host the delegation in one city."""

    organisations = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.none(),
        widget=FilteredSelectMultiple("organisations", is_stacked=False),
        help_text="Each organisation's active representatives are invited.",
    )
    city = forms.ChoiceField(help_text="Where they will host the visiting firms.")
    days = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Days in that city (none ticked: every day of the delegation there).",
    )
    language = _language_field("For people whose profile has no language.")
    note = _note_field()

    def __init__(self, *args, delegation: Delegation, **kwargs):
        super().__init__(*args, **kwargs)
        days = delegation.days.order_by("date")
        self.fields["organisations"].queryset = Organisation.objects.filter(
            country=delegation.host_country
        ).order_by("name")
        cities = list(dict.fromkeys(d.city for d in days))
        self.fields["city"].choices = [(c, c) for c in cities]
        self.fields["days"].queryset = days


class TargetFilter(admin.SimpleListFilter):
    title = "target"
    parameter_name = "target"

    def lookups(self, request, model_admin):
        return [("event", "Events"), ("delegation", "Delegations (hosts)")]

    def queryset(self, request, queryset):
        if self.value() == "event":
            return queryset.filter(event__isnull=False)
        if self.value() == "delegation":
            return queryset.filter(delegation__isnull=False)
        return queryset


class InvitationTokenInline(admin.TabularInline):
    model = InvitationToken
    extra = 0
    fields = ["created_at"]
    readonly_fields = ["created_at"]
    can_delete = False
    verbose_name_plural = "Links sent (only their hashes are stored)"

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "name",
        "target",
        "status",
        "attempts",
        "last_error_short",
        "sent_at",
        "reminders_sent",
        "expires_at",
        "responded_at",
    ]
    list_filter = ["status", TargetFilter, "language", "event", "delegation"]
    search_fields = ["email", "name", "event__title", "delegation__title", "organisation__name"]
    list_select_related = ["event", "delegation"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Invitation._meta.fields] + ["host_days"]
    inlines = [InvitationTokenInline]
    actions = ["resend", "revoke", "export_csv"]

    def has_add_permission(self, request):
        return False  # through "Invite…" on the event

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the history stays

    @admin.display(description="Event or delegation")
    def target(self, obj):
        return obj.target

    @admin.display(description="Last error")
    def last_error_short(self, obj):
        return (obj.last_error[:80] + "…") if len(obj.last_error) > 80 else obj.last_error

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "invite/<int:event_id>/",
                wrap(self.invite_view),
                name="invitations_invitation_invite",
            ),
            path(
                "event/<int:event_id>/", wrap(self.event_view), name="invitations_invitation_event"
            ),
            path(
                "invite-hosts/<int:delegation_id>/",
                wrap(self.invite_hosts_view),
                name="invitations_invitation_invite_hosts",
            ),
            *super().get_urls(),
        ]

    def _invite(self, request, form: forms.Form, create, noun: str):
        """Run `create(cleaned_data)` for a valid POSTed form and say what it did; the
        result, or None (a refusal is shown on the form)."""
        if request.method != "POST" or not form.is_valid():
            return None
        try:
            result = create(form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, error_text(exc))
            return None
        self.message_user(
            request,
            f"{len(result.created)} {noun}(s) created and queued for sending; "
            f"{len(result.merged)} merged; {len(result.invalid)} invalid.",
            messages.SUCCESS if not result.invalid else messages.WARNING,
        )
        return result

    def _page(self, request, template: str, title: str, **context):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            **context,
        }
        if "form" in context:
            context["media"] = self.media + context["form"].media
        return TemplateResponse(request, template, context)

    def _changelist(self, **filters) -> str:
        return f"{reverse('admin:invitations_invitation_changelist')}?{urlencode(filters)}"

    def invite_view(self, request, event_id: int):
        if not self.has_change_permission(request):
            raise PermissionDenied
        event = get_object_or_404(Event, pk=event_id)
        form = InviteForm(request.POST or None, request.FILES or None)

        def create(data: dict) -> services.InviteResult:
            return services.invitations_create(
                actor=request.user,
                event=event,
                emails_text=data["emails"],
                csv_text=data["csv_file"] or "",
                users=data["users"],
                organisations=data["organisations"],
                audience=form.audience(),
                language=data["language"],
                note=data["note"],
                expires_at=data["expires_at"],
            )

        return self._page(
            request,
            "invitations/admin_invite.html",
            f"Invite people to {event.title}",
            event=event,
            form=form,
            result=self._invite(request, form, create, "invitation"),
            stats_url=reverse("admin:invitations_invitation_event", args=[event.pk]),
        )

    def invite_hosts_view(self, request, delegation_id: int):
        if not self.has_change_permission(request):
            raise PermissionDenied
        delegation = get_object_or_404(Delegation, pk=delegation_id)
        form = HostInviteForm(request.POST or None, delegation=delegation)

        def create(data: dict) -> services.InviteResult:
            return services.host_invitations_create(
                actor=request.user,
                delegation=delegation,
                organisations=data["organisations"],
                city=data["city"],
                days=data["days"],
                language=data["language"],
                note=data["note"],
            )

        return self._page(
            request,
            "invitations/admin_invite_hosts.html",
            f"Invite hosts to {delegation.title}",
            delegation=delegation,
            form=form,
            result=self._invite(request, form, create, "host invitation"),
            list_url=self._changelist(delegation__id__exact=delegation.pk),
        )

    def event_view(self, request, event_id: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        event = get_object_or_404(Event, pk=event_id)
        stats = selectors.invitation_stats(event=event)
        rows = [
            (
                state,
                stats[state],
                # "expired" is not a stored status: the list cannot filter on it.
                self._changelist(event__id__exact=event.pk, status__exact=state)
                if state != "expired"
                else "",
            )
            for state in selectors.STATES
        ]
        return self._page(
            request,
            "invitations/admin_event.html",
            f"Invitations to {event.title}",
            event=event,
            rows=rows,
            total=stats["total"],
            failed=selectors.invitations_for_event(event=event, state="failed")[:50],
            invite_url=reverse("admin:invitations_invitation_invite", args=[event.pk]),
            all_url=self._changelist(event__id__exact=event.pk),
        )

    def _each(self, request, queryset, service, verb: str):
        run_each(
            self,
            request,
            queryset.select_related("event", "delegation"),
            lambda invitation: service(actor=request.user, invitation=invitation),
            done=f"{{n}} invitation(s) {verb}.",
            label=lambda invitation: invitation.email,
        )

    @admin.action(description="Resend selected invitations (new email and link)")
    def resend(self, request, queryset):
        self._each(request, queryset, services.invitation_resend, "queued for resending")

    @admin.action(description="Revoke selected invitations (their links stop working)")
    def revoke(self, request, queryset):
        self._each(request, queryset, services.invitation_revoke, "revoked")

    @admin.action(description="Export selected invitations (CSV)")
    def export_csv(self, request, queryset):
        """Names, reasons and errors are the invitees' or a mail server's text: cells that
        a spreadsheet would run as formulas are written as text (forum_site.spreadsheets)."""
        invitations = selectors.with_state(
            queryset.select_related("event", "delegation", "organisation", "registration")
        ).order_by("event__starts_at", "event_id", "delegation_id", "created_at", "id")
        rows = (
            [inv.target.title, *(row[h] for h in selectors.EXPORT_HEADER)]
            for inv, row in ((inv, selectors.export_row(inv)) for inv in invitations)
        )
        return csv_response("invitations.csv", ["event", *selectors.EXPORT_HEADER], rows)
