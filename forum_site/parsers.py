"""Request bodies the API accepts: JSON no deeper than MAX_DEPTH, and no text a database
cannot store (NUL, lone surrogates). Refused with a 400 that names the field, before any
view or serializer sees the data."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError

MAX_DEPTH = 32
UNSTORABLE = "Text may not contain the NUL character or unpaired surrogates."


def unstorable(text: str) -> bool:
    """Whether PostgreSQL (or UTF-8) cannot store `text`: a NUL, or a lone surrogate."""
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def check_data(data: object) -> None:
    """Walk parsed data without recursion: refuse too deep nesting and unstorable text,
    naming the place (`organisation`, `sectors.2`, `[0].name`)."""
    stack: list[tuple[object, str, int]] = [(data, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ParseError(f"JSON nested deeper than {MAX_DEPTH} levels is not accepted.")
        if isinstance(value, dict):
            for key, item in value.items():
                place = f"{path}.{key}" if path else str(key)
                if unstorable(str(key)):
                    raise ValidationError({place or "non_field_errors": [UNSTORABLE]})
                stack.append((item, place, depth + 1))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                stack.append((item, f"{path}.{index}" if path else f"[{index}]", depth + 1))
        elif isinstance(value, str) and unstorable(value):
            raise ValidationError({path or "non_field_errors": [UNSTORABLE]})


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON nested deeper than {MAX_DEPTH} levels is not accepted.")
        check_data(data)
        return data


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        check_data({key: data.getlist(key) for key in data})
        return data


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        check_data({key: result.data.getlist(key) for key in result.data})
        return result
