"""Applying with the form, my applications, the decision, withdrawing with a confirmation
(events/delegations/views/applications.py)."""

import datetime as dt
import html
import re

import pytest
from django.utils import timezone

from events.delegations import services
from events.delegations.models import Delegation, DelegationApplication
from members.models import Capability
from tests.factories import OrganisationFactory, member

pytestmark = pytest.mark.django_db


def text(response) -> str:
    plain = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(plain)).strip()


def caps(*slugs) -> list[int]:
    return list(Capability.objects.filter(slug__in=slugs).values_list("pk", flat=True))


def test_apply_with_the_form(world, pages):
    colleague = member(organisation=world.mori, username="hana", role="representative")
    services.host_add(actor=world.staff, delegation=world.delegation, organisation=world.sneha)
    url = f"/delegations/{world.delegation.pk}/apply/"
    client = pages(world.yuki)
    form = client.get(url).content.decode()
    assert 'name="objectives"' in form
    assert 'name="organisation"' not in form  # one organisation: nothing to choose
    response = client.post(
        url,
        {
            "objectives": "Tea processing partners",
            "representatives": [world.yuki.pk, colleague.pk],
            "offers": caps("technology-transfer"),
            "seeks": caps("distribution", "joint-venture"),
            "preferred_counterparts": [world.sneha.pk],
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    application = DelegationApplication.objects.get()
    assert response["Location"] == f"/delegations/applications/{application.pk}/"
    assert (application.organisation, application.objectives) == (
        world.mori,
        "Tea processing partners",
    )
    assert sorted(u.username for u in application.representatives.all()) == ["hana", "yuki"]
    assert sorted(c.slug for c in application.seeks.all()) == ["distribution", "joint-venture"]
    assert list(application.preferred_counterparts.all()) == [world.sneha]


def test_an_empty_application_gets_field_errors_and_saves_nothing(world, pages):
    response = pages(world.yuki).post(f"/delegations/{world.delegation.pk}/apply/", {})
    assert response.status_code == 200
    assert response.context["form"].errors == {"objectives": ["This field is required."]}
    assert 'aria-describedby="id_objectives_help id_objectives_errors"' in (
        response.content.decode()
    )
    assert DelegationApplication.objects.count() == 0


def test_bad_choices_are_field_errors(world, pages):
    response = pages(world.yuki).post(
        f"/delegations/{world.delegation.pk}/apply/",
        {
            "objectives": "Partners",
            "offers": ["999999"],
            "representatives": [world.kenji.pk],  # not of Mori Foods
            "preferred_counterparts": [world.kato.pk],  # not of the visited country
        },
    )
    errors = response.context["form"].errors
    assert sorted(errors) == ["offers", "preferred_counterparts", "representatives"]
    assert DelegationApplication.objects.count() == 0


def test_the_services_rule_lands_on_the_form(world, pages):
    """The form takes any text; the service refuses blank objectives, as in the API."""
    response = pages(world.yuki).post(
        f"/delegations/{world.delegation.pk}/apply/", {"objectives": "   "}
    )
    assert response.context["form"].errors["objectives"] == ["This field is required."]
    services_only = pages(world.yuki).post(
        f"/delegations/{world.delegation.pk}/apply/", {"objectives": "Partners"}
    )
    assert services_only.status_code == 302
    again = pages(world.yuki).post(
        f"/delegations/{world.delegation.pk}/apply/", {"objectives": "Partners"}
    )
    assert "None of the organisations you administer can apply" in text(again)
    assert DelegationApplication.objects.count() == 1


def test_apply_errors_are_in_japanese_for_a_japanese_reader(world, pages):
    response = pages(world.kenji).post(f"/delegations/{world.delegation.pk}/apply/", {})
    assert list(response.context["form"].errors) == ["objectives"]
    assert "この項目は必須です。" in text(response)


def test_an_admin_of_two_firms_chooses_which_applies(world, pages):
    second = OrganisationFactory(name="Mori Kitchen", country="JP")
    world.yuki.affiliations.create(organisation=second, role="admin")
    form = pages(world.yuki).get(f"/delegations/{world.delegation.pk}/apply/")
    assert [o.name for o in form.context["form"].fields["organisation"].queryset] == [
        "Mori Foods",
        "Mori Kitchen",
    ]


def test_apply_when_closed_shows_why_and_saves_nothing(world, pages):
    Delegation.objects.filter(pk=world.delegation.pk).update(
        applications_close_at=timezone.now() - dt.timedelta(days=1)
    )
    url = f"/delegations/{world.delegation.pk}/apply/"
    assert "Applications have closed." in text(pages(world.yuki).get(url))
    response = pages(world.yuki).post(url, {"objectives": "Partners"})
    assert "Applications have closed." in text(response)
    assert DelegationApplication.objects.count() == 0


@pytest.mark.parametrize("rows", [1, 5])
def test_apply_query_count_is_constant(rows, world, pages, django_assert_num_queries):
    for i in range(rows):
        member(organisation=world.mori, username=f"colleague{i}", role="representative")
        services.host_add(
            actor=world.staff,
            delegation=world.delegation,
            organisation=OrganisationFactory(country="IN", name=f"Host {i}"),
        )
    client = pages(world.yuki)
    # session, user, unread badge, delegation, organisations that may apply, people, capabilities ×2,
    # counterparts
    with django_assert_num_queries(9):
        client.get(f"/delegations/{world.delegation.pk}/apply/")


def test_application_page_shows_the_decision_and_its_note(world, pages, on_commit):
    application = services.application_submit(
        actor=world.yuki, delegation=world.delegation, objectives="Tea partners"
    )
    with on_commit():
        services.application_decide(
            actor=world.staff, application=application, status="waitlisted", note="Full for now"
        )
    body = text(pages(world.yuki).get(f"/delegations/applications/{application.pk}/"))
    assert "Status: Waitlisted" in body
    assert "Note from the secretariat: Full for now" in body
    assert "Objectives Tea partners" in body
    listing = text(pages(world.yuki).get("/delegations/applications/"))
    assert "Mori Foods · Waitlisted" in listing


def test_application_of_another_organisation_is_a_404(world, pages):
    application = services.application_submit(
        actor=world.yuki, delegation=world.delegation, objectives="Tea partners"
    )
    for url in [
        f"/delegations/applications/{application.pk}/",
        f"/delegations/applications/{application.pk}/withdraw/",
    ]:
        assert pages(world.kenji).get(url).status_code == 404
        assert pages(world.kenji).post(url).status_code == 404
    assert DelegationApplication.objects.get().status == "submitted"
    assert "Mori Foods" not in text(pages(world.kenji).get("/delegations/applications/"))


def test_withdraw_asks_first_then_withdraws(world, pages):
    application = services.application_submit(
        actor=world.yuki, delegation=world.delegation, objectives="Tea partners"
    )
    url = f"/delegations/applications/{application.pk}/withdraw/"
    client = pages(world.yuki)
    assert "Withdraw the application?" in text(client.get(url))
    assert DelegationApplication.objects.get().status == "submitted"
    response = client.post(url, follow=True)
    assert DelegationApplication.objects.get().status == "withdrawn"
    assert "Your application is withdrawn." in text(response)
    # Withdrawing twice is refused with the reason, nothing changes.
    again = client.post(url, follow=True)
    assert "The application is already withdrawn." in text(again)


@pytest.mark.parametrize("rows", [1, 5])
def test_application_pages_query_count_is_constant(rows, world, pages, django_assert_num_queries):
    colleagues = [
        member(organisation=world.mori, username=f"colleague{i}", role="representative")
        for i in range(rows)
    ]
    application = services.application_submit(
        actor=world.yuki,
        delegation=world.delegation,
        objectives="Tea partners",
        representatives=colleagues,
        offers=Capability.objects.all()[:rows],
    )
    client = pages(world.yuki)
    # session, user, unread badge, application (+ offers, seeks, representatives, counterparts)
    with django_assert_num_queries(8):
        client.get(f"/delegations/applications/{application.pk}/")
    with django_assert_num_queries(8):
        client.get("/delegations/applications/")
