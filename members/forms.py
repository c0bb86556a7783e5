"""Forms of the member portal: they validate input; the services make the change."""

from django import forms
from django.utils.translation import gettext_lazy as _

from forum_site.i18n import time_zone_choices
from members.models import Language


class ProfileForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    job_title = forms.CharField(label=_("Job title"), max_length=120, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        help_text=_("Pages and emails show times in this zone."),
    )
