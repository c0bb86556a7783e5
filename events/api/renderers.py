from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response

from forum_site.renderers import FastJSONRenderer
from forum_site.spreadsheets import dict_rows_text


class CSVRenderer(BaseRenderer):
    """Renders a list of flat dicts (or a paginated {'results': [...]}) as CSV, with cells
    that a spreadsheet would read as formulas neutralised (forum_site/spreadsheets.py)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, dict) and "results" in data:
            data = data["results"]
        if isinstance(data, dict):  # an error body
            data = [data]
        return dict_rows_text(data).encode("utf-8")


class ICalendarRenderer(BaseRenderer):
    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else str(data).encode()


class ErrorsAsJSON:
    """For views that answer files (a calendar, a CSV): their errors are JSON like every
    API error, not a dict written into a .ics or .csv."""

    def finalize_response(self, request, response, *args, **kwargs):
        if isinstance(response, Response) and response.status_code >= 400:
            request.accepted_renderer = FastJSONRenderer()
            request.accepted_media_type = FastJSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)
