"""Applications and decisions (places under the delegation's lock), and the decision emails
(events/delegations/services/applications.py)."""

import datetime as dt
import importlib
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from events.delegations import services
from events.delegations.models import Delegation, DelegationApplication
from members.models import Capability
from tests.factories import OrganisationFactory, member
from tests.worlds import build_world

pytestmark = pytest.mark.django_db


def test_application_submit_defaults_to_the_admins_only_organisation(world):
    application = services.application_submit(
        actor=world.kenji, delegation=world.delegation, objectives="Tea processing partners"
    )
    assert (application.organisation, application.status) == (world.kato, "submitted")
    assert list(application.representatives.all()) == [world.kenji]


def test_application_submit_refuses_organisations_of_the_visited_country(world):
    with pytest.raises(ValidationError) as exc:
        services.application_submit(
            actor=world.asha, delegation=world.delegation, organisation=world.sneha
        )
    assert exc.value.message_dict == {
        "organisation": ["This delegation takes companies from Japan."]
    }


def test_application_submit_requires_platform_membership(world):
    outsider = OrganisationFactory(name="Non Member K.K.", country="JP")
    user = member(organisation=outsider)
    with pytest.raises(ValidationError) as exc:
        services.application_submit(
            actor=user, delegation=world.delegation, objectives="Meet partners"
        )
    assert exc.value.message_dict == {
        "organisation": ["Non Member K.K. must be a member of Japan–India SME Forum to apply."]
    }


def test_application_submit_refuses_outside_the_window(world):
    Delegation.objects.filter(pk=world.delegation.pk).update(
        applications_close_at=timezone.now() - dt.timedelta(hours=1)
    )
    world.delegation.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.application_submit(
            actor=world.kenji, delegation=world.delegation, objectives="Meet partners"
        )
    assert exc.value.message_dict == {"delegation": ["Applications have closed."]}


def test_application_submit_once_per_organisation_then_again_after_withdrawal(world):
    first = services.application_submit(
        actor=world.kenji, delegation=world.delegation, objectives="Meet partners"
    )
    with pytest.raises(ValidationError) as exc:
        services.application_submit(
            actor=world.kenji, delegation=world.delegation, objectives="Meet partners"
        )
    assert exc.value.message_dict == {
        "organisation": ["Kato Precision has already applied (submitted)."]
    }
    services.application_withdraw(actor=world.kenji, application=first)
    again = services.application_submit(
        actor=world.kenji, delegation=world.delegation, objectives="Meet partners"
    )
    assert (again.pk, again.status) == (first.pk, "submitted")


def test_application_accept_beyond_places_is_refused(world):
    world.delegation.places = 1
    world.delegation.save()
    a = services.application_submit(
        actor=world.kenji, delegation=world.delegation, objectives="Meet partners"
    )
    b = services.application_submit(
        actor=world.yuki, delegation=world.delegation, objectives="Meet partners"
    )
    services.application_decide(actor=world.staff, application=a, status="accepted")
    with pytest.raises(ValidationError) as exc:
        services.application_decide(actor=world.staff, application=b, status="accepted")
    assert exc.value.message_dict == {
        "status": ["All 1 places are taken; waitlist the application or free a place first."]
    }
    services.application_decide(actor=world.staff, application=b, status="waitlisted")
    services.application_withdraw(actor=world.kenji, application=a)
    services.application_decide(actor=world.staff, application=b, status="accepted")
    assert Delegation.objects.get(pk=world.delegation.pk).accepted_count == 1


def test_application_decisions_follow_the_allowed_transitions(world):
    application = services.application_submit(
        actor=world.kenji, delegation=world.delegation, objectives="Meet partners"
    )
    services.application_decide(actor=world.staff, application=application, status="rejected")
    with pytest.raises(ValidationError) as exc:
        services.application_decide(actor=world.staff, application=application, status="accepted")
    assert exc.value.message_dict == {
        "status": ["This application is rejected; it cannot become accepted."]
    }
    with pytest.raises(PermissionDenied):
        services.application_decide(actor=world.kenji, application=application, status="accepted")


