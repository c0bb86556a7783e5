"""Journeys through the portal in a real browser, reading email from the SMTP sink:

(a) an Indian SME owner signs up, confirms the address from the email, registers the
    organisation, applies to the Business Council; staff approve it in the admin; the
    owner finds a Japanese counterpart in the directory and sees why it matches;
(b) a Japanese member does the same in Japanese (a Japanese browser).
"""

import re

import pytest
from django.apps import apps

from members.models import Capability, Membership, Organisation, Region, Sector
from members.reference_data import seed
from tests.browser import audit
from tests.factories import OrganisationFactory, PlatformFactory, StaffFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

JOURNEYS = {
    "en": {
        "locale": "en-IN",
        "person": ("meera", "meera@assam-bamboo.example"),
        "organisation": ("Assam Bamboo Works", "IN", "IN-AS"),
        "counterpart": ("Kato Precision", "加藤精密", "JP", "JP-23"),
        "look_in": "JP",
        "texts": {
            "applied": "Applied",
            "approved": "Approved",
            "found": "1 organisation found",
            "why": "They offer what you seek: Technology transfer",
        },
    },
    "ja": {
        "locale": "ja-JP",
        "person": ("kenji", "kenji@kato-seimitsu.example"),
        "organisation": ("Kato Seimitsu", "JP", "JP-23"),
        "counterpart": ("Assam Bamboo Works", "", "IN", "IN-AS"),
        "look_in": "IN",
        "texts": {
            "applied": "申請中",
            "approved": "承認",
            "found": "1件の組織",
            "why": "技術移転",
        },
    },
}


def counterpart(name: str, name_ja: str, country: str, region: str) -> Organisation:
    """The organisation the newcomer should find: it offers what they will seek."""
    organisation = OrganisationFactory(
        name=name,
        name_ja=name_ja,
        country=country,
        region=Region.objects.get(code=region),
        verified=True,
        description="Bamboo and machining partners welcome.",
    )
    organisation.sectors.add(Sector.objects.get(slug="bamboo"))
    organisation.offers.add(Capability.objects.get(slug="technology-transfer"))
    organisation.seeks.add(Capability.objects.get(slug="joint-venture"))
    return organisation


def sign_up_and_confirm(page, mailbox, username: str, email: str) -> None:
    page.goto("/")
    page.click("header a[href='/accounts/signup/']")
    page.wait_for_url("**/accounts/signup/")
    page.fill("#id_email", email)
    page.fill("#id_username", username)
    page.fill("#id_password1", "bamboo-and-tea-2026")
    page.fill("#id_password2", "bamboo-and-tea-2026")
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/confirm-email/")
    audit(page, "signup-verification-sent")
    [mail] = mailbox.wait_for(1)
    assert mail["To"] == email
    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", mailbox.text(mail)).group(0)
    page.goto(link)
    audit(page, "email-confirm")
    page.click("main button[type=submit]")
    page.wait_for_url("**/account/")


def register_organisation(page, name: str, country: str, region: str) -> Organisation:
    page.click("main a[href='/organisations/new/']")
    page.wait_for_url("**/organisations/new/")
    page.fill("#id_name", name)
    page.select_option("#id_country", country)
    page.select_option("#id_kind", "sme")
    page.fill("#id_employees", "35")
    page.select_option("#id_region", str(Region.objects.get(code=region).pk))
    page.check(f"input[name=sectors][value='{Sector.objects.get(slug='bamboo').pk}']")
    page.check(
        f"input[name=seeks][value='{Capability.objects.get(slug='technology-transfer').pk}']"
    )
    page.check(f"input[name=offers][value='{Capability.objects.get(slug='joint-venture').pk}']")
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/organisations/\d+/$"))
    return Organisation.objects.get(name=name)


def apply_for_membership(page, organisation: Organisation, platform) -> None:
    page.click(f"main a[href='/organisations/{organisation.pk}/memberships/']")
    page.wait_for_url("**/memberships/")
    page.select_option("#id_platform", str(platform.pk))
    page.fill("#id_note", "Bamboo and machining partnerships")
    page.click("main button[type=submit]")
    page.wait_for_url("**/memberships/")


def staff_approve_in_the_admin(browser, live_server, membership: Membership) -> None:
    StaffFactory(username="secretariat", is_superuser=True)
    context = browser.new_context(base_url=live_server.url)
    admin = context.new_page()
    admin.goto("/admin/login/?next=/admin/members/membership/")
    admin.fill("#id_username", "secretariat")
    admin.fill("#id_password", "pass-word-123")
    admin.click("input[type=submit]")
    admin.check(f"input[name=_selected_action][value='{membership.pk}']")
    admin.select_option("select[name=action]", "approve")
    admin.click("button[name=index]")
    admin.wait_for_selector(".messagelist")
    context.close()


@pytest.mark.parametrize("language", ["en", "ja"])
def test_new_member_joins_the_council_and_finds_a_counterpart(
    browser, live_server, mailbox, language
):
    journey = JOURNEYS[language]
    texts = journey["texts"]
    seed(apps)  # transactional tests flush the migrations' reference rows
    council = PlatformFactory(
        slug="business-council",
        name="India–Japan SME Business Council",
        name_ja="日印中小企業ビジネス協議会",
    )
    partner = counterpart(*journey["counterpart"])
    context = browser.new_context(base_url=live_server.url, locale=journey["locale"])
    page = context.new_page()
    username, email = journey["person"]

    sign_up_and_confirm(page, mailbox, username, email)
    assert page.evaluate("document.documentElement.lang") == language
    name, country, region = journey["organisation"]
    organisation = register_organisation(page, name, country, region)
    assert organisation.affiliations.get().user.username == username
    audit(page, "journey-organisation")

    apply_for_membership(page, organisation, council)
    membership = Membership.objects.get(organisation=organisation)
    assert texts["applied"] in page.inner_text("main table")
    staff_approve_in_the_admin(browser, live_server, membership)
    membership.refresh_from_db()
    assert membership.status == Membership.Status.APPROVED
    [decision] = [m for m in mailbox.wait_for(2) if m["To"] == email][1:]
    assert council.name_ja in decision["Subject"] or council.name in decision["Subject"]
    page.reload()
    assert texts["approved"] in page.inner_text("main table")

    page.click("header a[href='/directory/']")
    page.wait_for_url("**/directory/")
    page.click(".directory-filters summary")
    page.select_option("#id_country", journey["look_in"])
    page.click("form[role=search] button[type=submit]")
    page.wait_for_url(f"**country={journey['look_in']}*")
    assert texts["found"] in page.inner_text("main")
    assert partner.name_ja or partner.name in page.inner_text(".directory-list")
    audit(page, "journey-directory")

    page.click(f"main a[href='/organisations/{organisation.pk}/matches/']")
    page.wait_for_url("**/matches/")
    first = page.locator(".match-list > li").first
    assert (partner.name_ja if language == "ja" and partner.name_ja else partner.name) in (
        first.inner_text()
    )
    assert texts["why"] in first.inner_text()
    audit(page, "journey-matches")
    context.close()
