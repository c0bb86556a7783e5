from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

# Each app's demo loader, in dependency order. Each is idempotent.
LOADERS = [
    "members.demo.load",
    "members.messaging.demo.load",
    "events.demo.load",
    "events.delegations.demo.load",
    "events.invitations.demo.load",
]


class Command(BaseCommand):
    help = "Load the demo world (platforms, organisations, people, events…). Safe to run twice."

    def handle(self, *args, **options):
        for path in LOADERS:
            counts = import_string(path)()
            summary = ", ".join(f"{v} {k}" for k, v in (counts or {}).items())
            self.stdout.write(f"{path.rsplit('.', 2)[0]}: {summary}")
        from members.demo import DEMO_PASSWORD, PEOPLE

        names = ", ".join(p[0] for p in PEOPLE)
        self.stdout.write(self.style.SUCCESS(f"Demo members: {names} (password: {DEMO_PASSWORD})"))
