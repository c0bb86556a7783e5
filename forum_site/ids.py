"""Ids in URLs match only what a primary key can hold.

A route that takes an id accepts 1 to 18 digits: anything else ("abc", "1.5", a number
past bigint) never reaches a view, so it is a plain 404, never a 500 from a database that
cannot compare it. Page URLs use the `id` path converter (`<id:pk>`); the API router uses
ID_PATTERN for every viewset keyed by its primary key (forum_site/api_urls.py).
"""

ID_PATTERN = "[0-9]{1,18}"
# Slugs (platforms, calendar feeds): what a SlugField holds.
SLUG_PATTERN = "[-a-zA-Z0-9_]{1,120}"


class IdConverter:
    regex = ID_PATTERN

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: object) -> str:
        return str(int(value))
