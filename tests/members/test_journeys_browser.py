"""Journeys through the portal in a real browser, reading email from the SMTP sink:

(a) an Indian SME owner signs up, confirms the address from the email, registers the
    organisation, applies to the Business Council; staff approve it in the admin; the
    owner finds a Japanese counterpart in the directory and sees why it matches;
    then registers for a members-only council event that is full, is waitlisted, is
    promoted (and emailed) when the seat holder cancels, and subscribes to the calendar feed;
(b) a Japanese member does the same in Japanese (a Japanese browser).
"""

import re
from urllib.parse import urlsplit

import pytest
from django.apps import apps

from events.models import Registration
from events.services import registration_cancel, registration_create
from members.models import Capability, Membership, Organisation, Region, Sector
from members.reference_data import seed
from tests.browser import audit
from tests.factories import EventFactory, OrganisationFactory, PlatformFactory, StaffFactory, member

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
            "waitlist": "Join the waitlist",
            "waitlisted": "Your registration: waitlisted — waitlist position 1",
            "confirmed": "Your registration: confirmed",
            "promoted": "A seat became free: you are confirmed for Council matchmaking lunch",
            "my events": "My registrations",
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
            "waitlist": "キャンセル待ちに登録",
            "waitlisted": "登録状況: キャンセル待ち — キャンセル待ち 1 番目",
            "confirmed": "登録状況: 確定",
            "promoted": "空席が出ました: 協議会マッチング昼食会 のご登録が確定しました",
            "my events": "参加登録",
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

    # A members-only council event whose one seat is taken: the newcomer joins the waitlist.
    lunch = EventFactory(
        platform=council,
        visibility="members",
        title="Council matchmaking lunch",
        title_ja="協議会マッチング昼食会",
        capacity=1,
    )
    holder = member(platform=council, email="holder@council.example")
    seat = registration_create(actor=holder, event=lunch)
    page.goto("/events/")
    page.get_by_role("link", name=lunch.title_ja if language == "ja" else lunch.title).click()
    page.get_by_role("button", name=texts["waitlist"]).click()
    assert page.inner_text("#registration-status") == texts["waitlisted"]

    # The seat holder cancels: the newcomer is promoted and told by email.
    registration_cancel(actor=holder, registration=seat)
    mailbox.wait_for(6)  # confirmation, decision, waitlisted, holder's two, promotion
    promoted = mailbox.to(email)[-1]
    assert promoted["Subject"].strip() == texts["promoted"]
    page.reload()
    assert page.inner_text("#registration-status") == texts["confirmed"]
    assert Registration.objects.get(event=lunch, user__username=username).status == "confirmed"

    # My account leads to My events, where the calendar feed is subscribed to.
    page.click("header a[href='/account/']")
    page.get_by_role("link", name=texts["my events"]).click()
    page.wait_for_url("**/account/events/")
    feed = page.input_value("#feed-url")
    assert page.get_attribute("a[href^='webcal:']", "href") == "webcal:" + feed.split(":", 1)[1]
    calendar = page.request.get(live_server.url + urlsplit(feed).path)
    assert calendar.status == 200
    assert "Council matchmaking lunch" in calendar.text()
    audit(page, "journey-my-events")
    context.close()
