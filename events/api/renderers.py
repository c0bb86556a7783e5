import csv
import io

from rest_framework.renderers import BaseRenderer


class CSVRenderer(BaseRenderer):
    """Renders a list of flat dicts (or a paginated {'results': [...]}) as CSV."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, dict) and "results" in data:
            data = data["results"]
        if isinstance(data, dict):  # an error body
            data = [data]
        out = io.StringIO()
        if data:
            writer = csv.DictWriter(out, fieldnames=list(data[0].keys()))
            writer.writeheader()
            writer.writerows(data)
        # A BOM makes Excel read the Japanese names correctly.
        return ("\ufeff" + out.getvalue()).encode("utf-8")


class ICalendarRenderer(BaseRenderer):
    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else str(data).encode()