def test_application_decision_emails_the_applicants_admins_once(world, on_commit, mailbox):
    application = services.application_submit(
        actor=world.yuki, delegation=world.delegation, objectives="Meet partners"
    )
    with on_commit():
        services.application_decide(
            actor=world.staff, application=application, status="accepted", note="Welcome!"
        )
    assert [m["Subject"] for m in mailbox.to("yuki@example.com")] == [
        "Accepted: Gujarat & Assam delegation"
    ]
    text = mailbox.text(mailbox.to("yuki@example.com")[0]).replace("\r\n", "\n")
    assert (
        'Mori Foods is accepted to travel with the delegation "Gujarat & Assam delegation".' in text
    )
    assert "Note from the secretariat:\nWelcome!" in text
    assert (
        f"Your application: http://127.0.0.1:8000/delegations/applications/{application.pk}/"
        in text
    )
    assert services.application_notify_decision(application_id=application.pk) is False
    assert len(mailbox.messages) == 1


def test_application_decision_email_in_japanese(world, on_commit, mailbox):
    application = services.application_submit(
        actor=world.kenji, delegation=world.delegation, objectives="Meet partners"
    )
    with on_commit():
        services.application_decide(actor=world.staff, application=application, status="waitlisted")
    [mail] = mailbox.to("kenji@example.com")
    assert mail["Subject"].strip() == "キャンセル待ち：Gujarat & Assam delegation"


def test_bulk_decisions_stop_at_the_number_of_places(world):
    world.delegation.places = 1
    world.delegation.save()
    apps = [
        services.application_submit(
            actor=world.kenji, delegation=world.delegation, objectives="Meet partners"
        ),
        services.application_submit(
            actor=world.yuki, delegation=world.delegation, objectives="Meet partners"
        ),
    ]
    done, errors = services.application_decide_many(
        actor=world.staff, applications=apps, status="accepted"
    )
    assert (done, errors) == (
        1,
        ["Mori Foods: All 1 places are taken; waitlist the application or free a place first."],
    )


@pytest.mark.postgres
def test_concurrent_accepts_never_exceed_the_places(require_postgres):
    w = build_world(places=2)
    applicants = []
    for i in range(8):
        org = OrganisationFactory(name=f"Applicant {i}", country="JP")
        user = member(organisation=org, platform=w.platform)
        applicants.append(
            services.application_submit(
                actor=user, delegation=w.delegation, objectives="Meet partners"
            )
        )
    barrier = threading.Barrier(len(applicants))
    outcomes: list[str] = []

    def accept(application):
        try:
            barrier.wait(10)
            services.application_decide(actor=w.staff, application=application, status="accepted")
            outcomes.append("accepted")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(a,)) for a in applicants]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["accepted"] * 2 + ["refused"] * 6
    assert Delegation.objects.get(pk=w.delegation.pk).accepted_count == 2
    assert DelegationApplication.objects.filter(status="accepted").count() == 2


# --- What an application says -----------------------------------------------------------


def test_an_application_needs_objectives(world):
    with pytest.raises(ValidationError) as exc:
        services.application_submit(actor=world.kenji, delegation=world.delegation, objectives=" ")
    assert exc.value.message_dict == {
        "objectives": ["Say what your organisation wants to achieve on this trip."]
    }
    assert DelegationApplication.objects.count() == 0


def test_an_application_offers_and_seeks_capabilities(world):
    capabilities = {c.slug: c for c in Capability.objects.all()}
    application = services.application_submit(
        actor=world.kenji,
        delegation=world.delegation,
        objectives="Tea processing partners",
        offers=[capabilities["technology-transfer"]],
        seeks=[capabilities["distribution"], capabilities["joint-venture"]],
    )
    assert [c.slug for c in application.offers.all()] == ["technology-transfer"]
    assert sorted(c.slug for c in application.seeks.all()) == ["distribution", "joint-venture"]


def test_migration_keeps_old_free_text_and_finds_the_capabilities_it_names(db):
    migration = importlib.import_module("events.delegations.migrations.0002_portal")
    capabilities = list(Capability.objects.order_by("slug"))
    named = migration._capabilities_named(
        "Distribution and sales partnership in Gujarat; maybe a joint venture", capabilities
    )
    assert [c.slug for c in named] == ["distribution", "joint-venture"]
    assert migration._capabilities_named("Products and know-how", capabilities) == []
