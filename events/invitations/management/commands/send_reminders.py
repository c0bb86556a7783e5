from django.core.management.base import BaseCommand

from events import services as event_services
from events.invitations import services


class Command(BaseCommand):
    help = (
        "Run the invitation periodic work once: re-enqueue invitations a lost task left "
        "behind and registration emails never sent, remind unanswered invitees, remind "
        "confirmed registrants before their event. Beat runs the same every few minutes "
        "(see docs/invitations.md)."
    )

    def handle(self, *args, **options):
        requeued = services.invitations_sweep()
        registration_emails = event_services.registration_notify_sweep()
        invitation_reminders = services.invitation_reminders_send(
            invitation_ids=services.invitation_reminders_due()
        )
        event_reminders = event_services.event_reminders_send(
            registration_ids=event_services.event_reminders_due()
        )
        self.stdout.write(
            f"{requeued} invitation(s) and {registration_emails} registration email(s) "
            f"re-enqueued, {invitation_reminders} invitation reminder(s) and "
            f"{event_reminders} event reminder(s) sent."
        )
