"""The inbox in a real browser, in English and in Japanese, at desk and phone width: Asha
(Sneha Farms) writes to Mitsui from the directory; Kenji (Mitsui) sees the unread badge,
opens the thread and replies; Asha's open thread shows the reply without reloading (the
htmx poll, every MESSAGING_POLL_MS), and Kenji's open page counts Asha's second line
(badge.js, every MESSAGING_BADGE_POLL_MS)."""

import pytest
from django.apps import apps

from members.messaging import services
from members.messaging.models import Block, Conversation, Message, Participant
from members.models import Profile
from members.reference_data import seed
from tests.browser import audit, log_in
from tests.factories import PlatformFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {
        "message": "Message",
        "send": "Send",
        "badge": "1 unread messages",
        "sent": "Your message is sent.",
    },
    "ja": {
        "message": "メッセージを送る",
        "send": "送信",
        "badge": "1 件の未読メッセージ",
        "sent": "メッセージを送信しました。",
    },
}


@pytest.fixture
def people():
    seed(apps)  # transactional tests flush the migrations' reference rows
    forum = PlatformFactory(slug="sme-forum", name="Japan–India SME Forum")
    asha = member(platform=forum, username="asha", first_name="Asha", last_name="Bora")
    kenji = member(platform=forum, username="kenji", first_name="Kenji", last_name="Sato")
    sneha, mitsui = (p.affiliations.get().organisation for p in (asha, kenji))
    sneha.name, mitsui.name = "Sneha Tea Estates", "Mitsui Machinery"
    sneha.save()
    mitsui.save()
    return asha, kenji, mitsui


def as_person(browser, live_server, username: str, language: str):
    page = browser.new_context(base_url=live_server.url).new_page()
    Profile.objects.filter(user__username=username).update(language=language)
    log_in(page, username)
    assert page.evaluate("document.documentElement.lang") == language
    return page


def go(page, selector: str) -> None:
    """Click what loads another page, and wait for it."""
    with page.expect_navigation():
        page.click(selector)


@pytest.mark.parametrize("language", ["en", "ja"])
def test_a_member_writes_to_an_organisation_and_sees_the_reply_arrive(
    browser, live_server, people, settings, language
):
    settings.MESSAGING_POLL_MS = settings.MESSAGING_BADGE_POLL_MS = 400
    asha, kenji, mitsui = people
    words = WORDS[language]

    # Asha finds Mitsui in the directory and writes to it.
    a = as_person(browser, live_server, "asha", language)
    a.goto("/directory/")
    a.get_by_role("link", name="Mitsui Machinery").click()
    a.get_by_role("link", name=words["message"], exact=True).click()
    with a.expect_navigation():
        a.get_by_role("button", name=words["send"]).click()  # empty: refused, nothing saved
    assert a.locator("#id_subject.is-invalid").count() == 1
    assert Conversation.objects.count() == 0
    audit(a, "inbox-compose-errors")
    a.fill("#id_subject", "Tea line automation")
    a.fill("#id_body", "Could we visit your plant in March?")
    audit(a, "inbox-compose")
    a.get_by_role("button", name=words["send"]).click()
    assert a.inner_text(".messages") == words["sent"]
    conversation = Conversation.objects.get()
    assert conversation.organisation == mitsui
    audit(a, "inbox-thread")
    a.evaluate("window.notReloaded = true")  # gone if the page were loaded again

    # Kenji sees the badge, opens his messages and the thread, and replies.
    k = as_person(browser, live_server, "kenji", language)
    k.goto("/directory/")
    assert " ".join(k.locator("#unread-badge").text_content().split()) == words["badge"]
    audit(k, "inbox-badge")
    # Asha adds a line; Kenji's open page counts it without reloading (badge.js).
    k.evaluate("window.notReloaded = true")
    services.message_post(actor=asha, conversation_id=conversation.pk, body="Or in April.")
    k.locator("#unread-badge", has_text="2").wait_for(timeout=10_000)
    assert k.evaluate("window.notReloaded") is True
    audit(k, "inbox-badge-live")  # at phone width the count shows on the menu button
    k.set_viewport_size({"width": 390, "height": 800})
    assert k.locator("#unread-toggler").inner_text() == "2"
    assert k.locator("#unread-toggler").is_visible()
    k.set_viewport_size({"width": 1280, "height": 800})
    k.click("#messages-link")
    audit(k, "inbox-list")
    k.get_by_role("link", name="Tea line automation").click()
    assert "Could we visit your plant in March?" in k.inner_text("#messages")
    audit(k, "inbox-thread-reply")
    k.fill("#id_body", "Yes, 12 March works for us.")
    with k.expect_navigation():
        k.get_by_role("button", name=words["send"]).click()
    assert Message.objects.filter(body="Yes, 12 March works for us.").exists()
    k.goto("/directory/")
    assert k.locator("#unread-badge").count() == 0  # read

    # Asha's thread, still open and never reloaded, shows the reply.
    a.locator("#messages", has_text="Yes, 12 March works for us.").wait_for(timeout=10_000)
    assert a.evaluate("window.notReloaded") is True
    audit(a, "inbox-thread-polled")


