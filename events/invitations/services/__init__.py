"""Every write of invitations; the admin, the API, the pages, tasks and the demo call these.

One module per job: `parsing` (pasted lines and CSV files), `inviting` (event and host
invitations, merged and inserted in bulk), `sending` (the state machine: claim with a
lease, send, mark; the sweeper; forum_site/smtp.py says which errors are permanent), `emails` (the
messages and their personal links), `answering` (token lookup, accept, decline, guest
accounts), `staff` (resend, revoke), `reminders`, and `targets` (deadlines of events and
delegations). The public functions are re-exported here: `from events.invitations import
services`. See docs/invitations.md.
"""

from events.invitations.services.answering import (
    InvitationGone,
    InvitationNotFound,
    InvitationUnavailable,
    check_answerable,
    invitation_accept,
    invitation_decline,
    invitation_for_token,
    invitation_guest_for_token,
    needs_password,
)
from events.invitations.services.emails import (
    email_context,
    invitation_context,
    invitation_link,
    invitation_message,
)
from events.invitations.services.inviting import (
    Audience,
    InviteResult,
    audience_organisations,
    host_invitations_create,
    invitations_create,
)
from events.invitations.services.parsing import (
    LANGUAGES,
    InviteLine,
    normalise_email,
    parse_email_csv,
    parse_email_lines,
)
from events.invitations.services.reminders import (
    invitation_reminders_due,
    invitation_reminders_send,
)
from events.invitations.services.sending import (
    enqueue_send,
    invitations_send_batch,
    invitations_sweep,
)
from events.invitations.services.staff import invitation_resend, invitation_revoke
from events.invitations.services.targets import (
    HOST_INVITABLE,
    default_expiry,
    delegation_deadline,
    delegation_expiry,
    target_closed,
)

__all__ = [
    "HOST_INVITABLE",
    "LANGUAGES",
    "Audience",
    "InvitationGone",
    "InvitationNotFound",
    "InvitationUnavailable",
    "InviteLine",
    "InviteResult",
    "audience_organisations",
    "check_answerable",
    "default_expiry",
    "delegation_deadline",
    "delegation_expiry",
    "email_context",
    "enqueue_send",
    "host_invitations_create",
    "invitation_accept",
    "invitation_context",
    "invitation_decline",
    "invitation_for_token",
    "invitation_guest_for_token",
    "needs_password",
    "invitation_link",
    "invitation_message",
    "invitation_reminders_due",
    "invitation_reminders_send",
    "invitation_resend",
    "invitation_revoke",
    "invitations_create",
    "invitations_send_batch",
    "invitations_sweep",
    "normalise_email",
    "parse_email_csv",
    "parse_email_lines",
    "target_closed",
]
