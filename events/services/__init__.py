"""Every write of events and registrations; views, API, admin, tasks and demo call these.

One module per job: `registrations` (seats and waitlists under the event's lock), `events`
(staff create and change events), `calendars` (feed tokens), `reminders` (the day-before
email). The public functions are re-exported here: `from events import services`.
"""

from events.services.calendars import calendar_feed_token_get, calendar_feed_token_rotate
from events.services.events import (
    event_cancel,
    event_create,
    event_notify_cancelled,
    event_publish,
    event_recount,
    event_update,
)
from events.services.registrations import (
    BUSY,
    registration_cancel,
    registration_cancel_for_event,
    registration_cancellable,
    registration_check_in,
    registration_create,
    registration_notify,
    registration_notify_sweep,
)
from events.services.reminders import event_reminders_due, event_reminders_send

__all__ = [
    "BUSY",
    "calendar_feed_token_get",
    "calendar_feed_token_rotate",
    "event_cancel",
    "event_create",
    "event_notify_cancelled",
    "event_publish",
    "event_recount",
    "event_reminders_due",
    "event_reminders_send",
    "event_update",
    "registration_cancel",
    "registration_cancel_for_event",
    "registration_cancellable",
    "registration_check_in",
    "registration_create",
    "registration_notify",
    "registration_notify_sweep",
]