@pytest.mark.parametrize("language", ["en", "ja"])
def test_a_member_pages_back_edits_deletes_mutes_blocks_and_leaves(
    browser, live_server, people, language
):
    asha, kenji, mitsui = people
    conversation = services.conversation_start(
        actor=kenji, subject="Quarterly figures", body="m0", recipient_ids=[asha.pk]
    )
    for i in range(1, 35):
        services.message_post(actor=kenji, conversation_id=conversation.pk, body=f"m{i}")
    mine = services.message_post(actor=asha, conversation_id=conversation.pk, body="Tyop")
    a = as_person(browser, live_server, "asha", language)
    a.goto(f"/messages/{conversation.pk}/")
    assert a.locator("#messages article").count() == 30

    # Older messages come in above, without leaving the page.
    a.click("#older a")
    a.locator(f"#message-{conversation.last_message_id}").wait_for()  # the first, m0
    assert a.locator("#messages article").count() == 36
    assert a.locator("#older a").count() == 0
    audit(a, "inbox-thread-older")

    # Edit my message, then delete it after the confirmation.
    go(a, f"#message-{mine.pk} a[href$='/edit/']")
    a.fill("#id_body", " ")
    audit(a, "inbox-edit")
    go(a, "main button[type=submit]")
    assert a.locator("#id_body.is-invalid").count() == 1  # blank: refused, nothing saved
    a.fill("#id_body", "Typo")
    go(a, "main button[type=submit]")
    assert "Typo" in a.inner_text(f"#message-{mine.pk}")
    go(a, f"#message-{mine.pk} a[href$='/delete/']")
    audit(a, "inbox-delete-confirm")
    go(a, "main button.btn-danger")
    mine.refresh_from_db()
    assert (mine.body, mine.deleted_at is not None) == ("", True)

    # Mute and unmute; block Kenji (confirmed), see him in the blocked list, unblock.
    go(a, "form[action$='/mute/'] button")
    assert Participant.objects.get(conversation=conversation, user=asha).muted is True
    go(a, "form[action$='/mute/'] button")
    assert Participant.objects.get(conversation=conversation, user=asha).muted is False
    go(a, f"a[href$='/block/{kenji.pk}/']")
    audit(a, "inbox-block-confirm")
    go(a, "main button.btn-danger")
    assert Block.objects.filter(blocker=asha, blocked=kenji).exists()
    a.goto("/messages/blocked/")
    audit(a, "inbox-blocked")
    go(a, "#blocked button")
    assert not Block.objects.exists()

    # Leave (confirmed): the conversation is gone from the list.
    a.goto(f"/messages/{conversation.pk}/")
    go(a, "a[href$='/leave/']")
    audit(a, "inbox-leave-confirm")
    go(a, "main button.btn-danger")
    assert a.locator("#no-conversations").count() == 1
    audit(a, "inbox-empty")
