"""Template helpers of the portal: texts in the reader's language, times with their zone,
and form fields with their label, help and errors tied to the input."""

from django import forms, template
from django.utils import timezone, translation

from forum_site.i18n import local_time, localized

register = template.Library()


@register.filter(name="localized")
def localized_filter(obj, field: str) -> str:
    """`{{ event|localized:"title" }}`: the Japanese text for Japanese readers, if any."""
    return localized(obj, field, translation.get_language())


@register.simple_tag
def when(value, time_zone: str = "", format_name: str = "DATETIME_FORMAT") -> str:
    """`{% when event.starts_at %}` in the reader's zone, `{% when x event.time_zone %}` in
    the event's; the zone is always named."""
    if value is None:
        return ""
    zone = time_zone or timezone.get_current_timezone_name()
    return local_time(value, zone, translation.get_language(), format_name=format_name)


@register.inclusion_tag("forum/field.html")
def field(bound_field, **attrs):
    """A labelled Bootstrap field; its help text and errors are announced with it."""
    widget = bound_field.field.widget
    input_type = getattr(widget, "input_type", "")
    css = "form-check-input" if input_type in {"checkbox", "radio"} else "form-control"
    if isinstance(widget, forms.Select) and not isinstance(widget, forms.RadioSelect):
        css = "form-select"
    if bound_field.errors:
        css += " is-invalid"
    described = []
    if bound_field.help_text:
        described.append(f"{bound_field.auto_id}_help")
    if bound_field.errors:
        described.append(f"{bound_field.auto_id}_errors")
    widget_attrs = {"class": css, **attrs}
    if described:
        widget_attrs["aria-describedby"] = " ".join(described)
    if bound_field.errors:
        widget_attrs["aria-invalid"] = "true"
    return {
        "field": bound_field,
        "widget": bound_field.as_widget(attrs=widget_attrs),
        "is_check": input_type in {"checkbox", "radio"}
        and not hasattr(widget, "allow_multiple_selected"),
    }
