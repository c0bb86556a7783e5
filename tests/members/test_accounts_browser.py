"""Accounts in a real browser: every allauth page in our layout passes the audit in both
languages; a staff member turns on TOTP and must then give a code; a forgotten password
is reset through the email's link."""

import re
import time

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.cache import cache

from tests.browser import audit, log_in, switch_language
from tests.factories import StaffFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def fresh_throttles():
    cache.clear()  # allauth's rate limits and used TOTP codes live in the cache
    yield
    cache.clear()


def in_language(page, language: str) -> None:
    if page.evaluate("document.documentElement.lang") != language:
        switch_language(page, language)
    assert page.evaluate("document.documentElement.lang") == language


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now (allauth's own TOTP helpers); waits out
    the last seconds of a period so that the code is still valid when it arrives."""
    period = mfa_settings.TOTP_PERIOD
    if period - time.time() % period < 3:
        time.sleep(3)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def link_in(mailbox, address: str, pattern: str, count: int = 1) -> str:
    mails = [m for m in mailbox.wait_for(count) if m["To"] == address]
    return re.search(pattern, mailbox.text(mails[-1])).group(0)


def test_account_pages_pass_the_audit_in_both_languages(page):
    UserFactory(username="asha", email="asha@example.com")
    log_in(page, "asha")
    for language in ("en", "ja"):
        in_language(page, language)
        for name, url in [
            ("email", "/accounts/email/"),
            ("password-change", "/accounts/password/change/"),
            ("reauthenticate", "/accounts/reauthenticate/"),
            ("mfa-index", "/accounts/2fa/"),
            ("logout", "/accounts/logout/"),
        ]:
            page.goto(url)
            assert page.evaluate("document.documentElement.lang") == language
            assert page.locator("h1").count() == 1, name
            audit(page, name)
    page.goto("/accounts/password/change/")
    page.fill("#id_oldpassword", "wrong")
    page.click("main button[type=submit]")
    assert page.get_attribute("#id_oldpassword", "aria-invalid") == "true"
    audit(page, "password-change-errors")


def test_staff_turn_on_totp_and_must_then_give_a_code(page):
    StaffFactory(username="secretariat", email="secretariat@example.com")
    log_in(page, "secretariat")
    page.wait_for_url("**/account/")
    page.goto("/accounts/2fa/")
    page.click("main a[href='/accounts/2fa/totp/activate/']")
    page.wait_for_load_state()
    if "/accounts/reauthenticate/" in page.url:
        # allauth asks for the password again before a security change.
        page.fill("#id_password", "pass-word-123")
        page.click("main button[type=submit]")
        page.wait_for_url("**/accounts/2fa/totp/activate/")
    audit(page, "mfa-activate-totp")
    secret = page.inner_text("#authenticator_secret").strip()
    page.fill("#id_code", "000000" if totp_code(secret) != "000000" else "111111")
    page.click("main button[type=submit]")
    assert page.get_attribute("#id_code", "aria-invalid") == "true"
    audit(page, "mfa-activate-totp-errors")
    page.fill("#id_code", totp_code(secret))
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/accounts/2fa/(recovery-codes/)?$"))
    for language in ("en", "ja"):
        in_language(page, language)
        page.goto("/accounts/2fa/recovery-codes/")
        audit(page, "mfa-recovery-codes")
        page.goto("/accounts/2fa/")
        audit(page, "mfa-index-active")
    in_language(page, "en")
    page.context.clear_cookies()

    # The next login asks for a code, and a wrong one is refused.
    log_in(page, "secretariat")
    page.wait_for_url("**/accounts/2fa/authenticate/")
    audit(page, "mfa-authenticate")
    page.fill("#id_code", "123456" if totp_code(secret) != "123456" else "654321")
    page.click("main button[type=submit]")
    assert page.get_attribute("#id_code", "aria-invalid") == "true"
    assert page.url.endswith("/accounts/2fa/authenticate/")
    page.fill("#id_code", totp_code(secret))
    page.click("main button[type=submit]")
    page.wait_for_url("**/account/")
    assert "secretariat" not in page.url
    assert (
        page.locator("header").get_by_text("Staff").is_visible()
        or page.locator(".navbar-toggler").is_visible()
    )


def test_forgotten_password_reset_through_the_email_link(page, mailbox):
    UserFactory(username="ravi", email="ravi@example.com")
    for n, language in enumerate(("en", "ja"), start=1):
        page.context.clear_cookies()
        page.goto("/accounts/login/")
        in_language(page, language)
        page.click("main a[href='/accounts/password/reset/']")
        page.wait_for_url("**/accounts/password/reset/")
        audit(page, "password-reset")
        page.fill("#id_email", "ravi@example.com")
        page.click("main button[type=submit]")
        page.wait_for_url("**/accounts/password/reset/done/")
        audit(page, "password-reset-done")
        link = link_in(
            mailbox, "ravi@example.com", r"http://\S+/accounts/password/reset/key/\S+", n
        )
        page.goto(link)
        page.wait_for_url("**/accounts/password/reset/key/*-set-password/")
        audit(page, "password-reset-from-key")
        new_password = f"new-pass-phrase-{language}-2026"
        page.fill("#id_password1", new_password)
        page.fill("#id_password2", "something else")
        page.click("main button[type=submit]")
        assert page.get_attribute("#id_password2", "aria-invalid") == "true"
        page.fill("#id_password1", new_password)
        page.fill("#id_password2", new_password)
        page.click("main button[type=submit]")
        page.wait_for_url("**/accounts/password/reset/key/done/")
        audit(page, "password-reset-from-key-done")
        log_in(page, "ravi", new_password)
        page.wait_for_url("**/account/")
