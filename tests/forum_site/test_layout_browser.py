"""The portal's layout in a real browser: home, log in, sign up, my account — both
languages, desk and phone width (tests/browser.py: axe, overflow, screenshots)."""

import pytest

from tests.browser import audit, log_in, switch_language
from tests.factories import member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_public_pages_pass_the_audit_in_both_languages(page):
    for language in ("en", "ja"):
        page.goto("/")
        if page.evaluate("document.documentElement.lang") != language:
            switch_language(page, language)
        assert page.evaluate("document.documentElement.lang") == language
        audit(page, "home")
        page.goto("/accounts/login/")
        audit(page, "login")
        page.goto("/accounts/signup/")
        audit(page, "signup")


def test_switching_language_when_logged_in_changes_the_profile(page):
    person = member(username="asha", profile__language="en")
    log_in(page, "asha")
    assert page.evaluate("document.documentElement.lang") == "en"
    switch_language(page, "ja")
    assert page.evaluate("document.documentElement.lang") == "ja"
    person.profile.refresh_from_db()
    assert person.profile.language == "ja"
    page.goto("/account/")
    assert page.inner_text("h1") == "マイアカウント"
    audit(page, "account")


def test_a_japanese_member_reads_japanese_after_logging_in(page):
    member(username="kenji", profile__language="ja", profile__time_zone="Asia/Tokyo")
    page.goto("/")
    assert page.evaluate("document.documentElement.lang") == "en"
    log_in(page, "kenji")
    assert page.evaluate("document.documentElement.lang") == "ja"
    assert "Asia/Tokyo" in page.inner_text("footer")
