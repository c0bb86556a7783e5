"""What the invitations tests share (imported by them; not a test module)."""

import re

from events.invitations import services
from events.invitations.models import Invitation
from tests.services import SmtpSink


def invite(on_commit, staff, event, **kwargs):
    with on_commit():
        return services.invitations_create(actor=staff, event=event, **kwargs)


def token_in(message) -> str:
    return re.search(r"/invitations/([\w-]+)/", SmtpSink.text(message)).group(1)


def states(event) -> list[tuple[str, str]]:
    return list(
        Invitation.objects.filter(event=event).order_by("email").values_list("email", "status")
    )
