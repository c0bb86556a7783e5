"""The OpenAPI document (drf-spectacular) tells the truth about every operation.

`AutoSchema` is the schema class of every API view (REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]).
Next to what each view declares, it describes the answers that the shared machinery can
give on any route, once, so that no operation forgets one:

- 400: any request: text a database cannot store in a query or a body, JSON too deep,
  bad field values (forum_site/middleware.py, parsers.py, the serializers);
- 401: routes with authentication (a wrong token is refused, even where anonymous
  clients are welcome);
- 403: routes with authentication: a permission or a service (PermissionDenied) refuses,
  and session clients without a CSRF token on writes;
- 404: routes with an id in the path (not visible to you is the same as missing) and
  paginated lists (a page past the end);
- 415: routes that take a body, sent in a media type they do not read (or a broken
  multipart body);
- 429: throttled routes;
- 503: every route (a row lock not had in time, `forum_site.locking.Busy`, or a database
  that does not answer), with `Retry-After`.

Every error answer is JSON: `{"detail": "…"}`, or for 400 an object of field errors.
"""

from drf_spectacular import openapi
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema_serializer
from rest_framework import permissions, serializers

DESCRIPTIONS = {
    400: 'Invalid input: an object of field errors (`{"field": ["message"]}`, '
    '`non_field_errors` for the whole), or `{"detail": "…"}` for a body that is not '
    "valid JSON.",
    401: "Not authenticated, or the token is wrong.",
    403: "Authenticated, but not allowed to do this.",
    404: "No such object, or not visible to you (or a page past the end of the list).",
    415: "The body is not in a media type this route reads (JSON, a form, multipart).",
    429: "Too many requests: wait `Retry-After` seconds.",
    503: "Busy or unavailable for a moment: try again after `Retry-After` seconds.",
}


@extend_schema_serializer(component_name="Error")
class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, for people.")


FIELD_ERRORS = {
    "type": "object",
    "description": "Field errors: each field (or `non_field_errors`, or `detail`) with its "
    "messages.",
    "additionalProperties": True,
}


class AutoSchema(openapi.AutoSchema):
    def _possible_errors(self) -> set[int]:
        codes = {400, 503}
        view = self.view
        authenticated = bool(view.get_authenticators())
        if authenticated:
            codes.add(401)
            anyone = all(isinstance(p, permissions.AllowAny) for p in view.get_permissions())
            if not anyone or self.method not in permissions.SAFE_METHODS:
                codes.add(403)
        if "{" in self.path or (self._is_list_view() and self._get_paginator()):
            codes.add(404)
        if self.method in {"POST", "PUT", "PATCH"}:
            codes.add(415)
        if view.get_throttles():
            codes.add(429)
        return codes

    def _error_response(self, code: int, description: str = "") -> dict:
        if code == 400:
            schema = FIELD_ERRORS
        else:
            schema = self.resolve_serializer(ErrorSerializer, "response").ref
        return {
            "description": description or DESCRIPTIONS.get(code, ""),
            "content": {"application/json": {"schema": schema}},
        }

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, response in list(responses.items()):
            # Declared errors without a body get the shared error body.
            if code.isdigit() and int(code) >= 400 and "content" not in response:
                responses[code] = {
                    **response,
                    **self._error_response(int(code), response.get("description", "")),
                }
        for code in sorted(self._possible_errors()):
            responses.setdefault(str(code), self._error_response(code))
        return dict(sorted(responses.items()))


# A text body that is a calendar file (for `responses={(200, "text/calendar"): ICS}`).
ICS = OpenApiResponse(response=OpenApiTypes.STR, description="An RFC 5545 calendar file.")
