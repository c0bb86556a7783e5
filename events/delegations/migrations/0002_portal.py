"""Member portal, part 2: an application's offers and seeks become capability lists (the
old free text stays readable in offers_text / seeks_text, and the capabilities it names
are moved into the lists), meeting requests get an answer, delegations a request
deadline, and delegates their own unavailable times."""

import re

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _capabilities_named(text: str, capabilities: list) -> list:
    """The capabilities whose slug or name the free text mentions (case-insensitive)."""
    lowered = text.lower()
    found = []
    for capability in capabilities:
        words = {capability.slug.replace("-", " "), capability.name.lower()}
        if any(re.search(rf"\b{re.escape(w)}\b", lowered) for w in words if w) or (
            capability.slug in lowered
        ):
            found.append(capability)
    return found


def texts_to_capabilities(apps, schema_editor):
    Application = apps.get_model("delegations", "DelegationApplication")
    Capability = apps.get_model("members", "Capability")
    capabilities = list(Capability.objects.all())
    for application in Application.objects.exclude(offers_text="", seeks_text=""):
        application.offers.set(_capabilities_named(application.offers_text, capabilities))
        application.seeks.set(_capabilities_named(application.seeks_text, capabilities))


def capabilities_to_texts(apps, schema_editor):
    """Going back: lists without a text become their names, so nothing is lost."""
    Application = apps.get_model("delegations", "DelegationApplication")
    for application in Application.objects.filter(offers_text="", seeks_text=""):
        offers = ", ".join(c.name for c in application.offers.all())
        seeks = ", ".join(c.name for c in application.seeks.all())
        if offers or seeks:
            Application.objects.filter(pk=application.pk).update(
                offers_text=offers, seeks_text=seeks
            )


class Migration(migrations.Migration):
    dependencies = [
        ("delegations", "0001_initial"),
        ("members", "0003_profile_time_zone_validated"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField("delegationapplication", "offers", "offers_text"),
        migrations.RenameField("delegationapplication", "seeks", "seeks_text"),
        migrations.AlterField(
            model_name="delegationapplication",
            name="offers_text",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AlterField(
            model_name="delegationapplication",
            name="seeks_text",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="delegationapplication",
            name="offers",
            field=models.ManyToManyField(blank=True, related_name="+", to="members.capability"),
        ),
        migrations.AddField(
            model_name="delegationapplication",
            name="seeks",
            field=models.ManyToManyField(blank=True, related_name="+", to="members.capability"),
        ),
        migrations.RunPython(texts_to_capabilities, capabilities_to_texts),
        migrations.AddField(
            model_name="delegation",
            name="requests_close_at",
            field=models.DateTimeField(
                blank=True,
                help_text="Meeting requests and availability are read-only for members after this.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="meetingrequest",
            name="answer",
            field=models.CharField(
                blank=True,
                choices=[("accepted", "Accepted"), ("declined", "No thanks")],
                max_length=8,
            ),
        ),
        migrations.AddField(
            model_name="meetingrequest",
            name="answered_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="meetingrequest",
            name="answered_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddConstraint(
            model_name="meetingrequest",
            constraint=models.CheckConstraint(
                condition=models.Q(("answer__in", ["", "accepted", "declined"])),
                name="meeting_request_answer_valid",
            ),
        ),
        migrations.CreateModel(
            name="DelegateUnavailability",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("start", models.TimeField()),
                ("end", models.TimeField()),
                (
                    "application",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="unavailable",
                        to="delegations.delegationapplication",
                    ),
                ),
                (
                    "day",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="delegations.delegationday",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "delegate unavailability",
                "ordering": ["day__date", "start"],
                "abstract": False,
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("end__gt", models.F("start"))),
                        name="delegate_unavailability_ordered",
                    )
                ],
            },
        ),
    ]
