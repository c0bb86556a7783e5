"""A member logs in and registers for an event, in a real browser."""

import pytest

from events.models import Registration
from tests.factories import EventFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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
