"""The invitee's page in a real browser, opened from the emailed link (SMTP sink): the
guest clicks Accept, sets a password through the emailed link and logs in; a member
clicks Decline; a representative accepts to host a delegation. The page is in the invitee's language, header included, whatever the
browser's language, and the switcher still changes it."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from events.delegations.models import DelegationHost
from events.invitations import services
from events.invitations.models import Invitation
from events.models import Registration
from tests.browser import audit, log_in, switch_language
from tests.factories import EventFactory, member
from tests.invitations.helpers import invite
from tests.worlds import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site_url(settings, live_server):
    """Links in emails point at the live server, so the test follows them as written."""
    settings.SITE_URL = live_server.url
    return live_server.url


GO_ELSEWHERE = """url => {
  const a = document.createElement('a');
  a.href = url; a.id = 'elsewhere'; a.textContent = 'Elsewhere';
  document.querySelector('main').append(a);
}"""


def link_in(mailbox, address: str, pattern: str, count: int) -> str:
    mails = [m for m in mailbox.wait_for(count) if address in m["X-Envelope-To"]]
    found = [re.search(pattern, mailbox.text(m)) for m in mails]
    return [f for f in found if f][-1].group(0)


def language_of(page) -> str:
    return page.evaluate("document.documentElement.lang")


def test_guest_accepts_by_clicking_sets_a_password_and_logs_in(
    page, mailbox, on_commit, staff, site_url
):
    event = EventFactory(title="Tea roundtable", title_ja="紅茶ラウンドテーブル")
    invite(on_commit, staff, event, emails_text="Priya Nair <priya@newco.example>", language="ja")
    link = link_in(mailbox, "priya@newco.example", r"http://\S+/invitations/[\w-]+/", 1)
    assert link.startswith(site_url)

    response = page.goto(link)  # an English browser, a Japanese invitation
    assert response.header_value("referrer-policy") == "same-origin"
    assert language_of(page) == "ja"
    assert page.inner_text("h1") == "紅茶ラウンドテーブル"
    assert page.locator("header").get_by_text("イベント", exact=True).count() == 1
    assert "参加する" in page.inner_text("#accept-form")
    audit(page, "invitation")

    switch_language(page, "en")  # the switcher still works on the personal page
    assert page.url == link
    assert (language_of(page), page.inner_text("h1")) == ("en", "Tea roundtable")
    assert page.locator("header").get_by_text("Events", exact=True).count() == 1
    audit(page, "invitation")
    switch_language(page, "ja")
    assert language_of(page) == "ja"

    page.fill("#id_organisation_name", "NewCo Components")
    page.select_option("#id_country", "IN")
    with page.expect_request(lambda r: r.method == "POST") as posted:
        page.click("#accept-form button[type=submit]")
    page.wait_for_selector("#invitation-result")
    # The browser sent our origin, so Django's CSRF check let the answer through.
    assert posted.value.header_value("origin") == site_url
    assert "登録が確定しました" in page.inner_text("#invitation-result")
    invitation = Invitation.objects.get()
    assert invitation.status == "accepted"
    guest = invitation.user
    assert (guest.email, guest.has_usable_password()) == ("priya@newco.example", False)
    assert Registration.objects.get().user == guest
    audit(page, "invitation-accepted")

    page.click("#set-password-form button[type=submit]")
    page.wait_for_selector("#password-sent")
    assert "priya@newco.example" in page.inner_text("#password-sent")
    assert language_of(page) == "ja"
    audit(page, "invitation-password-sent")
    # invitation, registration confirmation, then allauth's reset email in Japanese
    reset = link_in(
        mailbox, "priya@newco.example", r"http://\S+/accounts/password/reset/key/\S+", 3
    )
    reset_mail = mailbox.to("priya@newco.example")[-1]
    assert "パスワード" in reset_mail["Subject"]
    page.goto(reset)
    page.wait_for_url("**/accounts/password/reset/key/*-set-password/")
    page.fill("#id_password1", "priya-new-pass-2026")
    page.fill("#id_password2", "priya-new-pass-2026")
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/password/reset/key/done/")
    page.context.clear_cookies()
    log_in(page, "priya@newco.example", "priya-new-pass-2026")
    page.wait_for_url("**/account/")
    guest.refresh_from_db()
    assert guest.has_usable_password()


def test_member_declines_by_clicking_in_their_language(
    browser, live_server, mailbox, on_commit, staff, site_url
):
    # A Japanese browser, an English-speaking member: the whole page is in English.
    person = member(email="ravi@tea.example", profile__language="en")
    event = EventFactory(title="Tea roundtable", title_ja="紅茶ラウンドテーブル")
    invite(on_commit, staff, event, emails_text="ravi@tea.example")
    link = link_in(mailbox, "ravi@tea.example", r"http://\S+/invitations/[\w-]+/", 1)
    context = browser.new_context(base_url=live_server.url, locale="ja-JP")
    page = context.new_page()
    try:
        page.goto(link)
        assert (language_of(page), page.inner_text("h1")) == ("en", "Tea roundtable")
        assert page.locator("header").get_by_text("Events", exact=True).count() == 1
        # A link to another site (here: another origin of the same server) gets no
        # Referer, so the token in the URL stays with us.
        elsewhere = site_url.replace("localhost", "127.0.0.1") + "/"
        page.evaluate(GO_ELSEWHERE, elsewhere)
        with page.expect_request(lambda r: r.url == elsewhere) as away:
            page.click("#elsewhere")
        assert away.value.header_value("referer") is None
        page.goto(link)
        page.fill("#id_reason", "Travelling that week")
        with page.expect_request(lambda r: r.method == "POST") as posted:
            page.click("#decline-form button[type=submit]")
        page.wait_for_selector("#invitation-result")
        assert posted.value.header_value("origin") == site_url
        assert "will not attend" in page.inner_text("#invitation-result")
        assert page.locator("#set-password-form").count() == 0
        audit(page, "invitation-declined")
        invitation = Invitation.objects.get()
        assert (invitation.status, invitation.decline_reason) == (
            "declined",
            "Travelling that week",
        )
        assert not Registration.objects.filter(user=person).exists()
        page.goto(link)  # answered: 410, still in English
        assert "You have already declined this invitation." in page.inner_text("main")
    finally:
        context.close()


def test_host_accepts_by_clicking_after_switching_to_japanese(page, mailbox, on_commit, site_url):
    w = build_world()
    start = timezone.localdate() + dt.timedelta(days=20)  # the world's days, ahead of us
    for n, day in reversed(list(enumerate((w.day1, w.day2)))):
        day.date = start + dt.timedelta(days=n)
        day.save(update_fields=["date"])
    with on_commit():
        services.host_invitations_create(
            actor=w.staff, delegation=w.delegation, organisations=[w.sneha], city="Ahmedabad"
        )
    link = link_in(mailbox, "asha@example.com", r"http://\S+/invitations/[\w-]+/", 1)
    page.goto(link)
    assert (language_of(page), page.inner_text("h1")) == ("en", "Gujarat & Assam delegation")
    assert "host the delegation's visiting firms in Ahmedabad" in page.inner_text("main")
    audit(page, "host-invitation")
    switch_language(page, "ja")
    assert "Ahmedabadにて" in page.inner_text("#host-proposal")
    assert "ホストを引き受ける" in page.inner_text("#accept-form")
    audit(page, "host-invitation")
    with page.expect_request(lambda r: r.method == "POST") as posted:
        page.click("#accept-form button[type=submit]")
    page.wait_for_selector("#invitation-result")
    assert posted.value.header_value("origin") == site_url
    assert "ホスト企業として登録しました" in page.inner_text("#invitation-result")
    assert page.locator("#set-password-form").count() == 0  # asha has a password
    audit(page, "host-invitation-accepted")
    host = DelegationHost.objects.get()
    assert (host.organisation, list(host.representatives.all())) == (w.sneha, [w.asha])
