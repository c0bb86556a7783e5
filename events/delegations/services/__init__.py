"""Every write of delegations; the API, admin, tasks, demo and the invitations app call these.

One module per job: `applications` (submit, decide under the delegation's lock, withdraw,
the decision email), `hosts` (staff add or remove hosts; accepted host invitations),
`requests` (meeting requests, answers, pins, drops), `availability` (when a participant
cannot meet), `visits` (the site visit rule), `schedules` (run, execute with progress, stop, publish, notify, lock meetings). `common` holds what they share:
the one delegation lock (`lock_delegation`, `BUSY`), when requests close, and who acts for
which organisation. The public functions are re-exported here:
`from events.delegations import services`.
"""

from events.delegations.services.applications import (
    application_decide,
    application_decide_many,
    application_notify_decision,
    application_refusal,
    application_submit,
    application_withdraw,
    application_withdrawable,
)
from events.delegations.services.availability import availability_set
from events.delegations.services.common import BUSY, requests_refusal
from events.delegations.services.hosts import (
    host_accept_invitation,
    host_add,
    host_remove,
    validate_host,
)
from events.delegations.services.requests import (
    meeting_request_answer,
    meeting_request_create,
    meeting_request_delete,
    meeting_request_drop,
    meeting_request_edit,
    meeting_request_pin,
    validate_pair,
    validate_pin,
)
from events.delegations.services.schedules import (
    schedule_execute,
    schedule_notify_published,
    schedule_publish,
    schedule_run,
    schedule_stop,
    scheduled_meeting_lock,
    scheduler_time_limit,
)
from events.delegations.services.visits import validate_visit

__all__ = [
    "BUSY",
    "application_decide",
    "application_decide_many",
    "application_notify_decision",
    "application_refusal",
    "application_submit",
    "application_withdraw",
    "application_withdrawable",
    "availability_set",
    "host_accept_invitation",
    "host_add",
    "host_remove",
    "meeting_request_answer",
    "meeting_request_create",
    "meeting_request_delete",
    "meeting_request_drop",
    "meeting_request_edit",
    "meeting_request_pin",
    "requests_refusal",
    "schedule_execute",
    "schedule_notify_published",
    "schedule_publish",
    "schedule_run",
    "schedule_stop",
    "scheduled_meeting_lock",
    "scheduler_time_limit",
    "validate_host",
    "validate_pair",
    "validate_pin",
    "validate_visit",
]
