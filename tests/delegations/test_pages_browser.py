"""The delegation pages in a real browser: each passes the audit (axe, no overflow at 390 px,
screenshots) in both languages, works from the keyboard, and another organisation's
application, requests and itinerary are a 404 as in the API."""

import pytest

from events.delegations import services
from events.delegations.models import DelegateUnavailability, MeetingRequest
from tests.browser import audit, log_in, switch_language
from tests.worlds import accept_and_host, build_world, with_requests

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def revised():
    """The delegation world with requests and a published schedule (tasks run eagerly)."""
    w = with_requests(accept_and_host(build_world()))
    version = services.schedule_run(actor=w.staff, delegation=w.delegation, time_limit=5)
    version.refresh_from_db()
    services.schedule_publish(actor=w.staff, version=version)
    # A revision, so that the itinerary shows what changed.
    request = MeetingRequest.objects.get(from_organisation=w.kato, to_organisation=w.bamboo)
    services.meeting_request_drop(actor=w.staff, request=request)
    revision = services.schedule_run(actor=w.staff, delegation=w.delegation, time_limit=5)
    revision.refresh_from_db()
    services.schedule_publish(actor=w.staff, version=revision)
    return w


def switch_user(page, username: str) -> None:
    page.context.clear_cookies()
    log_in(page, username)


def _in(page, language: str) -> None:
    if page.evaluate("document.documentElement.lang") != language:
        switch_language(page, language)
    assert page.evaluate("document.documentElement.lang") == language


@pytest.mark.parametrize("language", ["en", "ja"])
def test_delegate_pages_pass_the_audit(page, revised, language):
    w = revised
    d = w.delegation.pk
    log_in(page, "kenji")
    page.goto("/delegations/")
    _in(page, language)
    audit(page, "delegations-list")
    pages = {
        "delegation-detail": f"/delegations/{d}/",
        "my-applications": "/delegations/applications/",
        "application": f"/delegations/applications/{w.app_kato.pk}/",
        "application-withdraw": f"/delegations/applications/{w.app_kato.pk}/withdraw/",
        "counterparts": f"/delegations/{d}/counterparts/",
        "request-new": f"/delegations/{d}/counterparts/{w.bamboo.pk}/request/",
        "requests": f"/delegations/{d}/requests/",
        "availability": f"/delegations/{d}/availability/",
        "itinerary": f"/delegations/{d}/itinerary/",
    }
    for name, url in pages.items():
        page.goto(url)
        assert page.evaluate("document.documentElement.lang") == language, name
        audit(page, name)


@pytest.mark.parametrize("language", ["en", "ja"])
def test_apply_page_and_host_pages_pass_the_audit(page, language):
    w = build_world()
    log_in(page, "yuki")
    page.goto(f"/delegations/{w.delegation.pk}/apply/")
    _in(page, language)
    audit(page, "apply")
    page.click("main button[type=submit]")  # nothing filled in: field errors
    assert page.locator("#id_objectives_errors").count() == 1
    audit(page, "apply-errors")
    accept_and_host(w)
    with_requests(w)
    switch_user(page, "asha")
    page.goto(f"/delegations/{w.delegation.pk}/counterparts/")
    _in(page, language)
    audit(page, "host-counterparts")
    page.goto(f"/delegations/{w.delegation.pk}/requests/")
    audit(page, "host-requests")
    page.goto(f"/delegations/{w.delegation.pk}/counterparts/{w.mori.pk}/request/")
    audit(page, "request-form")
    page.goto(f"/delegations/{w.delegation.pk}/availability/")
    audit(page, "host-availability")


def test_keyboard_marks_a_slot_and_answers_a_request(page, revised):
    w = revised
    d = w.delegation.pk
    log_in(page, "kenji")
    page.goto(f"/delegations/{d}/availability/")
    slot = page.locator("input[name=busy]").first
    slot.focus()
    page.keyboard.press("Space")
    assert slot.is_checked()
    page.locator("main button[type=submit]").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # kenji reads Japanese.
    assert (
        page.locator(".messages").inner_text()
        == "保存しました。チェックした枠には面談が入りません。"
    )
    assert DelegateUnavailability.objects.filter(application=w.app_kato).count() == 1
    switch_user(page, "ravi")
    page.goto(f"/delegations/{d}/requests/")
    # Bamboo was asked by Kato (dropped by staff, still an open request): "no thanks".
    button = page.get_by_role("button", name="No thanks to Kato Precision")
    button.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    request = MeetingRequest.objects.get(from_organisation=w.kato, to_organisation=w.bamboo)
    assert request.answer == "declined"


def test_another_organisations_pages_are_not_found(page, revised):
    w = revised
    d = w.delegation.pk
    kato_request = MeetingRequest.objects.get(from_organisation=w.kato, to_organisation=w.sneha)
    log_in(page, "olga")  # Other Org: a Japanese member, not in the delegation
    for url in [
        f"/delegations/applications/{w.app_kato.pk}/",
        f"/delegations/applications/{w.app_kato.pk}/withdraw/",
        f"/delegations/requests/{kato_request.pk}/withdraw/",
        f"/delegations/{d}/requests/",
        f"/delegations/{d}/requests/?organisation={w.kato.pk}",
        f"/delegations/{d}/itinerary/",
        f"/delegations/{d}/itinerary/?organisation={w.kato.pk}",
        f"/delegations/{d}/itinerary.ics?organisation={w.kato.pk}",
        f"/delegations/{d}/availability/?organisation={w.kato.pk}",
    ]:
        response = page.goto(url)
        assert response.status == 404, url
    switch_user(page, "yuki")  # Mori Foods takes part, but these are Kato's
    for url in [
        f"/delegations/applications/{w.app_kato.pk}/",
        f"/delegations/{d}/itinerary/?organisation={w.kato.pk}",
        f"/delegations/{d}/requests/?organisation={w.kato.pk}",
        f"/delegations/requests/{kato_request.pk}/withdraw/",
    ]:
        response = page.goto(url)
        assert response.status == 404, url
