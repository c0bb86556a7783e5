"""Forms of the member portal: they validate input; the services make the change."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from forum_site.i18n import localized, time_zone_choices
from members.models import (
    ORGANISATION_PROFILE_FIELDS,
    AffiliationRole,
    Capability,
    Country,
    Language,
    Organisation,
    Platform,
    Region,
    RevenueBand,
    Sector,
)
from members.widgets import QuickSelect


class ProfileForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    job_title = forms.CharField(label=_("Job title"), max_length=120, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        widget=QuickSelect,
        help_text=_("Pages and emails show times in this zone."),
    )


class LocalizedChoiceField(forms.ModelChoiceField):
    """Choices labelled with the object's name in the reader's language."""

    def label_from_instance(self, obj) -> str:
        return localized(obj, "name", translation.get_language())


class LocalizedMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return localized(obj, "name", translation.get_language())


def _checkboxes(queryset, label, help_text=""):
    return LocalizedMultipleChoiceField(
        queryset=queryset,
        label=label,
        help_text=help_text,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )


class OrganisationForm(forms.ModelForm):
    """Register or edit an organisation; `members.services` makes the change."""

    region = LocalizedChoiceField(
        queryset=Region.objects.all(),
        required=False,
        empty_label=_("Not given"),
        widget=QuickSelect,
        label=_("State, territory or prefecture"),
        help_text=_("In the organisation's country."),
    )
    website = forms.URLField(
        label=_("Website"),
        required=False,
        assume_scheme="https",
        max_length=200,
        help_text=_("For example https://example.co.in"),
    )
    sectors = _checkboxes(Sector.objects.all(), _("Sectors"))
    offers = _checkboxes(
        Capability.objects.all(), _("What you offer"), _("Partners who seek these find you.")
    )
    seeks = _checkboxes(
        Capability.objects.all(), _("What you seek"), _("We match you with those who offer it.")
    )

    class Meta:
        model = Organisation
        fields = [*ORGANISATION_PROFILE_FIELDS, "region", "sectors", "offers", "seeks"]
        labels = {
            "name": _("Name"),
            "name_ja": _("Name in Japanese"),
            "country": _("Country"),
            "kind": _("Kind of organisation"),
            "employees": _("Employees"),
            "revenue_band": _("Annual revenue"),
            "founded_year": _("Year founded"),
            "description": _("Description"),
            "description_ja": _("Description in Japanese"),
        }
        help_texts = {
            "name_ja": _("Shown to Japanese readers; leave empty to show the name."),
            "description_ja": _("Shown to Japanese readers; leave empty to show the description."),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "description_ja": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["revenue_band"].choices = [("", _("Not given")), *RevenueBand.choices]
        self.fields["country"].choices = [("", _("Choose a country")), *Country.choices]


class MembershipApplyForm(forms.Form):
    platform = LocalizedChoiceField(queryset=Platform.objects.none(), label=_("Platform"))
    note = forms.CharField(
        label=_("Note to the secretariat"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional: what your organisation hopes to do on the platform."),
    )

    def __init__(self, *args, platforms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["platform"].queryset = platforms


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_(
            "Someone with a confirmed account at this address is added at once; anyone "
            "else is emailed an invitation to sign up."
        ),
    )


class RepresentativeForm(forms.Form):
    """Which representative a remove or role change is about (a row's button posts it)."""

    user = forms.ModelChoiceField(queryset=get_user_model().objects.none())
    role = forms.ChoiceField(choices=AffiliationRole.choices, required=False)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = get_user_model().objects.filter(
            affiliations__organisation=organisation, affiliations__is_active=True
        )
