"""Forms of the delegation pages: they check the shape of the input; the rules (who may
apply, what an application needs, when requests close) are the services', whose errors
`service_errors` puts on the form's fields."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from events.delegations.models import DelegationDay, MeetingPriority, RequestAnswer
from forum_site.i18n import localized
from members.models import Capability, Organisation, Sector


def service_errors(form: forms.Form, exc: ValidationError) -> None:
    """A service's refusal on the form: on the field it names when the form has it,
    otherwise above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


class LocalizedChoiceField(forms.ModelChoiceField):
    """Options named in the reader's language (`name_ja` for Japanese readers)."""

    def label_from_instance(self, obj) -> str:
        return localized(obj, "name")


class LocalizedMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return localized(obj, "name")


class DayChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{date_format(obj.date, 'DATE_FORMAT')} · {obj.city}"


class PersonChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class ApplicationForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation applying"), queryset=Organisation.objects.none(), required=False
    )
    representatives = PersonChoiceField(
        label=_("Who travels"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("People of your organisation; nobody ticked means you travel."),
    )
    objectives = forms.CharField(
        label=_("Objectives"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What your organisation wants to achieve on this trip."),
    )
    offers = LocalizedMultipleChoiceField(
        label=_("What your firm offers"),
        queryset=Capability.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    seeks = LocalizedMultipleChoiceField(
        label=_("What your firm seeks"),
        queryset=Capability.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    preferred_counterparts = LocalizedMultipleChoiceField(
        label=_("Preferred counterparts"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Organisations you would like to meet there (optional)."),
    )

    def __init__(self, *args, organisations, people, counterparts, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = organisations
        self.fields["organisation"].queryset = Organisation.objects.filter(
            pk__in=[o.pk for o in organisations]
        ).order_by("name", "pk")
        self.fields["representatives"].queryset = people
        self.fields["preferred_counterparts"].queryset = counterparts
        if len(organisations) < 2:
            del self.fields["organisation"]


class RequestForm(forms.Form):
    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=MeetingPriority.choices,
        initial=MeetingPriority.NORMAL,
        widget=forms.RadioSelect,
        help_text=_("Must-meet weighs most; the scheduler tries hardest to place it."),
    )
    note = forms.CharField(
        label=_("Note for them (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(choices=RequestAnswer.choices)


class AvailabilityForm(forms.Form):
    """The marked slots, as "<day id>-<HHMM>" values of the grid."""

    busy = forms.MultipleChoiceField(required=False)

    def __init__(self, *args, grid: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.slots = {
            slot["value"]: (day["day"], slot["start"]) for day in grid for slot in day["slots"]
        }
        self.fields["busy"].choices = [(value, value) for value in self.slots]

    def marked(self) -> list[tuple]:
        return [self.slots[value] for value in self.cleaned_data["busy"]]


class CounterpartFilterForm(forms.Form):
    sector = LocalizedChoiceField(
        label=_("Sector"), queryset=Sector.objects.all(), required=False, empty_label=_("Any")
    )
    capability = LocalizedChoiceField(
        label=_("Capability"),
        queryset=Capability.objects.all(),
        required=False,
        empty_label=_("Any"),
    )
    day = DayChoiceField(
        label=_("Day and city"),
        queryset=DelegationDay.objects.none(),
        required=False,
        empty_label=_("Any"),
    )

    def __init__(self, *args, days=None, **kwargs):
        super().__init__(*args, **kwargs)
        if days is None:
            del self.fields["day"]
        else:
            self.fields["day"].queryset = days
