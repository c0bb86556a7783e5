"""Demo invitations: a few in each state, written directly (no email while loading).

Idempotent: one row per (event, address), created once. After loading, `manage.py
send_reminders` sends the pending one (the sweeper) and reminds Kenji, whose invitation
went out four days ago; the emails land in var/mail with working links.
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from events.invitations.models import Invitation
from events.invitations.services import default_expiry
from events.models import Event

S = Invitation.Status

# event slug, email, name, language, time zone, status, days since sent, extra fields
ROWS = [
    (
        "site-visit-gujarat-osat",
        "kenji@mitsui.example",
        "Kenji Sato",
        "ja",
        "Asia/Tokyo",
        S.SENT,
        4,
        {},
    ),
    (
        "site-visit-gujarat-osat",
        "procurement@sanand-components.example",
        "Meera Shah",
        "en",
        "Asia/Kolkata",
        S.PENDING,
        None,
        {},
    ),
    (
        "site-visit-gujarat-osat",
        "yuki@demo-sme.example",
        "Yuki Tanaka",
        "ja",
        "Asia/Tokyo",
        S.DECLINED,
        3,
        {"decline_reason": "Our engineers are at SEMICON Japan that week."},
    ),
    (
        "site-visit-gujarat-osat",
        "bounce@nowhere.example",
        "",
        "en",
        "Asia/Kolkata",
        S.FAILED,
        None,
        {"attempts": 1, "last_error": "bounce@nowhere.example: 550 5.1.1 No such user here"},
    ),
    (
        "council-meeting-q4-2026",
        "asha@snehafarms.example",
        "Asha Reddy",
        "en",
        "Asia/Kolkata",
        S.SENT,
        1,
        {},
    ),
]


def load() -> dict:
    now = timezone.now()
    events = {e.slug: e for e in Event.objects.filter(slug__in={r[0] for r in ROWS})}
    users = {
        u.email.lower(): u for u in get_user_model().objects.filter(email__in=[r[1] for r in ROWS])
    }
    created = 0
    for slug, email, name, language, tz, status, days, extra in ROWS:
        event = events.get(slug)
        if event is None:
            continue
        sent_at = now - dt.timedelta(days=days) if days is not None else None
        _, was_created = Invitation.objects.get_or_create(
            event=event,
            email=email,
            defaults={
                "name": name,
                "language": language,
                "time_zone": tz,
                "status": status,
                "user": users.get(email),
                "expires_at": default_expiry(event, now),
                "sent_at": sent_at if status != S.PENDING else None,
                "responded_at": now if status == S.DECLINED else None,
                "failed_at": now if status == S.FAILED else None,
                "attempts": 1 if status in {S.SENT, S.DECLINED} else 0,
                **extra,
            },
        )
        created += was_created
    return {
        "invitations": Invitation.objects.filter(event__slug__in=list(events)).count(),
        "new invitations": created,
    }
