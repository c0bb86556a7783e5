"""Form widgets of the member pages."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe


class Select(forms.Select):
    """A select rendered in Python instead of one template per option: the time-zone and
    region lists have hundreds of options, which the template renderer makes slow.

    Named `Select` because `{% field %}` (forum_site/templatetags/forum.py) styles selects
    by class name."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, mark_safe(" selected") if str(key) in chosen else "", label)
                for key, label in self.choices
            ),
        )
        final = self.build_attrs(self.attrs, attrs)
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(final), options)


QuickSelect = Select
