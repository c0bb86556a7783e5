"""The invitation emails and the personal link each carries.

An event's invitation (with the event's .ics) or a delegation's host invitation, and the
reminders of both, in the invitee's language and time zone. Each email carries a fresh
random token; only its hash is stored. The Message-ID is stable per email, so a copy sent
twice is recognisable.
"""

import functools
import secrets
from collections.abc import Sequence

from django.core.mail import EmailMultiAlternatives

from events.calendar import event_ics
from events.delegations.models import DelegationDay
from events.invitations.models import Invitation, InvitationToken, hash_token
from events.models import Event
from forum_site.emails import build_email, stable_message_id
from forum_site.i18n import local_time, localized
from forum_site.links import absolute_url

# The invitations of one mailing show the same few times (the event's start and end, the
# deadline) in a few zones and languages: each is formatted once per process, not once per
# email (Django's date formatting is the costliest part of the text).
_local_time = functools.lru_cache(maxsize=4096)(local_time)


def mint_tokens(invitations: Sequence[Invitation]) -> dict[int, str]:
    """A fresh personal token for each invitation (by pk); only the hashes are stored."""
    tokens = {i.pk: secrets.token_urlsafe(32) for i in invitations}
    InvitationToken.objects.bulk_create(
        [InvitationToken(invitation_id=pk, token_hash=hash_token(t)) for pk, t in tokens.items()]
    )
    return tokens


def invitation_link(token: str) -> str:
    return absolute_url("invitations:respond", token)


def _day_list(days: Sequence[DelegationDay], language: str) -> str:
    if language == "ja":
        return "、".join(f"{d.date.year}年{d.date.month}月{d.date.day}日" for d in days)
    return ", ".join(f"{d.date:%a %d %b %Y}" for d in days)


def _host_context(invitation: Invitation, lang: str, tz: str) -> dict:
    delegation = invitation.delegation
    days = sorted(invitation.host_days.all(), key=lambda d: d.date)
    return {
        "delegation": delegation,
        "organisation": invitation.organisation.name if invitation.organisation else "",
        "title": localized(delegation, "title", lang),
        "description": localized(delegation, "description", lang),
        "platform": localized(delegation.platform, "name", lang),
        "city": invitation.host_city,
        "days": days,
        "day_list": _day_list(days, lang),
        "grid": f"{delegation.first_slot_start:%H:%M}–{delegation.last_slot_end:%H:%M}",
    }


def _event_context(invitation: Invitation, lang: str, tz: str) -> dict:
    event = invitation.event
    return {
        "event": event,
        "title": localized(event, "title", lang),
        "description": localized(event, "description", lang),
        "platform": localized(event.platform, "name", lang),
        "starts": _local_time(event.starts_at, tz, lang),
        "ends": _local_time(event.ends_at, tz, lang),
        "starts_event_tz": (
            _local_time(event.starts_at, event.time_zone, lang) if event.time_zone != tz else ""
        ),
        "location": event.location_text(),
    }


def invitation_context(invitation: Invitation, *, language: str = "", time_zone: str = "") -> dict:
    """What the email and the personal page show of the invitation and its target, in
    `language` and `time_zone` (default: the invitation's; the page passes the reader's)."""
    lang = language or invitation.language
    tz = time_zone or invitation.time_zone
    target = _host_context if invitation.delegation_id else _event_context
    return {
        "invitation": invitation,
        "person": invitation.name or invitation.email,
        "respond_by": _local_time(invitation.expires_at, tz, lang),
        "note": invitation.note,
        **target(invitation, lang, tz),
    }


def email_context(invitation: Invitation, token: str) -> dict:
    return {**invitation_context(invitation), "link": invitation_link(token)}


_ICS_CACHE: dict[tuple, bytes] = {}


def _ics(event: Event) -> bytes:
    """The event's .ics, built once per process and event revision (it is the costliest
    part of an invitation to render: VTIMEZONE generation)."""
    key = (event.pk, event.sequence, event.updated_at, event.status)
    if key not in _ICS_CACHE:
        if len(_ICS_CACHE) > 256:
            _ICS_CACHE.clear()
        _ICS_CACHE[key] = event_ics(event)
    return _ICS_CACHE[key]


def invitation_message(invitation: Invitation, token: str, kind: str) -> EmailMultiAlternatives:
    """kind: "invitation" or "reminder"; the Message-ID is stable for each email. The
    template follows the target: an event's invitation (with its .ics) or a delegation's
    host invitation."""
    if kind == "invitation":
        template = "invitations/email/invitation"
        message_id = stable_message_id("invitation", invitation.pk, invitation.resend_count)
    else:
        template = "invitations/email/invitation_reminder"
        message_id = stable_message_id(
            "invitation-reminder", invitation.pk, invitation.resend_count, invitation.reminders_sent
        )
    if invitation.delegation_id:
        template = template.replace("/invitation", "/host_invitation", 1)
        attachments = []
    else:
        attachments = [("invitation.ics", _ics(invitation.event), "text/calendar")]
    return build_email(
        template=template,
        to=[invitation.email],
        language=invitation.language,
        context=email_context(invitation, token),
        attachments=attachments,
        headers={"Message-ID": message_id},
    )
