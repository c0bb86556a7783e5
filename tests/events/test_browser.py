"""Events in a real browser: the pages pass the audit (axe, no overflow at 390 px) in both
languages, and the registration journey works end to end with real email."""

import re
from urllib.parse import urlsplit

import pytest

from events.models import Registration
from tests.browser import audit, log_in, switch_language
from tests.factories import EventFactory, PlatformFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {
        "register": "Register",
        "waitlist": "Join the waitlist",
        "confirmed": "Your registration: confirmed",
        "waitlisted": "Your registration: waitlisted — waitlist position 1",
        "my events": "My events",
        "cancel": "Cancel…",
        "yes": "Yes, cancel my registration",
        "cancelled": "Your registration is cancelled.",
        "log out": "Log out",
        "promoted": "A seat became free: you are confirmed for Pitch clinic (small group)",
        "replace": "Replace the feed address",
    },
    "ja": {
        "register": "参加登録",
        "waitlist": "キャンセル待ちに登録",
        "confirmed": "登録状況: 確定",
        "waitlisted": "登録状況: キャンセル待ち — キャンセル待ち 1 番目",
        "my events": "マイイベント",
        "cancel": "取り消す…",
        "yes": "はい、参加登録を取り消します",
        "cancelled": "参加登録を取り消しました。",
        "log out": "ログアウト",
        "promoted": "空席が出ました: ピッチ・クリニック（少人数） のご登録が確定しました",
        "replace": "配信アドレスを切り替える",
    },
}


# Records what the Content-Security-Policy refuses (inline script or style, outside files).
WATCH_CSP = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def log_out(page, language: str) -> None:
    page.get_by_role("button", name=WORDS[language]["log out"]).click()
    page.wait_for_load_state()


def test_member_logs_in_registers_and_sees_confirmed_then_waitlist(page, mailbox):
    event = EventFactory(title="Pitch clinic (small group)", capacity=1)
    member(username="ravi", email="ravi@demo-sme.example")
    member(username="yuki", email="yuki@demo-sme.example")

    page.goto("/events/")
    page.click("text=Pitch clinic (small group)")
    page.click("text=Log in to register")
    page.fill("#id_login", "ravi")
    page.fill("#id_password", "pass-word-123")
    page.click("main button[type=submit]")
    page.click("button:has-text('Register')")
    assert page.inner_text("#registration-status") == "Your registration: confirmed"
    assert page.inner_text(".messages") == "You are confirmed."

    page.click("button:has-text('Log out')")
    page.goto(f"/accounts/login/?next=/events/{event.pk}/")
    page.fill("#id_login", "yuki")
    page.fill("#id_password", "pass-word-123")
    page.click("main button[type=submit]")
    page.click("button:has-text('Join the waitlist')")
    assert page.inner_text("#registration-status") == (
        "Your registration: waitlisted — waitlist position 1"
    )
    assert Registration.objects.filter(event=event, status="waitlisted").count() == 1
    assert len(mailbox.wait_for(2)) == 2


@pytest.mark.parametrize("language", ["en", "ja"])
def test_registration_journey_waitlist_cancel_promote_and_calendar_feed(
    page, mailbox, live_server, language
):
    words = WORDS[language]
    zone = {"en": "Asia/Kolkata", "ja": "Asia/Tokyo"}[language]
    event = EventFactory(
        title="Pitch clinic (small group)", title_ja="ピッチ・クリニック（少人数）", capacity=1
    )
    first = f"first-{language}"
    second = f"second-{language}"
    for username in (first, second):
        member(
            username=username,
            email=f"{username}@sme.example",
            profile__language=language,
            profile__time_zone=zone,
        )

    # The first member registers and gets the seat.
    log_in(page, first)
    page.goto("/events/")
    audit(page, "events-list")
    page.get_by_role("link", name=event.title_ja if language == "ja" else event.title).click()
    page.get_by_role("button", name=words["register"], exact=True).click()
    assert page.inner_text("#registration-status") == words["confirmed"]
    audit(page, "event-registered")
    log_out(page, language)

    # The second joins the waitlist.
    log_in(page, second)
    page.goto(f"/events/{event.pk}/")
    page.get_by_role("button", name=words["waitlist"]).click()
    assert page.inner_text("#registration-status") == words["waitlisted"]
    log_out(page, language)

    # The first cancels from My events, through the confirmation page.
    log_in(page, first)
    page.goto(f"/events/{event.pk}/")
    page.get_by_role("link", name=words["my events"]).click()
    audit(page, "my-events")
    page.get_by_role("link", name=words["cancel"]).click()
    assert page.url.endswith(f"/events/{event.pk}/cancel/?next=/account/events/")
    assert Registration.objects.get(user__username=first).status == "confirmed"
    audit(page, "cancel-confirm")
    page.get_by_role("button", name=words["yes"]).click()
    assert page.inner_text(".messages") == words["cancelled"]
    assert urlsplit(page.url).path == "/account/events/"
    log_out(page, language)

    # The second is promoted, emailed, and subscribes to their calendar feed.
    mailbox.wait_for(4)
    promoted = mailbox.to(f"{second}@sme.example")[-1]
    assert promoted["Subject"].strip() == words["promoted"]
    assert f"({zone})" in mailbox.text(promoted)
    log_in(page, second)
    page.goto("/events/")
    page.get_by_role("link", name=words["my events"]).click()
    feed = page.input_value("#feed-url")
    webcal = page.get_attribute("a[href^='webcal:']", "href")
    assert webcal == "webcal:" + feed.split(":", 1)[1]
    response = page.request.get(live_server.url + urlsplit(feed).path)
    assert response.status == 200
    assert re.search(r"SUMMARY:Pitch clinic \(small group\)", response.text())
    page.get_by_role("button", name=words["replace"]).click()
    assert page.input_value("#feed-url") != feed
    assert page.request.get(live_server.url + urlsplit(feed).path).status == 404


def test_outsiders_read_members_only_events_and_the_filters_in_both_languages(page):
    council = PlatformFactory(name="Business Council", name_ja="ビジネス評議会")
    event = EventFactory(
        title="Council meeting",
        title_ja="評議会会合",
        platform=council,
        visibility="members",
        description="Quarterly meeting of the council.",
        online_url="https://meet.example/a-very-long-meeting-link-that-must-wrap-on-phones",
    )
    EventFactory(title="Open forum", capacity=None)
    page.add_init_script(WATCH_CSP)
    for language in ("en", "ja"):
        page.goto("/events/")
        if page.evaluate("document.documentElement.lang") != language:
            switch_language(page, language)
        audit(page, "events-list-anonymous")
        assert page.evaluate("window.__csp") == []
        page.goto(f"/events/{event.pk}/")
        audit(page, "event-members-only")
        # The JSON-LD block is data, not script: the policy has nothing to refuse.
        assert page.evaluate("window.__csp") == []
        page.goto("/events/?starts_after=tomorrow")
        assert page.locator("#id_starts_after_errors").is_visible()
        audit(page, "events-list-bad-filter")
    # Keyboard: from the search box to the results by Tab, and the filter form by Enter.
    page.goto("/events/")
    page.focus("#id_search")
    page.keyboard.type("Council")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "search=Council" in page.url
    assert page.locator("main h4 a").all_inner_texts() == ["評議会会合"]
