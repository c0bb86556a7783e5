"""Walking the API's routes: for tests that check something of every route."""

import re

from django.urls import URLPattern, URLResolver, get_resolver


def api_routes(resolver=None, prefix=""):
    """(route regex, URLPattern) of every /api/v1/ route."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from api_routes(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            if route.startswith("api/v1/"):
                yield route, entry


def concrete(route: str, value: str = "1") -> str:
    """A path for the route with every parameter set to `value`."""
    path = "/" + route.replace("^", "").replace("$", "").replace("\\.", ".")
    path = re.sub(r"\(\?P<format>[^)]*\)", "", path)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", value, path)
    path = re.sub(r"<(?:\w+:)?(\w+)>", value, path)
    return path.replace("\\", "")


def methods(pattern: URLPattern) -> list[str]:
    actions = getattr(pattern.callback, "actions", None) or {}
    if actions:
        return [m.upper() for m in actions]
    view_class = getattr(pattern.callback, "cls", None)
    if view_class is None:
        return ["GET"]
    return [m.upper() for m in ("get", "post", "put", "patch", "delete") if hasattr(view_class, m)]
