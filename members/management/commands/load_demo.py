from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.utils.module_loading import module_has_submodule

from members.demo import DEMO_PASSWORD, PEOPLE


class Command(BaseCommand):
    help = "Load the demo world (platforms, organisations, people, events…). Safe to run twice."

    def handle(self, *args, **options):
        # Every installed app of ours with a `demo.py` contributes its `load()`, in the
        # order of INSTALLED_APPS (lower layers first); each loader is idempotent.
        for config in apps.get_app_configs():
            if not module_has_submodule(config.module, "demo"):
                continue
            counts = import_module(f"{config.name}.demo").load()
            summary = ", ".join(f"{v} {k}" for k, v in (counts or {}).items())
            self.stdout.write(f"{config.label}: {summary}")
        names = ", ".join(p[0] for p in PEOPLE)
        self.stdout.write(self.style.SUCCESS(f"Demo members: {names} (password: {DEMO_PASSWORD})"))
