"""Language and time helpers shared by pages, emails and the API.

Models with a Japanese version of a text carry it in `<field>_ja` (`title_ja`,
`description_ja`, `name_ja`); `localized` picks it for Japanese readers where it is filled.
Times are shown in a zone that is named, formatted by Django's per-language formats
(forum_site/formats/).
"""

import datetime as dt
import zoneinfo

from django.core.exceptions import ValidationError
from django.utils import formats, translation

DEFAULT_LANGUAGE = "en"
DEFAULT_TIME_ZONE = "Asia/Kolkata"
# Where a reader is likely to be when we know nothing else: by their language.
LANGUAGE_TIME_ZONES = {"en": "Asia/Kolkata", "ja": "Asia/Tokyo"}


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"Unknown time zone {value!r}.")


def time_zone_choices() -> list[tuple[str, str]]:
    """Every IANA time zone, India and Japan first (for forms)."""
    first = ["Asia/Kolkata", "Asia/Tokyo"]
    rest = sorted(z for z in zoneinfo.available_timezones() if "/" in z and z not in first)
    return [(z, z.replace("_", " ")) for z in first + rest]


def localized(obj: object, field: str, language: str | None = None) -> str:
    """`obj.<field>_ja` for a Japanese reader when it is filled, else `obj.<field>`."""
    language = language or translation.get_language() or DEFAULT_LANGUAGE
    if language.startswith("ja"):
        japanese = getattr(obj, f"{field}_ja", "")
        if japanese:
            return japanese
    return getattr(obj, field)


def person_language(user: object, default: str = DEFAULT_LANGUAGE) -> str:
    """The language a person reads (their profile's), `default` without one."""
    profile = getattr(user, "profile", None)
    return getattr(profile, "language", "") or default


def person_time_zone(user: object, default: str = DEFAULT_TIME_ZONE) -> str:
    profile = getattr(user, "profile", None)
    return getattr(profile, "time_zone", "") or default


def local_time(
    value: dt.datetime,
    time_zone: str,
    language: str | None = None,
    *,
    format_name: str = "DATETIME_FORMAT",
    name_zone: bool = True,
) -> str:
    """`value` as a reader in `time_zone` sees it, e.g. '21 Nov 2025, 10:00 (Asia/Kolkata)'
    or '2025年11月21日 10:00 (Asia/Kolkata)'."""
    try:
        local = value.astimezone(zoneinfo.ZoneInfo(time_zone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        local, time_zone = value.astimezone(dt.UTC), "UTC"
    with translation.override(language or translation.get_language() or DEFAULT_LANGUAGE):
        text = formats.date_format(local, format_name)
    return f"{text} ({time_zone})" if name_zone else text


def sentence(message: str, values: dict) -> str:
    """`message % values` with one full stop at its end, also when the value that ends the
    sentence ends with one: "… does not represent Sneha Farms Pvt. Ltd.", not "Ltd.."
    (and "Kato…" written with three dots stays three)."""
    text = message % values
    if message.endswith(")s.") and text.endswith(".."):
        return text[:-1]
    return text
