from django.core.management.base import BaseCommand

from members.messaging import services as messaging_services


class Command(BaseCommand):
    help = (
        "Email every due messaging digest now, in this process (what the periodic task "
        "members.send_message_digests does under Celery beat). Safe to run repeatedly."
    )

    def handle(self, *args, **options):
        sent = messaging_services.message_digests_send()
        self.stdout.write(f"{sent} message digest(s) sent.")
