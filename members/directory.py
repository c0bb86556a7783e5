"""The directory page's search: the API's filter class (members/api/filters.py) and its
search fields, so that the page and `GET /api/v1/organisations/` answer alike.

Only the form's labels and widgets are the page's (choices instead of typed slugs); what a
value means and which values are valid stay the filter class's.
"""

from types import SimpleNamespace

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from rest_framework.filters import SearchFilter

from forum_site.i18n import localized
from members import selectors
from members.api.filters import ORGANISATION_SEARCH_FIELDS, OrganisationFilter
from members.models import Capability, Platform, Region, Sector
from members.widgets import QuickSelect

PAGE_SIZE = 20

LABELS = {
    "country": _("Country"),
    "kind": _("Kind of organisation"),
    "sector": _("Sector"),
    "region": _("State, territory or prefecture"),
    "north_east": _("India's north-east only"),
    "offers": _("Offers"),
    "seeks": _("Seeks"),
    "min_employees": _("Employees, at least"),
    "max_employees": _("Employees, at most"),
    "revenue_band": _("Annual revenue"),
    "verified": _("Verified by the secretariat"),
    "platform": _("Member of"),
}
# The order the page shows them in.
ORDER = list(LABELS)


def _options(rows, value_field: str) -> list[tuple[str, str]]:
    language = translation.get_language()
    return [("", _("Any"))] + [
        (getattr(r, value_field), localized(r, "name", language)) for r in rows
    ]


def _yes_no() -> forms.Select:
    return QuickSelect(choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))])


def directory_filter(params: QueryDict) -> OrganisationFilter:
    """The API's filter over the directory, its form dressed for the page."""
    filterset = OrganisationFilter(params, queryset=selectors.organisation_list())
    form = filterset.form
    capabilities = _options(Capability.objects.all(), "slug")
    widgets = {
        "sector": QuickSelect(choices=_options(Sector.objects.all(), "slug")),
        "region": QuickSelect(choices=_options(Region.objects.all(), "code")),
        "platform": QuickSelect(choices=_options(Platform.objects.all(), "slug")),
        "offers": QuickSelect(choices=capabilities),
        "seeks": QuickSelect(choices=capabilities),
        "north_east": _yes_no(),
        "verified": _yes_no(),
        "min_employees": forms.NumberInput(attrs={"min": 0}),
        "max_employees": forms.NumberInput(attrs={"min": 0}),
    }
    for name, field in form.fields.items():
        # The API's help texts speak of slugs and codes; the page offers choices instead.
        field.label, field.help_text = LABELS.get(name, field.label), ""
        if name in widgets:
            field.widget = widgets[name]
        elif isinstance(field, forms.ChoiceField):
            # Country, kind, revenue: the model's choices, "Any" for no filter.
            choices = [c for c in field.choices if c[0] != ""]
            field.widget = QuickSelect(choices=[("", _("Any")), *choices])
    form.order_fields(ORDER)
    return filterset


def directory_results(filterset: OrganisationFilter, params: QueryDict) -> QuerySet | None:
    """The organisations found, or None when the filters are invalid (the form says why)."""
    if not filterset.is_valid():
        return None
    view = SimpleNamespace(search_fields=ORGANISATION_SEARCH_FIELDS)
    return SearchFilter().filter_queryset(SimpleNamespace(query_params=params), filterset.qs, view)
