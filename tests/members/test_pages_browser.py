"""The member pages in a real browser, in English and Japanese, at desk and phone width
(tests/browser.py: axe-core, no horizontal overflow, screenshots); keyboard use."""

import pytest
from django.apps import apps

from members.models import Capability, Membership, Sector
from members.reference_data import seed
from tests.browser import audit, log_in, switch_language
from tests.factories import MembershipFactory, OrganisationFactory, PlatformFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def scene():
    seed(apps)  # transactional tests flush the migrations' reference rows
    council = PlatformFactory(
        slug="business-council",
        name="India–Japan SME Business Council",
        name_ja="日印中小企業ビジネス協議会",
    )
    forum = PlatformFactory(
        slug="sme-forum", name="Japan–India SME Forum", name_ja="日印中小企業フォーラム"
    )
    tea = Sector.objects.order_by("slug").first()
    tech, export = Capability.objects.order_by("slug")[:2]
    asha = member(username="asha", first_name="Asha", last_name="Bora", platform=council)
    sneha = asha.affiliations.get().organisation
    sneha.name, sneha.description = "Sneha Tea Estates", "Orthodox tea from upper Assam since 1962."
    sneha.employees = 120
    sneha.save()
    sneha.sectors.add(tea)
    sneha.seeks.add(tech)
    sneha.offers.add(export)
    member(organisation=sneha, role="representative", username="ravi", first_name="Ravi")
    MembershipFactory(
        organisation=sneha,
        platform=forum,
        status=Membership.Status.REJECTED,
        decision_reason="Please complete the company profile first.",
    )
    for n in range(3):
        kato = OrganisationFactory(
            country="JP",
            name=f"Kato Precision {n}",
            name_ja=f"加藤精密{n}",
            description="Precision machining for tea processing lines.",
            description_ja="製茶ラインの精密加工。",
            verified=n == 0,
            employees=40 + n,
        )
        kato.sectors.add(tea)
        kato.offers.add(tech)
    return sneha, kato


def test_member_pages_pass_the_audit_in_both_languages(page):
    sneha, kato = scene()
    log_in(page, "asha")
    pages = [
        ("account", "/account/"),
        ("directory", "/directory/?country=JP"),
        ("organisation", f"/organisations/{kato.pk}/"),
        ("organisation-own", f"/organisations/{sneha.pk}/"),
        ("organisation-edit", f"/organisations/{sneha.pk}/edit/"),
        ("organisation-new", "/organisations/new/"),
        ("representatives", f"/organisations/{sneha.pk}/representatives/"),
        ("memberships", f"/organisations/{sneha.pk}/memberships/"),
        ("matches", f"/organisations/{sneha.pk}/matches/"),
    ]
    for language in ("en", "ja"):
        page.goto("/account/")
        if page.evaluate("document.documentElement.lang") != language:
            switch_language(page, language)
        for name, url in pages:
            page.goto(url)
            assert page.evaluate("document.documentElement.lang") == language
            audit(page, name)
    # Japanese readers get the Japanese name and description.
    page.goto(f"/organisations/{kato.pk}/")
    assert "加藤精密2" in page.inner_text("h1")
    assert "製茶ラインの精密加工。" in page.inner_text("main")


def test_forms_with_errors_pass_the_audit(page):
    sneha, _ = scene()
    log_in(page, "asha")
    page.goto("/organisations/new/")
    page.fill("#id_founded_year", "1200")
    page.click("main button[type=submit]")
    assert page.get_attribute("#id_name", "aria-invalid") == "true"
    assert "id_name_errors" in page.get_attribute("#id_name", "aria-describedby")
    audit(page, "organisation-new-errors")
    page.goto(f"/organisations/{sneha.pk}/representatives/")
    page.fill("#id_email", "not-an-address")
    page.click("button[value=invite]")
    assert page.get_attribute("#id_email", "aria-invalid") == "true"
    audit(page, "representatives-errors")
    page.goto("/directory/?min_employees=many")
    assert page.get_attribute("#id_min_employees", "aria-invalid") == "true"
    audit(page, "directory-errors")


def test_the_directory_works_with_the_keyboard(page):
    scene()
    log_in(page, "asha")
    page.goto("/directory/")
    page.focus("#id_search")
    page.keyboard.type("Kato")
    page.keyboard.press("Enter")
    page.wait_for_url("**/directory/?search=Kato*")
    assert "3 organisations found" in page.inner_text("main")
    # Open the filters with the keyboard, choose Japan, submit with Enter.
    page.focus(".directory-filters summary")
    page.keyboard.press("Enter")
    page.focus("#id_verified")
    page.select_option("#id_verified", "true")
    page.focus("form[role=search] button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**verified=true*")
    assert "1 organisation found" in page.inner_text("main")
    page.focus(".directory-list a")
    page.keyboard.press("Enter")
    page.wait_for_url("**/organisations/*/")
    assert page.inner_text("h1").startswith("Kato Precision 0")
