"""Forms of the events pages: they validate input; the services make the change.

The list's filter form is EventFilter's own form (events/api/filters.py, shared with the
API), with widgets fit for a page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from events.api.filters import EventFilter
from forum_site.i18n import localized
from members.models import Country, Organisation, Platform, Sector

# The filters the events page offers, in the order it shows them: these first, the rest
# under "More filters".
MAIN_FILTERS = ["search", "platform", "kind"]
MORE_FILTERS = ["starts_after", "starts_before", "city", "country", "sector", "has_free_seats"]
PAGE_FILTERS = MAIN_FILTERS + MORE_FILTERS


class TrueOrAny(forms.CheckboxInput):
    """A checkbox for a yes/any filter: ticked sends `true`, unticked sends nothing (not
    `false`, which would mean "only full events")."""

    def __init__(self):
        super().__init__(
            attrs={"value": "true"}, check_test=lambda v: v in (True, "true", "True", "1")
        )

    def value_from_datadict(self, data, files, name):
        return data.get(name) or None


def _choices(empty, rows) -> list[tuple[str, str]]:
    return [("", empty), *rows]


def event_filter_form(filterset: EventFilter) -> forms.Form:
    """The filterset's form with selects for platform, country and sector, date pickers and
    a checkbox (the values and their validation stay the filter's)."""
    form = filterset.form
    fields = form.fields
    for field in fields.values():
        field.help_text = ""  # the API's help (slugs, formats) is not for this page
    fields["search"].help_text = _(
        "Every word must appear in the title, description, venue or city."
    )
    fields["platform"].widget = forms.Select(
        choices=_choices(
            _("Any platform"),
            [
                (p.slug, localized(p, "name"))
                for p in Platform.objects.only("slug", "name", "name_ja")
            ],
        )
    )
    fields["sector"].widget = forms.Select(
        choices=_choices(
            _("Any sector"),
            [
                (s.slug, localized(s, "name"))
                for s in Sector.objects.only("slug", "name", "name_ja")
            ],
        )
    )
    fields["country"].widget = forms.Select(choices=_choices(_("Any country"), Country.choices))
    for name in ("starts_after", "starts_before"):
        fields[name].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    fields["search"].widget = forms.TextInput(attrs={"type": "search"})
    fields["has_free_seats"].widget = TrueOrAny()
    return form


class RegisterForm(forms.Form):
    """Register for an event, for one of the organisations the person may register."""

    organisation = forms.TypedChoiceField(
        label=_("Registering for"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, organisations: list[Organisation], **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = {o.pk: o for o in organisations}
        field = self.fields["organisation"]
        field.choices = _choices(
            _("Choose an organisation"), [(o.pk, localized(o, "name")) for o in organisations]
        )
        field.required = len(organisations) > 1

    @property
    def chooses(self) -> bool:
        return len(self.organisations) > 1

    def clean_organisation(self) -> Organisation | None:
        pk = self.cleaned_data["organisation"]
        if pk is None and len(self.organisations) == 1:
            return next(iter(self.organisations.values()))
        return self.organisations.get(pk)
