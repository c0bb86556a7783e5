"""Trade delegations: applications, hosts, meeting requests and schedule versions.

A delegation visits one city per day. Delegates (the accepted applicants' organisations)
and hosts (organisations of the visited country) ask to meet; the scheduler in
`events/scheduling/` places the meetings in the daily grid, and a published
`ScheduleVersion` is everybody's itinerary.

One module per part: `delegations` (the trip: days, breaks, group activities),
`participants` (applications, hosts, meeting requests), `schedules` (versions and their
meetings), `visits` (host sites and site visits). Everything is re-exported here:
`from events.delegations.models import X`.
"""

from events.delegations.models.delegations import (
    Delegation,
    DelegationBreak,
    DelegationDay,
    DelegationDirection,
    DelegationStatus,
    GroupActivity,
)
from events.delegations.models.participants import (
    PRIORITY_WEIGHT,
    ApplicationStatus,
    DelegateUnavailability,
    DelegationApplication,
    DelegationHost,
    HostUnavailability,
    MeetingPriority,
    MeetingRequest,
    RequestAnswer,
)
from events.delegations.models.schedules import (
    ScheduledMeeting,
    ScheduleVersion,
    SolverStatus,
    UnscheduledRequest,
    VersionStatus,
)
from events.delegations.models.visits import HostSite, SiteVisit

__all__ = [
    "ApplicationStatus",
    "DelegateUnavailability",
    "Delegation",
    "DelegationApplication",
    "DelegationBreak",
    "DelegationDay",
    "DelegationDirection",
    "DelegationHost",
    "DelegationStatus",
    "GroupActivity",
    "HostSite",
    "HostUnavailability",
    "MeetingPriority",
    "MeetingRequest",
    "PRIORITY_WEIGHT",
    "RequestAnswer",
    "ScheduledMeeting",
    "ScheduleVersion",
    "SiteVisit",
    "SolverStatus",
    "UnscheduledRequest",
    "VersionStatus",
]
