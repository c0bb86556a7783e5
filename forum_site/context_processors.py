"""What every page's layout needs to know."""

from django.utils import timezone


def site(request) -> dict:
    return {"current_time_zone": timezone.get_current_timezone_name()}
