import os

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Create the staff account if it does not exist and print its credentials. "
        "Set FORUM_ADMIN_USERNAME / FORUM_ADMIN_PASSWORD / FORUM_ADMIN_EMAIL to choose them."
    )

    def handle(self, *args, **options):
        username = os.environ.get("FORUM_ADMIN_USERNAME", "admin")
        password = os.environ.get("FORUM_ADMIN_PASSWORD", "forum-admin-2026")
        email = os.environ.get("FORUM_ADMIN_EMAIL", "secretariat@sme-forum.example")
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=username, defaults={"email": email, "is_staff": True, "is_superuser": True}
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
            self.stdout.write(self.style.SUCCESS(f"Created staff account {username!r}."))
        elif not user.is_staff:
            self.stderr.write(f"User {username!r} exists but is not staff; not changing it.")
            raise SystemExit(1)
        # Staff log in to the portal too: their address counts as confirmed.
        if user.email:
            EmailAddress.objects.update_or_create(
                user=user, email=user.email, defaults={"verified": True, "primary": True}
            )
        shown = password if created or user.check_password(password) else "(unchanged, set earlier)"
        self.stdout.write(f"Staff login: {username} / {shown}  ->  {settings.SITE_URL}/admin/")
