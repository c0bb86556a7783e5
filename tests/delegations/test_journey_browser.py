"""The delegation journey in a real browser, with real email: a Japanese SME applies to the
Gujarat delegation in Japanese; the secretariat accepts it in the admin; the delegate asks
three Indian hosts for meetings; one says "no thanks", another asks back (mutual); the
secretariat runs the scheduler and publishes; the delegate reads the itinerary in Japanese
with times in JST and IST named, downloads the .ics, and writes to a host from it; the
host's reply appears in his open thread."""

import datetime as dt
import re
import zoneinfo
from pathlib import Path

import icalendar
import pytest
from django.test import override_settings
from django.utils import timezone

from events.delegations import services
from events.delegations.models import DelegationApplication, MeetingRequest, ScheduledMeeting
from members.models import Capability, Sector
from tests.browser import audit, log_in
from tests.factories import (
    DelegationDayFactory,
    DelegationFactory,
    MembershipFactory,
    OrganisationFactory,
    PlatformFactory,
    StaffFactory,
    member,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOKYO, KOLKATA = zoneinfo.ZoneInfo("Asia/Tokyo"), zoneinfo.ZoneInfo("Asia/Kolkata")


def gujarat():
    """An open Japan → India delegation in Ahmedabad in a month, three Indian hosts."""
    platform = PlatformFactory(slug="sme-forum", name="Japan–India SME Forum")
    first = timezone.localdate() + dt.timedelta(days=30)
    delegation = DelegationFactory(
        platform=platform,
        title="Japanese SME mission to Gujarat",
        title_ja="グジャラート 日本中小企業ミッション",
        places=5,
        applications_close_at=timezone.now() + dt.timedelta(days=10),
    )
    delegation.sectors.set(Sector.objects.filter(slug__in=["food-processing", "tea"]))
    days = [
        DelegationDayFactory(delegation=delegation, date=first, city="Ahmedabad", tables=3),
        DelegationDayFactory(
            delegation=delegation, date=first + dt.timedelta(days=1), city="Ahmedabad", tables=3
        ),
    ]
    seiko = OrganisationFactory(name="Hamamatsu Seiko", country="JP")
    hiro = member(
        organisation=seiko,
        platform=platform,
        username="hiro",
        email="hiro@hamamatsu-seiko.example",
        profile__language="ja",
        profile__time_zone="Asia/Tokyo",
    )
    staff = StaffFactory(username="secretariat", is_superuser=True)
    hosts = {}
    for username, name in [
        ("asha", "Sneha Farms"),
        ("ravi", "Gujarat Agro Processing"),
        ("priya", "Ahmedabad Tea Traders"),
    ]:
        organisation = OrganisationFactory(name=name, country="IN")
        person = member(organisation=organisation, username=username)
        services.host_add(
            actor=staff, delegation=delegation, organisation=organisation, representatives=[person]
        )
        hosts[username] = organisation
    return delegation, days, hiro, seiko, hosts


def switch_user(page, username: str) -> None:
    page.context.clear_cookies()
    log_in(page, username)


def staff_action(page, changelist: str, pk: int, action: str) -> None:
    page.goto(changelist)
    page.check(f"input[name=_selected_action][value='{pk}']")
    page.select_option("select[name=action]", action)
    page.click("button[name=index]")
    page.wait_for_selector(".messagelist")


def site_path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_a_japanese_sme_travels_to_gujarat(page, mailbox, reference_data):
    delegation, days, hiro, seiko, hosts = gujarat()

    # 1. hiro applies in Japanese.
    log_in(page, "hiro")
    assert page.evaluate("document.documentElement.lang") == "ja"
    page.goto("/delegations/")
    audit(page, "journey-delegations")
    page.get_by_role("link", name="グジャラート 日本中小企業ミッション").click()
    audit(page, "journey-delegation")
    page.get_by_role("link", name="参加を申し込む").click()
    page.get_by_role("button", name="応募する").click()  # empty: refused
    assert page.inner_text("#id_objectives_errors") == "この項目は必須です。"
    assert DelegationApplication.objects.count() == 0
    page.fill("#id_objectives", "食品加工機械の販売代理店と共同開発先を探しています。")
    page.get_by_label("技術移転").first.check()  # what we offer
    page.locator("fieldset", has_text="求めていること").get_by_label("販売・流通提携").check()
    audit(page, "journey-apply")
    page.get_by_role("button", name="応募する").click()
    assert page.inner_text(".messages") == "応募を受け付けました。"
    assert page.inner_text("#application-status") == "状況： 応募済み"
    application = DelegationApplication.objects.get()
    assert [c.slug for c in application.seeks.all()] == ["distribution"]
    assert [c.slug for c in application.offers.all()] == ["technology-transfer"]
    assert Capability.objects.filter(slug="technology-transfer").exists()

    # 2. The secretariat accepts it in the admin; hiro is emailed, in Japanese, a link to
    #    the application page.
    page.context.clear_cookies()
    page.goto("/admin/login/?next=/admin/delegations/delegationapplication/")
    page.fill("#id_username", "secretariat")
    page.fill("#id_password", "pass-word-123")
    page.click("input[type=submit]")
    staff_action(page, "/admin/delegations/delegationapplication/", application.pk, "mark_accepted")
    [decision] = mailbox.wait_for(1)
    text = mailbox.text(decision)
    assert "参加が決定しました" in text
    link = re.search(r"お申し込み内容：(\S+)", text).group(1)
    assert site_path(link) == f"/delegations/applications/{application.pk}/"

    # 3. hiro follows the link and asks the three hosts for meetings.
    mailbox.clear()
    switch_user(page, "hiro")
    page.goto(site_path(link))
    assert page.inner_text("#application-status") == "状況： 採択"
    audit(page, "journey-application")
    page.get_by_role("link", name="面談相手を探す").first.click()
    audit(page, "journey-counterparts")
    for name, priority in [
        ("Sneha Farms", "通常"),
        ("Gujarat Agro Processing", "必ず面談したい"),
        ("Ahmedabad Tea Traders", "高"),
    ]:
        page.get_by_role("link", name=f"{name} に面談を申し込む").click()
        page.get_by_label(priority, exact=True).check()
        page.fill("#id_note", "工場見学もお願いできれば幸いです。")
        page.get_by_role("button", name="申し込む").click()
        assert page.inner_text(".messages") == f"{name} への面談希望を送りました。"
        page.get_by_role("link", name="面談相手を探す").first.click()
    assert MeetingRequest.objects.filter(from_organisation=seiko).count() == 3
    page.get_by_role("link", name="面談希望", exact=True).click()
    audit(page, "journey-requests")

    # 4. Sneha Farms says no thanks; Gujarat Agro asks back (mutual).
    switch_user(page, "asha")
    page.goto(f"/delegations/{delegation.pk}/requests/")
    page.get_by_role("button", name="No thanks to Hamamatsu Seiko").click()
    assert "it will not be scheduled" in page.inner_text(".messages")
    switch_user(page, "ravi")
    page.goto(f"/delegations/{delegation.pk}/requests/")
    page.get_by_role("link", name="Ask them too").click()
    page.get_by_label("High", exact=True).check()
    page.get_by_role("button", name="Send the request").click()
    assert "Mutual: they asked you too" in page.inner_text("#made")
    audit(page, "journey-host-requests")

    # 5. The secretariat runs the scheduler and publishes from the grid.
    page.context.clear_cookies()
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", "secretariat")
    page.fill("#id_password", "pass-word-123")
    page.click("input[type=submit]")
    staff_action(page, "/admin/delegations/delegation/", delegation.pk, "run_scheduler")
    page.get_by_role("link", name="see it").click()
    page.get_by_role("link", name="grid").first.click()
    grids = "\n".join(page.locator("table.grid").all_inner_texts())
    assert "Hamamatsu Seiko\n× Gujarat Agro Processing ⇄" in grids
    assert "Sneha Farms" not in page.inner_text("table.grid")
    page.get_by_role("button", name="Publish this version").click()
    page.wait_for_selector(".messagelist")
    mails = mailbox.wait_for(4)  # every participant: hiro and the three hosts

    # 6. hiro reads his itinerary in Japanese, times in JST with Ahmedabad's IST.
    [itinerary_mail] = mailbox.to("hiro@hamamatsu-seiko.example")
    assert len(mails) == 4
    link = re.search(r"オンライン：(\S+)", mailbox.text(itinerary_mail)).group(1)
    assert site_path(link) == f"/delegations/{delegation.pk}/itinerary/"
    switch_user(page, "hiro")
    page.goto(site_path(link))
    audit(page, "journey-itinerary")
    meetings = ScheduledMeeting.objects.filter(delegate=seiko).select_related("host")
    assert sorted(m.host.name for m in meetings) == [
        "Ahmedabad Tea Traders",
        "Gujarat Agro Processing",
    ]
    body = page.inner_text("main")
    for meeting in meetings:
        tokyo = meeting.starts_at.astimezone(TOKYO), meeting.ends_at.astimezone(TOKYO)
        kolkata = meeting.starts_at.astimezone(KOLKATA), meeting.ends_at.astimezone(KOLKATA)
        assert (
            f"{tokyo[0]:%H:%M}–{tokyo[1]:%H:%M} JST (Asia/Tokyo) · Ahmedabad 現地時間 "
            f"{kolkata[0]:%H:%M}–{kolkata[1]:%H:%M} IST (Asia/Kolkata)"
        ) in body
    assert "相互希望" in body

    # 7. …and downloads the calendar file.
    with page.expect_download() as download:
        page.get_by_role("link", name="カレンダーファイル（.ics）をダウンロード").click()
    calendar = icalendar.Calendar.from_ical(Path(download.value.path()).read_bytes())
    assert sorted(str(e["summary"]) for e in calendar.walk("VEVENT")) == [
        "Meeting: Ahmedabad Tea Traders",
        "Meeting: Gujarat Agro Processing",
    ]

    # 8. From the itinerary hiro writes to a host (a member organisation); ravi sees the
    #    badge and replies; hiro's thread shows the reply without reloading (the poll).
    MembershipFactory(organisation=hosts["ravi"], platform=delegation.platform, status="approved")
    with override_settings(MESSAGING_POLL_MS=400):
        page.get_by_role("link", name="Gujarat Agro Processing にメッセージ").first.click()
        page.fill("#id_subject", "工場見学について")
        page.fill("#id_body", "面談の後に工場を見学できますか？")
        page.get_by_role("button", name="送信").click()
        page.evaluate("window.notReloaded = true")
        host = page.context.browser.new_context(base_url=re.match(r"https?://[^/]+", page.url)[0])
        ravi = host.new_page()
        log_in(ravi, "ravi")
        assert " ".join(ravi.locator("#unread-badge").text_content().split()) == (
            "1 unread messages"
        )
        ravi.click("#messages-link")
        ravi.get_by_role("link", name="工場見学について").click()
        ravi.fill("#id_body", "Yes, after the meeting on day one.")
        ravi.get_by_role("button", name="Send").click()
        page.locator("#messages", has_text="Yes, after the meeting on day one.").wait_for()
        assert page.evaluate("window.notReloaded") is True
        host.close()
