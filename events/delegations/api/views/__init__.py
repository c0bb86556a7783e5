"""The delegation API (/api/v1/delegations/…, /api/v1/delegation-applications/…,
/api/v1/delegation-requests/…), one module per resource.

Every object goes through an access function of `events.delegations.selectors` (404 when
not visible); writes go through `events.delegations.services`.
"""

from events.delegations.api.views.applications import DelegationApplicationViewSet
from events.delegations.api.views.delegations import DelegationViewSet, ItineraryCalendarViewSet
from events.delegations.api.views.hosts import DelegationHostViewSet
from events.delegations.api.views.requests import MeetingRequestViewSet
from events.delegations.api.views.schedules import ScheduleVersionViewSet

__all__ = [
    "DelegationApplicationViewSet",
    "DelegationHostViewSet",
    "DelegationViewSet",
    "ItineraryCalendarViewSet",
    "MeetingRequestViewSet",
    "ScheduleVersionViewSet",
]
